package dev.spanloom.server.api;

/**
 * Durations as Go's {@code time.ParseDuration} reads them, which is what Jaeger's parameters
 * take: a sequence of decimal numbers with units {@code ns}, {@code us}/{@code µs}, {@code ms},
 * {@code s}, {@code m}, {@code h} — {@code 100ms}, {@code 1.5s}, {@code 1h30m}.
 */
final class GoDuration {
  private GoDuration() {}

  /** Nanoseconds; throws IllegalArgumentException naming {@code param} and the expected form. */
  static long parseNanos(String param, String text) {
    String s = text.trim();
    if (s.isEmpty() || s.equals("0")) {
      if (s.equals("0")) return 0;
      throw bad(param, text);
    }
    double total = 0;
    int i = 0;
    while (i < s.length()) {
      int start = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) i++;
      if (start == i) throw bad(param, text);
      double number;
      try {
        number = Double.parseDouble(s.substring(start, i));
      } catch (NumberFormatException e) {
        throw bad(param, text);
      }
      int unitStart = i;
      while (i < s.length() && !(Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) i++;
      total += number * unitNanos(s.substring(unitStart, i), param, text);
    }
    return (long) total;
  }

  private static double unitNanos(String unit, String param, String text) {
    switch (unit) {
      case "ns": return 1;
      case "us": case "µs": case "μs": return 1e3;
      case "ms": return 1e6;
      case "s": return 1e9;
      case "m": return 60e9;
      case "h": return 3600e9;
      default: throw bad(param, text);
    }
  }

  private static IllegalArgumentException bad(String param, String text) {
    return new IllegalArgumentException(param + ": \"" + text
        + "\" (expected: a duration such as 100ms, 1.5s, 300us or 1h30m)");
  }
}
