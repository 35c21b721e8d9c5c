package dev.spanloom.server.api;

import static java.util.Objects.requireNonNull;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Event;
import dev.spanloom.model.Span;
import dev.spanloom.model.Trace;
import dev.spanloom.receivers.jaeger.JaegerTranslator;
import dev.spanloom.storage.TraceScan;
import java.util.Map;
import java.util.Set;

/**
 * A Jaeger trace search, shared by the JSON API ({@code /api/traces}) and api_v3: a trace
 * matches when one span of it has the service, the operation, a start inside the window, a
 * duration inside the bounds and every tag, where a tag may be on the span (in Jaeger's view,
 * so {@code error}, {@code span.kind} and {@code otel.status_code} work), on its process or in
 * one of its logs, compared as text — as Jaeger's own stores search.
 *
 * @param startEpochNanos window start, 0 for open
 * @param endEpochNanos window end, 0 for open
 * @param minDurationNanos 0 for none
 * @param maxDurationNanos 0 for none
 */
record JaegerQuery(
    String service,
    String operation,
    Map<String, String> tags,
    long startEpochNanos,
    long endEpochNanos,
    long minDurationNanos,
    long maxDurationNanos,
    int limit) {
  JaegerQuery {
    requireNonNull(service, "service");
    requireNonNull(operation, "operation");
    tags = Map.copyOf(tags);
  }

  TraceScan scan() {
    return new TraceScan(startEpochNanos, endEpochNanos, service.isEmpty() ? Set.of() : Set.of(service),
        operation.isEmpty() ? Set.of() : Set.of(operation), minDurationNanos, false);
  }

  boolean matches(Trace trace) {
    for (Span span : trace.spans()) {
      if (matches(span)) return true;
    }
    return false;
  }

  boolean matches(Span span) {
    if (!service.isEmpty() && !service.equals(span.serviceName())) return false;
    if (!operation.isEmpty() && !operation.equals(span.name())) return false;
    if (startEpochNanos != 0 && span.startEpochNanos() < startEpochNanos) return false;
    if (endEpochNanos != 0 && span.startEpochNanos() > endEpochNanos) return false;
    long duration = span.durationNanos();
    if (minDurationNanos != 0 && duration < minDurationNanos) return false;
    if (maxDurationNanos != 0 && duration > maxDurationNanos) return false;
    if (tags.isEmpty()) return true;
    Map<String, AttributeValue> spanTags = JaegerTranslator.spanTags(span);
    for (Map.Entry<String, String> tag : tags.entrySet()) {
      if (!hasTag(span, spanTags, tag.getKey(), tag.getValue())) return false;
    }
    return true;
  }

  private static boolean hasTag(Span span, Map<String, AttributeValue> spanTags, String key, String value) {
    if (equal(spanTags.get(key), value)) return true;
    if (equal(span.resource().attributes().get(key), value)) return true;
    for (Event e : span.events()) {
      if (key.equals("event") && e.name().equals(value)) return true;
      if (equal(e.attributes().get(key), value)) return true;
    }
    return false;
  }

  private static boolean equal(AttributeValue v, String text) {
    return v != null && JaegerTranslator.tagText(v).equals(text);
  }
}
