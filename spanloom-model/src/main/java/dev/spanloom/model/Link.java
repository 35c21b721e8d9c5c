package dev.spanloom.model;

import static java.util.Objects.requireNonNull;

/** A reference from a span to a span of the same or another trace. */
public record Link(
    TraceId traceId,
    SpanId spanId,
    String traceState,
    Attributes attributes,
    int droppedAttributesCount,
    int flags) {
  public Link {
    requireNonNull(traceId, "traceId");
    requireNonNull(spanId, "spanId");
    requireNonNull(traceState, "traceState");
    requireNonNull(attributes, "attributes");
  }

  public static Link of(TraceId traceId, SpanId spanId, Attributes attributes) {
    return new Link(traceId, spanId, "", attributes, 0, 0);
  }
}
