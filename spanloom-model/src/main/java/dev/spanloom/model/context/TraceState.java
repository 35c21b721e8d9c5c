package dev.spanloom.model.context;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * The W3C {@code tracestate} header: an ordered list of at most 32 vendor entries, the most
 * recently written left-most, for example {@code rojo=00f067aa0ba902b7,congo=t61rcWkgMzE}.
 *
 * <p>Immutable. {@link #parse} ignores an invalid header as a whole ({@link #EMPTY}); {@link
 * #put} and {@link #remove} follow the Recommendation's mutation rules: a written key moves to
 * the front, and when a new key would make 33 entries the right-most one is dropped.
 *
 * <p>Keys follow the Level 1 grammar: a simple key {@code lcalpha 0*255(lcalpha / DIGIT / "_" /
 * "-" / "*" / "/")}, or a multi-tenant key {@code tenant-id "@" system-id} with a tenant-id of up
 * to 241 characters starting with a letter or digit and a system-id of up to 14 characters
 * starting with a letter. Values are 1 to 256 printable ASCII characters (0x20–0x7e) other than
 * {@code ,} and {@code =}, not ending in a space.
 */
public final class TraceState {
  /** The Recommendation's limit on list members. */
  public static final int MAX_ENTRIES = 32;

  static final int MAX_KEY_LENGTH = 256;
  static final int MAX_TENANT_ID_LENGTH = 241;
  static final int MAX_SYSTEM_ID_LENGTH = 14;
  static final int MAX_VALUE_LENGTH = 256;

  public static final TraceState EMPTY = new TraceState(List.of());

  private static final String KEY_EXPECTED =
      "expected: 1-256 of a-z 0-9 _ - * / starting with a-z, or tenant@system with a tenant of"
          + " 1-241 starting with a-z or 0-9 and a system of 1-14 starting with a-z";
  private static final String VALUE_EXPECTED =
      "expected: 1-256 printable ASCII characters except ',' and '=', not ending in a space";

  /** One list member. Entries of a {@link TraceState} always hold a valid key and value. */
  public record Entry(String key, String value) {
    public Entry {
      requireNonNull(key, "key");
      requireNonNull(value, "value");
    }

    @Override
    public String toString() {
      return key + '=' + value;
    }
  }

  private final List<Entry> entries;

  private TraceState(List<Entry> entries) {
    this.entries = entries;
  }

  /**
   * Parses one {@code tracestate} header value; {@link #EMPTY} when it is null, empty or invalid.
   * Spaces and tabs around members and empty members are skipped. Any invalid member, a
   * duplicate key or more than {@value #MAX_ENTRIES} members invalidates the whole header, so a
   * caller never acts on part of it. Runs in time linear in the input.
   */
  public static TraceState parse(CharSequence header) {
    if (header == null) return EMPTY;
    List<Entry> result = null;
    int n = header.length();
    int start = 0;
    while (start <= n) {
      int end = start;
      while (end < n && header.charAt(end) != ',') end++;

      int from = start;
      int to = end;
      while (from < to && TraceParent.isOws(header.charAt(from))) from++;
      // Trailing spaces belong to the OWS, not to the value, which may not end in a space.
      while (to > from && TraceParent.isOws(header.charAt(to - 1))) to--;
      if (from < to) {
        if (result == null) result = new ArrayList<>(4);
        if (result.size() == MAX_ENTRIES) return EMPTY;
        int eq = from;
        while (eq < to && header.charAt(eq) != '=') eq++;
        if (eq == to || !isValidKey(header, from, eq) || !isValidValue(header, eq + 1, to)) {
          return EMPTY;
        }
        String key = header.subSequence(from, eq).toString();
        if (indexOf(result, key) >= 0) return EMPTY;
        result.add(new Entry(key, header.subSequence(eq + 1, to).toString()));
      }
      start = end + 1;
    }
    return result == null ? EMPTY : new TraceState(List.copyOf(result));
  }

  /**
   * Parses the values of every {@code tracestate} header line of one request, in order. They
   * are combined as one list, as RFC 7230 combines repeated fields, so a key repeated across
   * lines or more than {@value #MAX_ENTRIES} members in total invalidates them all.
   */
  public static TraceState parse(List<String> headerValues) {
    if (headerValues == null || headerValues.isEmpty()) return EMPTY;
    if (headerValues.size() == 1) return parse(headerValues.get(0));
    StringBuilder combined = new StringBuilder();
    for (String value : headerValues) {
      if (combined.length() > 0) combined.append(',');
      if (value != null) combined.append(value);
    }
    return parse(combined);
  }

  /** True when {@code key} is a valid tracestate key (Level 1 grammar). */
  public static boolean isValidKey(CharSequence key) {
    return key != null && isValidKey(key, 0, key.length());
  }

  /** True when {@code value} is a valid tracestate value. */
  public static boolean isValidValue(CharSequence value) {
    return value != null && isValidValue(value, 0, value.length());
  }

  /** The value under {@code key}, or null when absent. */
  public String get(String key) {
    int i = indexOf(entries, key);
    return i < 0 ? null : entries.get(i).value();
  }

  /**
   * This state with {@code key} set to {@code value} and moved to the front. When the key is new
   * and the list is full, the right-most entry is dropped.
   *
   * @throws IllegalArgumentException when the key or value breaks the grammar
   */
  public TraceState put(String key, String value) {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    if (!isValidKey(key)) {
      throw new IllegalArgumentException("tracestate key: " + quote(key) + " (" + KEY_EXPECTED + ")");
    }
    if (!isValidValue(value)) {
      throw new IllegalArgumentException(
          "tracestate value of " + key + ": " + quote(value) + " (" + VALUE_EXPECTED + ")");
    }
    int existing = indexOf(entries, key);
    if (existing == 0 && entries.get(0).value().equals(value)) return this;
    List<Entry> result = new ArrayList<>(Math.min(entries.size() + 1, MAX_ENTRIES));
    result.add(new Entry(key, value));
    for (int i = 0; i < entries.size() && result.size() < MAX_ENTRIES; i++) {
      if (i != existing) result.add(entries.get(i));
    }
    return new TraceState(List.copyOf(result));
  }

  /** This state without {@code key}; this same instance when the key is absent. */
  public TraceState remove(String key) {
    int i = indexOf(entries, key);
    if (i < 0) return this;
    if (entries.size() == 1) return EMPTY;
    List<Entry> result = new ArrayList<>(entries);
    result.remove(i);
    return new TraceState(List.copyOf(result));
  }

  public int size() {
    return entries.size();
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** The entries, left-most (most recently written) first; unmodifiable. */
  public List<Entry> entries() {
    return entries;
  }

  /** The header value, members joined by {@code ,} without whitespace; {@code ""} when empty. */
  public String format() {
    if (entries.isEmpty()) return "";
    int size = entries.size() - 1;
    for (Entry e : entries) size += e.key().length() + 1 + e.value().length();
    StringBuilder b = new StringBuilder(size);
    for (Entry e : entries) {
      if (b.length() > 0) b.append(',');
      b.append(e.key()).append('=').append(e.value());
    }
    return b.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o == this || (o instanceof TraceState t && entries.equals(t.entries));
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }

  @Override
  public String toString() {
    return "TraceState{" + format() + "}";
  }

  private static int indexOf(List<Entry> entries, String key) {
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i).key().equals(key)) return i;
    }
    return -1;
  }

  static boolean isValidKey(CharSequence s, int from, int to) {
    int length = to - from;
    if (length < 1 || length > MAX_KEY_LENGTH) return false;
    int at = -1;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c == '@') {
        if (at >= 0) return false;
        at = i;
      } else if (!isKeyChar(c)) {
        return false;
      }
    }
    if (at < 0) return isLcAlpha(s.charAt(from));
    int tenant = at - from;
    int system = to - at - 1;
    return tenant >= 1
        && tenant <= MAX_TENANT_ID_LENGTH
        && (isLcAlpha(s.charAt(from)) || isDigit(s.charAt(from)))
        && system >= 1
        && system <= MAX_SYSTEM_ID_LENGTH
        && isLcAlpha(s.charAt(at + 1));
  }

  static boolean isValidValue(CharSequence s, int from, int to) {
    int length = to - from;
    if (length < 1 || length > MAX_VALUE_LENGTH || s.charAt(to - 1) == ' ') return false;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7e || c == ',' || c == '=') return false;
    }
    return true;
  }

  private static boolean isKeyChar(char c) {
    return isLcAlpha(c) || isDigit(c) || c == '_' || c == '-' || c == '*' || c == '/';
  }

  private static boolean isLcAlpha(char c) {
    return c >= 'a' && c <= 'z';
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** Quotes a rejected input for an error message, abbreviated so a huge one cannot flood logs. */
  static String quote(String s) {
    return s.length() <= 64
        ? '"' + s + '"'
        : '"' + s.substring(0, 64) + "\"… (" + s.length() + " chars)";
  }
}
