package dev.spanloom.model;

import static java.util.Objects.requireNonNull;

/** Something that happened during a span, at a point in time (epoch nanoseconds). */
public record Event(String name, long epochNanos, Attributes attributes, int droppedAttributesCount) {
  public Event {
    requireNonNull(name, "name");
    requireNonNull(attributes, "attributes");
  }

  public static Event of(String name, long epochNanos, Attributes attributes) {
    return new Event(name, epochNanos, attributes, 0);
  }
}
