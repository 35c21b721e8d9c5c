package dev.spanloom.model;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * A typed attribute value as the OpenTelemetry data model has it: string, bool, int64, double,
 * bytes, arrays of values and key-value lists. Types are kept as received.
 */
public sealed interface AttributeValue {

  /** The value as a user would type it in a search: strings bare, others in their usual form. */
  String asString();

  static AttributeValue of(String value) {
    return new StringValue(value);
  }

  static AttributeValue of(boolean value) {
    return value ? BoolValue.TRUE : BoolValue.FALSE;
  }

  static AttributeValue of(long value) {
    return new LongValue(value);
  }

  static AttributeValue of(double value) {
    return new DoubleValue(value);
  }

  static AttributeValue of(byte[] value) {
    return new BytesValue(value.clone());
  }

  static AttributeValue ofArray(List<AttributeValue> values) {
    return new ArrayValue(List.copyOf(values));
  }

  record StringValue(String value) implements AttributeValue {
    public StringValue {
      requireNonNull(value, "value");
    }

    @Override
    public String asString() {
      return value;
    }
  }

  record BoolValue(boolean value) implements AttributeValue {
    static final BoolValue TRUE = new BoolValue(true);
    static final BoolValue FALSE = new BoolValue(false);

    @Override
    public String asString() {
      return Boolean.toString(value);
    }
  }

  record LongValue(long value) implements AttributeValue {
    @Override
    public String asString() {
      return Long.toString(value);
    }
  }

  record DoubleValue(double value) implements AttributeValue {
    @Override
    public String asString() {
      return Double.toString(value);
    }
  }

  /** Bytes; the array is owned by the value and never handed out. */
  record BytesValue(byte[] value) implements AttributeValue {
    public BytesValue {
      requireNonNull(value, "value");
    }

    public byte[] toByteArray() {
      return value.clone();
    }

    @Override
    public byte[] value() {
      return value.clone();
    }

    @Override
    public String asString() {
      return Base64.getEncoder().encodeToString(value);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof BytesValue b && Arrays.equals(value, b.value);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return "BytesValue[" + asString() + "]";
    }
  }

  record ArrayValue(List<AttributeValue> values) implements AttributeValue {
    public ArrayValue {
      values = List.copyOf(values);
    }

    @Override
    public String asString() {
      StringBuilder sb = new StringBuilder("[");
      for (int i = 0; i < values.size(); i++) {
        if (i > 0) sb.append(',');
        sb.append(values.get(i).asString());
      }
      return sb.append(']').toString();
    }
  }

  /** OTLP's {@code kvlist_value}: a nested map, kept for an exact round trip. */
  record KeyValueList(Attributes values) implements AttributeValue {
    public KeyValueList {
      requireNonNull(values, "values");
    }

    @Override
    public String asString() {
      return values.toString();
    }
  }
}
