package dev.spanloom.model;

/**
 * The checks every receiver applies to a decoded span before accepting it, so that OTLP, Jaeger
 * and Zipkin refuse the same things with the same words.
 */
public final class SpanValidator {
  private SpanValidator() {}

  /** Why {@code span} cannot be stored, or null when it can. */
  public static String problem(Span span) {
    if (!span.traceId().isValid()) return "trace_id: all zero (expected: a non-zero 16-byte ID)";
    if (!span.spanId().isValid()) return "span_id: all zero (expected: a non-zero 8-byte ID)";
    if (span.startEpochNanos() <= 0) {
      return "start_time_unix_nano: " + span.startEpochNanos() + " (expected: > 0)";
    }
    if (span.endEpochNanos() < span.startEpochNanos()) {
      return "end_time_unix_nano: " + span.endEpochNanos()
          + " (expected: >= start_time_unix_nano " + span.startEpochNanos() + ")";
    }
    return null;
  }
}
