package dev.spanloom.model;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * An immutable, ordered set of attributes with unique keys. Held as two parallel arrays: spans
 * carry a handful of attributes, where a scan beats a hash map in time and memory.
 */
public final class Attributes {
  public static final Attributes EMPTY = new Attributes(new String[0], new AttributeValue[0]);

  private final String[] keys;
  private final AttributeValue[] values;
  private int hash; // 0 until computed; resources and scopes are dictionary keys on hot paths

  private Attributes(String[] keys, AttributeValue[] values) {
    this.keys = keys;
    this.values = values;
  }

  /**
   * Wraps the arrays as they are, for decoders of Spanloom's own formats, whose keys were unique
   * when an {@link Attributes} wrote them: the duplicate search of {@link Builder#put} is half
   * the cost of reading stored spans. The result owns the arrays; the caller must not touch them.
   */
  public static Attributes ofUniqueKeys(String[] keys, AttributeValue[] values) {
    if (keys.length != values.length) {
      throw new IllegalArgumentException("keys: " + keys.length + " (expected: as many as values, " + values.length + ")");
    }
    return keys.length == 0 ? EMPTY : new Attributes(keys, values);
  }

  public static Builder builder() {
    return new Builder();
  }

  public static Attributes of(String key, AttributeValue value) {
    return builder().put(key, value).build();
  }

  public int size() {
    return keys.length;
  }

  public boolean isEmpty() {
    return keys.length == 0;
  }

  public String key(int index) {
    return keys[index];
  }

  public AttributeValue value(int index) {
    return values[index];
  }

  /** The value under {@code key}, or null. */
  public AttributeValue get(String key) {
    for (int i = 0; i < keys.length; i++) {
      if (keys[i].equals(key)) return values[i];
    }
    return null;
  }

  /** The string value under {@code key}, or null when absent or not a string. */
  public String getString(String key) {
    return get(key) instanceof AttributeValue.StringValue s ? s.value() : null;
  }

  public void forEach(BiConsumer<String, AttributeValue> action) {
    for (int i = 0; i < keys.length; i++) action.accept(keys[i], values[i]);
  }

  public Map<String, AttributeValue> asMap() {
    Map<String, AttributeValue> m = new LinkedHashMap<>();
    forEach(m::put);
    return m;
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    forEach(b::put);
    return b;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true; // spans of one batch share their resource's attributes
    return o instanceof Attributes a && hashCode() == a.hashCode()
        && Arrays.equals(keys, a.keys) && Arrays.equals(values, a.values);
  }

  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0) hash = h = 31 * Arrays.hashCode(keys) + Arrays.hashCode(values);
    return h;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < keys.length; i++) {
      if (i > 0) sb.append(", ");
      sb.append(keys[i]).append('=').append(values[i].asString());
    }
    return sb.append('}').toString();
  }

  /** Collects attributes; a repeated key replaces the earlier value in place. */
  public static final class Builder {
    private final List<String> keys = new ArrayList<>();
    private final List<AttributeValue> values = new ArrayList<>();

    private Builder() {}

    public Builder put(String key, AttributeValue value) {
      requireNonNull(key, "key");
      requireNonNull(value, "value");
      int i = keys.indexOf(key);
      if (i >= 0) {
        values.set(i, value);
      } else {
        keys.add(key);
        values.add(value);
      }
      return this;
    }

    public Builder put(String key, String value) {
      return put(key, AttributeValue.of(value));
    }

    public Builder put(String key, long value) {
      return put(key, AttributeValue.of(value));
    }

    public Builder put(String key, double value) {
      return put(key, AttributeValue.of(value));
    }

    public Builder put(String key, boolean value) {
      return put(key, AttributeValue.of(value));
    }

    public Builder remove(String key) {
      int i = keys.indexOf(key);
      if (i >= 0) {
        keys.remove(i);
        values.remove(i);
      }
      return this;
    }

    public Attributes build() {
      if (keys.isEmpty()) return EMPTY;
      return new Attributes(keys.toArray(new String[0]), values.toArray(new AttributeValue[0]));
    }
  }
}
