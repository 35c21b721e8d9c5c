package dev.spanloom.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Tempo's tag-based search ({@code tags=service.name=cart http.status_code=500},
 * {@code minDuration}, {@code maxDuration}) as TraceQL: all tags on one span, each an unscoped
 * attribute compared with its value as typed (a number or boolean also matches the same text as
 * a string); {@code service.name} is the resource's, {@code name} the span name, {@code status}
 * (or {@code status.code}) the span status, {@code error=true} an error status; the durations
 * bound the trace's duration.
 */
public final class TempoTagQuery {
  private TempoTagQuery() {}

  /**
   * The TraceQL query for a tag search.
   *
   * @param logfmt space-separated {@code key=value} pairs; values may be double-quoted
   * @param minDurationNanos 0 for none
   * @param maxDurationNanos 0 for none
   * @throws IllegalArgumentException naming what is wrong with {@code logfmt}
   */
  public static String toTraceQl(String logfmt, long minDurationNanos, long maxDurationNanos) {
    List<String> conditions = new ArrayList<>();
    for (String[] kv : parseLogfmt(logfmt)) conditions.add(condition(kv[0], kv[1]));
    if (minDurationNanos > 0) conditions.add("trace:duration >= " + minDurationNanos + "ns");
    if (maxDurationNanos > 0) conditions.add("trace:duration <= " + maxDurationNanos + "ns");
    return conditions.isEmpty() ? "{ }" : "{ " + String.join(" && ", conditions) + " }";
  }

  /**
   * A Go duration as Tempo's {@code minDuration} takes it ({@code 100ms}, {@code 1.5s}, {@code 1h30m}).
   *
   * @throws IllegalArgumentException when {@code text} is not one
   */
  public static long parseDuration(String text) {
    try {
      List<Token> tokens = TraceQlLexer.tokenize(text.trim());
      if (tokens.size() == 2 && tokens.get(0).type() == Token.Type.DURATION) return Values.parseDuration(tokens.get(0).text());
      if (tokens.size() == 2 && tokens.get(0).type() == Token.Type.INTEGER && tokens.get(0).text().equals("0")) return 0;
    } catch (TraceQlException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException("\"" + text + "\" (expected: a duration like 100ms, 1.5s or 1h30m)");
  }

  private static String condition(String key, String value) {
    switch (key) {
      case "service.name":
        return "resource.service.name = " + quote(value);
      case "name":
        return "name = " + quote(value);
      case "status", "status.code", "otel.status_code": {
        String status = switch (value.toLowerCase(Locale.ROOT)) {
          case "ok", "1", "status_code_ok" -> "ok";
          case "error", "2", "status_code_error" -> "error";
          case "unset", "0", "status_code_unset" -> "unset";
          default -> throw new IllegalArgumentException("tags: " + key + "=" + value + " (expected: ok, error or unset)");
        };
        return "status = " + status;
      }
      case "error":
        if (value.equals("true")) return "status = error";
        break;
      default:
        break;
    }
    String field = "." + quote(key);
    String text = field + " = " + quote(value);
    if (value.matches("-?\\d{1,18}") || value.matches("-?\\d+\\.\\d+") || value.equals("true") || value.equals("false")) {
      return "(" + field + " = " + value + " || " + text + ")";
    }
    return text;
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** Splits logfmt into key/value pairs; a bare key is refused. */
  static List<String[]> parseLogfmt(String s) {
    List<String[]> pairs = new ArrayList<>();
    int i = 0;
    int n = s.length();
    while (true) {
      while (i < n && Character.isWhitespace(s.charAt(i))) i++;
      if (i >= n) return pairs;
      int keyStart = i;
      while (i < n && s.charAt(i) != '=' && !Character.isWhitespace(s.charAt(i))) i++;
      String key = s.substring(keyStart, i);
      if (i >= n || s.charAt(i) != '=' || key.isEmpty()) {
        throw new IllegalArgumentException("tags: \"" + s + "\" at " + (keyStart + 1) + ": \"" + key + "\" has no value (expected: key=value pairs separated by spaces)");
      }
      i++;
      StringBuilder value = new StringBuilder();
      if (i < n && s.charAt(i) == '"') {
        int quoteStart = i++;
        boolean closed = false;
        while (i < n) {
          char c = s.charAt(i++);
          if (c == '"') {
            closed = true;
            break;
          }
          if (c == '\\' && i < n) c = s.charAt(i++);
          value.append(c);
        }
        if (!closed) throw new IllegalArgumentException("tags: \"" + s + "\" at " + (quoteStart + 1) + ": unterminated quoted value");
      } else {
        while (i < n && !Character.isWhitespace(s.charAt(i))) value.append(s.charAt(i++));
      }
      pairs.add(new String[] {key, value.toString()});
    }
  }
}
