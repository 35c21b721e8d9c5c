package dev.spanloom.server.slo;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as Prometheus writes them ({@code 30d}, {@code 6h}, {@code 5m}, {@code 1h30m}): SLO
 * windows are days long, which Go-style durations cannot say, and rule ranges need this form.
 */
final class PromDuration {
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");
  private static final long[] UNIT_MILLIS = {7 * 86_400_000L, 86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
  private static final String[] UNITS = {"w", "d", "h", "m", "s", "ms"};

  private PromDuration() {}

  /** The duration, or null when {@code text} is not of the form {@code 30d}, {@code 1h30m}. */
  static Duration parse(String text) {
    String t = text.trim();
    Matcher m = PART.matcher(t);
    int pos = 0;
    long millis = 0;
    while (pos < t.length()) {
      if (!m.find(pos) || m.start() != pos) return null;
      long n = Long.parseLong(m.group(1));
      long unit = switch (m.group(2)) {
        case "w" -> UNIT_MILLIS[0];
        case "d" -> UNIT_MILLIS[1];
        case "h" -> UNIT_MILLIS[2];
        case "m" -> UNIT_MILLIS[3];
        case "s" -> UNIT_MILLIS[4];
        default -> UNIT_MILLIS[5];
      };
      try {
        millis = Math.addExact(millis, Math.multiplyExact(n, unit));
      } catch (ArithmeticException e) {
        return null;
      }
      pos = m.end();
    }
    return pos == 0 ? null : Duration.ofMillis(millis);
  }

  /** The shortest Prometheus form: {@code 30d}, {@code 1h30m}, {@code 0s} for zero. */
  static String format(Duration d) {
    long millis = d.toMillis();
    if (millis == 0) return "0s";
    StringBuilder out = new StringBuilder();
    // Weeks are left out: 14d reads better than 2w in an SLO window.
    for (int i = 1; i < UNITS.length; i++) {
      long n = millis / UNIT_MILLIS[i];
      if (n > 0) {
        out.append(n).append(UNITS[i]);
        millis -= n * UNIT_MILLIS[i];
      }
    }
    return out.toString();
  }
}
