package dev.spanloom.query;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.StatusCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * TraceQL values at run time: String, Long, Double, Boolean, {@link Duration}, StatusCode,
 * SpanKind, {@link Multi} (one value per event or link, or an array attribute's elements), and
 * null for nil. Comparisons between unlike types are false, as in Tempo, except that integers,
 * floats and durations compare as numbers.
 */
final class Values {
  private Values() {}

  /** A duration in nanoseconds; a type of its own so that results print as durations. */
  record Duration(long nanos) {
    @Override
    public String toString() {
      return format(nanos);
    }
  }

  /**
   * Several values of one field on one span. {@code array} tells an array attribute (where
   * {@code !=} and {@code !~} mean "no element") from values of several events or links (where
   * every operator asks for "some event").
   */
  record Multi(List<Object> values, boolean array) {}

  /** A value TraceQL can test for existence but not compare: bytes and key-value lists. */
  record Opaque(String text) {
    @Override
    public String toString() {
      return text;
    }
  }

  /** The TraceQL value of an attribute, null for none; bytes and key-value lists are {@link Opaque}. */
  static Object of(AttributeValue v) {
    if (v instanceof AttributeValue.StringValue s) return s.value();
    if (v instanceof AttributeValue.LongValue l) return l.value();
    if (v instanceof AttributeValue.DoubleValue d) return d.value();
    if (v instanceof AttributeValue.BoolValue b) return b.value();
    if (v instanceof AttributeValue.ArrayValue a) {
      List<Object> values = new ArrayList<>(a.values().size());
      for (AttributeValue e : a.values()) {
        Object o = of(e);
        if (o != null) values.add(o);
      }
      return new Multi(values, true);
    }
    return v == null ? null : new Opaque(v.asString());
  }

  static boolean isNumber(Object o) {
    return o instanceof Long || o instanceof Double || o instanceof Duration;
  }

  static double toDouble(Object o) {
    if (o instanceof Long l) return l;
    if (o instanceof Double d) return d;
    return ((Duration) o).nanos();
  }

  /**
   * {@code a op b} for two single values, false when either is nil or the types do not compare.
   * Strings order lexicographically; status and kind only compare for (in)equality.
   */
  static boolean compare(Object a, FieldExpression.Op op, Object b) {
    if (a == null || b == null) return false;
    int c;
    if (isNumber(a) && isNumber(b)) {
      if (a instanceof Double || b instanceof Double) {
        c = Double.compare(toDouble(a), toDouble(b));
      } else {
        c = Long.compare(a instanceof Long l ? l : ((Duration) a).nanos(), b instanceof Long l2 ? l2 : ((Duration) b).nanos());
      }
    } else if (a instanceof String s && b instanceof String t) {
      c = s.compareTo(t);
    } else if (a instanceof Boolean x && b instanceof Boolean y) {
      if (op != FieldExpression.Op.EQ && op != FieldExpression.Op.NEQ) return false;
      c = x.equals(y) ? 0 : 1;
    } else if ((a instanceof StatusCode || a instanceof SpanKind) && a.getClass() == b.getClass()) {
      if (op != FieldExpression.Op.EQ && op != FieldExpression.Op.NEQ) return false;
      c = a == b ? 0 : 1;
    } else {
      return false;
    }
    return switch (op) {
      case EQ -> c == 0;
      case NEQ -> c != 0;
      case GT -> c > 0;
      case GTE -> c >= 0;
      case LT -> c < 0;
      case LTE -> c <= 0;
      default -> throw new IllegalArgumentException("not a comparison: " + op);
    };
  }

  /** The value as Tempo prints it in a string: statuses and kinds lower case, durations Go-style. */
  static String asString(Object v) {
    if (v == null) return "nil";
    if (v instanceof StatusCode s) return s.name().toLowerCase(Locale.ROOT);
    if (v instanceof SpanKind k) return k.name().toLowerCase(Locale.ROOT);
    return v.toString();
  }

  /** Go's {@code time.Duration.String()}: 1.5s, 250ms, 2m30s, 1h0m0s. */
  static String format(long nanos) {
    if (nanos == 0) return "0s";
    StringBuilder sb = new StringBuilder();
    if (nanos < 0) {
      sb.append('-');
      nanos = -nanos;
    }
    if (nanos < 1_000) return sb.append(nanos).append("ns").toString();
    if (nanos < 1_000_000) return sb.append(trim(nanos / 1e3)).append("µs").toString();
    if (nanos < 1_000_000_000) return sb.append(trim(nanos / 1e6)).append("ms").toString();
    long h = nanos / 3_600_000_000_000L;
    long m = nanos / 60_000_000_000L % 60;
    double s = (nanos % 60_000_000_000L) / 1e9;
    if (h > 0) sb.append(h).append('h');
    if (h > 0 || m > 0) sb.append(m).append('m');
    return sb.append(trim(s)).append('s').toString();
  }

  private static String trim(double d) {
    String s = java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    return s;
  }

  /** Parses a Go duration as the lexer accepted it ({@code 1h30m}, {@code 1.5s}, {@code 250µs}). */
  static long parseDuration(String text) {
    double total = 0;
    int i = 0;
    while (i < text.length()) {
      int start = i;
      while (i < text.length() && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '.')) i++;
      double number = Double.parseDouble(text.substring(start, i));
      int unitStart = i;
      while (i < text.length() && !Character.isDigit(text.charAt(i))) i++;
      String unit = text.substring(unitStart, i);
      total += number * switch (unit) {
        case "ns" -> 1d;
        case "us", "µs" -> 1e3;
        case "ms" -> 1e6;
        case "s" -> 1e9;
        case "m" -> 60e9;
        case "h" -> 3600e9;
        default -> throw new IllegalArgumentException("unit: " + unit);
      };
    }
    return Math.round(total);
  }
}
