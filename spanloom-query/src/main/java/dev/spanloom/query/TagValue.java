package dev.spanloom.query;

import static java.util.Objects.requireNonNull;

/**
 * A value of a tag as Tempo's v2 tag-values API lists it: {@code type} is {@code string},
 * {@code int}, {@code float}, {@code bool}, {@code duration} or {@code keyword} (statuses and
 * kinds), {@code value} its text.
 */
public record TagValue(String type, String value) implements Comparable<TagValue> {
  public TagValue {
    requireNonNull(type, "type");
    requireNonNull(value, "value");
  }

  @Override
  public int compareTo(TagValue o) {
    int c = value.compareTo(o.value);
    return c != 0 ? c : type.compareTo(o.type);
  }
}
