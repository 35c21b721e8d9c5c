package dev.spanloom.storage;

import static java.util.Objects.requireNonNull;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Attributes;
import dev.spanloom.model.Span;

/**
 * A {@link TraceScan} hint: the trace has a span whose attribute {@code key} (of the span, of its
 * resource, or either) equals {@code value}, as TraceQL's {@code span.k = v}, {@code resource.k =
 * v} and {@code .k = v}. Only strings, integers and booleans; an integer also matches a
 * floating-point attribute of the same (integral) value, and any value matches an array holding
 * it, as TraceQL compares them.
 *
 * @param scope where the attribute is looked for
 * @param key the attribute key
 * @param value a {@link AttributeValue.StringValue}, {@link AttributeValue.LongValue} (of
 *     magnitude below 2<sup>53</sup>, so that it compares with doubles exactly) or {@link
 *     AttributeValue.BoolValue}
 */
public record AttributeEquality(Scope scope, String key, AttributeValue value) {
  /** Integers of this magnitude or more are refused: as doubles they would equal their neighbours. */
  public static final long MAX_EXACT_INTEGER = 1L << 53;

  /** Where the attribute is looked for. */
  public enum Scope {
    SPAN, RESOURCE, SPAN_OR_RESOURCE
  }

  public AttributeEquality {
    requireNonNull(scope, "scope");
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    if (!isSupported(value)) {
      throw new IllegalArgumentException(
          "value: " + value + " (expected: a string, a bool or an integer of magnitude below 2^53)");
    }
  }

  /** True for the values an equality may hold. */
  public static boolean isSupported(AttributeValue value) {
    return value instanceof AttributeValue.StringValue || value instanceof AttributeValue.BoolValue
        || value instanceof AttributeValue.LongValue l
            && l.value() > -MAX_EXACT_INTEGER && l.value() < MAX_EXACT_INTEGER;
  }

  /** True when the span has the attribute with this value in the scope (either, for unscoped). */
  public boolean isSatisfiedBy(Span span) {
    return switch (scope) {
      case SPAN -> matches(span.attributes());
      case RESOURCE -> matches(span.resource().attributes());
      case SPAN_OR_RESOURCE -> matches(span.attributes()) || matches(span.resource().attributes());
    };
  }

  private boolean matches(Attributes attributes) {
    return equalsValue(attributes.get(key));
  }

  private boolean equalsValue(AttributeValue stored) {
    if (stored == null) return false;
    if (stored instanceof AttributeValue.ArrayValue a) {
      for (AttributeValue e : a.values()) {
        if (!(e instanceof AttributeValue.ArrayValue) && equalsValue(e)) return true;
      }
      return false;
    }
    if (value instanceof AttributeValue.LongValue l && stored instanceof AttributeValue.DoubleValue d) {
      return d.value() == (double) l.value();
    }
    return value.equals(stored);
  }
}
