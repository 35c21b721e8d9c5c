package dev.spanloom.storage.local;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A block's {@code meta.json}: what the block holds, written last and atomically, so that its
 * presence is what makes a block directory a block. A flat JSON object (readable with {@code
 * cat} and {@code jq}); unknown fields are ignored so that later versions may add some.
 */
record BlockMeta(
    int formatVersion,
    String blockId,
    int compactionLevel,
    long createdAtMillis,
    long traceCount,
    long spanCount,
    int rowGroupCount,
    long minStartEpochNanos,
    long maxEndEpochNanos,
    long minDurationNanos,
    long maxDurationNanos,
    long walSegmentEnd,
    long dataBytes) {
  /**
   * The format written. 2 added the span-name catalog to the index, 3 the row groups'
   * attribute-value filters; see docs/storage-format.md.
   */
  static final int FORMAT_VERSION = 3;
  /** The oldest format still read: blocks of format 1 have no span-name catalog. */
  static final int OLDEST_READABLE_FORMAT = 1;
  static final String FILE_NAME = "meta.json";

  /** True when the block's index holds its span-name catalog (format 2 on). */
  boolean hasSpanNameCatalog() {
    return formatVersion >= 2;
  }

  byte[] toJson() {
    StringBuilder sb = new StringBuilder("{\n");
    field(sb, "format", formatVersion);
    sb.append("  \"blockId\": \"").append(blockId).append("\",\n");
    field(sb, "compactionLevel", compactionLevel);
    field(sb, "createdAtMillis", createdAtMillis);
    field(sb, "traces", traceCount);
    field(sb, "spans", spanCount);
    field(sb, "rowGroups", rowGroupCount);
    field(sb, "minStartEpochNanos", minStartEpochNanos);
    field(sb, "maxEndEpochNanos", maxEndEpochNanos);
    field(sb, "minDurationNanos", minDurationNanos);
    field(sb, "maxDurationNanos", maxDurationNanos);
    field(sb, "walSegmentEnd", walSegmentEnd);
    sb.append("  \"dataBytes\": ").append(dataBytes).append("\n}\n");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void field(StringBuilder sb, String name, long value) {
    sb.append("  \"").append(name).append("\": ").append(value).append(",\n");
  }

  static BlockMeta fromJson(byte[] json) {
    Map<String, Object> m = new FlatJson(new String(json, StandardCharsets.UTF_8)).parse();
    int format = (int) number(m, "format");
    if (format < OLDEST_READABLE_FORMAT || format > FORMAT_VERSION) {
      throw new CorruptDataException("block format " + format + " (expected: "
          + OLDEST_READABLE_FORMAT + " to " + FORMAT_VERSION + ")");
    }
    Object id = m.get("blockId");
    if (!(id instanceof String s) || s.isEmpty()) throw new CorruptDataException("meta without blockId");
    return new BlockMeta(format, s, (int) number(m, "compactionLevel"),
        number(m, "createdAtMillis"), number(m, "traces"), number(m, "spans"),
        (int) number(m, "rowGroups"), number(m, "minStartEpochNanos"),
        number(m, "maxEndEpochNanos"), number(m, "minDurationNanos"),
        number(m, "maxDurationNanos"), number(m, "walSegmentEnd"), number(m, "dataBytes"));
  }

  private static long number(Map<String, Object> m, String key) {
    if (m.get(key) instanceof Long l) return l;
    throw new CorruptDataException("meta field " + key + " missing or not an integer");
  }

  /** Just enough JSON for a flat object of strings and integers. */
  private static final class FlatJson {
    private final String s;
    private int i;

    FlatJson(String s) {
      this.s = s;
    }

    Map<String, Object> parse() {
      Map<String, Object> out = new LinkedHashMap<>();
      expect('{');
      if (peek() == '}') {
        i++;
        return out;
      }
      while (true) {
        String key = string();
        expect(':');
        char c = peek();
        out.put(key, c == '"' ? string() : integer());
        char next = next();
        if (next == '}') return out;
        if (next != ',') throw error("expected , or }");
      }
    }

    private String string() {
      expect('"');
      StringBuilder sb = new StringBuilder();
      while (true) {
        if (i >= s.length()) throw error("unterminated string");
        char c = s.charAt(i++);
        if (c == '"') return sb.toString();
        if (c == '\\') {
          if (i >= s.length()) throw error("unterminated escape");
          char e = s.charAt(i++);
          switch (e) {
            case 'n': sb.append('\n'); break;
            case 't': sb.append('\t'); break;
            case 'u':
              if (i + 4 > s.length()) throw error("short \\u escape");
              sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
              i += 4;
              break;
            default: sb.append(e);
          }
        } else {
          sb.append(c);
        }
      }
    }

    private Long integer() {
      skipSpace();
      int start = i;
      if (i < s.length() && s.charAt(i) == '-') i++;
      while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
      try {
        return Long.parseLong(s.substring(start, i));
      } catch (NumberFormatException e) {
        throw error("expected an integer");
      }
    }

    private char peek() {
      skipSpace();
      if (i >= s.length()) throw error("unexpected end");
      return s.charAt(i);
    }

    private char next() {
      char c = peek();
      i++;
      return c;
    }

    private void expect(char c) {
      if (next() != c) throw error("expected " + c);
    }

    private void skipSpace() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
    }

    private CorruptDataException error(String what) {
      return new CorruptDataException("meta.json at " + i + ": " + what);
    }
  }
}
