package dev.spanloom.model.context;

import static java.util.Objects.requireNonNull;

import dev.spanloom.model.SpanId;
import dev.spanloom.model.TraceId;
import dev.spanloom.model.internal.Hex;
import java.util.Optional;

/**
 * The W3C {@code traceparent} header: {@code version-traceid-parentid-flags}, for example {@code
 * 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01}.
 *
 * <p>{@link #parse} follows the Recommendation's rules for version {@code 00} and its leniency
 * for higher versions; {@link #format} always writes version {@code 00}, the highest this
 * codec knows, as the Recommendation asks ("downgrade the version").
 *
 * @param version the version received, {@code 0x00}–{@code 0xfe} ({@code 0xff} is forbidden)
 * @param traceId never {@link TraceId#INVALID}
 * @param parentId the caller's span ID, never {@link SpanId#INVALID}
 * @param flags the 8 trace-flag bits as received, unknown bits included; see {@link #format}
 */
public record TraceParent(int version, TraceId traceId, SpanId parentId, int flags) {
  /** The caller may have recorded trace data. */
  public static final int FLAG_SAMPLED = 0x01;

  /** The trace ID's right-most 7 bytes are random (Trace Context Level 2). */
  public static final int FLAG_RANDOM = 0x02;

  /** The flags defined by Level 1 and 2; the others are reserved and written as zero. */
  public static final int KNOWN_FLAGS = FLAG_SAMPLED | FLAG_RANDOM;

  /** Length of a version 00 header, and the minimum length of any version. */
  static final int LENGTH = 55;

  private static final int TRACE_ID_OFFSET = 3;
  private static final int PARENT_ID_OFFSET = 36;
  private static final int FLAGS_OFFSET = 53;

  public TraceParent {
    requireNonNull(traceId, "traceId");
    requireNonNull(parentId, "parentId");
    if (version < 0 || version > 0xfe) {
      throw new IllegalArgumentException("version: " + version + " (expected: 0-254)");
    }
    if (!traceId.isValid()) {
      throw new IllegalArgumentException("traceId: " + traceId + " (expected: not all zero)");
    }
    if (!parentId.isValid()) {
      throw new IllegalArgumentException("parentId: " + parentId + " (expected: not all zero)");
    }
    if (flags < 0 || flags > 0xff) {
      throw new IllegalArgumentException("flags: " + flags + " (expected: 0-255)");
    }
  }

  /** A version 00 traceparent, as this process sends it. */
  public static TraceParent of(TraceId traceId, SpanId parentId, int flags) {
    return new TraceParent(0, traceId, parentId, flags);
  }

  /**
   * Parses a {@code traceparent} header value; empty when the value is null or invalid, in which
   * case the Recommendation says to ignore it and restart the trace.
   *
   * <p>Leading and trailing spaces and tabs are dropped (HTTP optional whitespace). Hex must be
   * lowercase. Version {@code 00} must be exactly 55 characters. A higher version may be longer
   * when character 56 is a dash: its first 55 characters are read as version 00 and the rest is
   * ignored. Only the first 56 characters are examined, so a huge value costs no more than a
   * short one.
   */
  public static Optional<TraceParent> parse(CharSequence header) {
    if (header == null) return Optional.empty();
    int from = 0;
    int to = header.length();
    while (from < to && isOws(header.charAt(from))) from++;
    while (to > from && isOws(header.charAt(to - 1))) to--;
    int length = to - from;
    if (length < LENGTH) return Optional.empty();

    if (!Hex.isLowerHex(header, from, from + 2) || header.charAt(from + 2) != '-') {
      return Optional.empty();
    }
    int version = hexByte(header, from);
    if (version == 0xff) return Optional.empty();
    if (version == 0 ? length != LENGTH : length > LENGTH && header.charAt(from + LENGTH) != '-') {
      return Optional.empty();
    }

    int t = from + TRACE_ID_OFFSET;
    int p = from + PARENT_ID_OFFSET;
    int f = from + FLAGS_OFFSET;
    if (header.charAt(p - 1) != '-'
        || header.charAt(f - 1) != '-'
        || !Hex.isLowerHex(header, t, t + 32)
        || !Hex.isLowerHex(header, p, p + 16)
        || !Hex.isLowerHex(header, f, f + 2)) {
      return Optional.empty();
    }
    long high = Hex.readLong(header, t);
    long low = Hex.readLong(header, t + 16);
    long parent = Hex.readLong(header, p);
    if ((high == 0 && low == 0) || parent == 0) return Optional.empty();
    return Optional.of(
        new TraceParent(version, new TraceId(high, low), new SpanId(parent), hexByte(header, f)));
  }

  public boolean sampled() {
    return (flags & FLAG_SAMPLED) != 0;
  }

  /** True when the caller promises a random trace ID (Level 2), usable as OTEP 235 randomness. */
  public boolean random() {
    return (flags & FLAG_RANDOM) != 0;
  }

  /**
   * The version 00 header value. Flags other than {@link #KNOWN_FLAGS} are written as zero: the
   * Recommendation reserves them and says vendors MUST set them to zero.
   */
  public String format() {
    char[] c = new char[LENGTH];
    c[0] = '0';
    c[1] = '0';
    c[2] = '-';
    Hex.writeLong(traceId.high(), c, TRACE_ID_OFFSET);
    Hex.writeLong(traceId.low(), c, TRACE_ID_OFFSET + 16);
    c[PARENT_ID_OFFSET - 1] = '-';
    Hex.writeLong(parentId.value(), c, PARENT_ID_OFFSET);
    c[FLAGS_OFFSET - 1] = '-';
    int known = flags & KNOWN_FLAGS;
    c[FLAGS_OFFSET] = Character.forDigit(known >>> 4, 16);
    c[FLAGS_OFFSET + 1] = Character.forDigit(known & 0xf, 16);
    return new String(c);
  }

  static boolean isOws(char c) {
    return c == ' ' || c == '\t';
  }

  /** Two hex digits already checked by the caller. */
  private static int hexByte(CharSequence s, int offset) {
    return (Hex.digit(s.charAt(offset)) << 4) | Hex.digit(s.charAt(offset + 1));
  }
}
