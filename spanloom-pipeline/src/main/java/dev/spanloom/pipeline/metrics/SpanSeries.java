package dev.spanloom.pipeline.metrics;

import dev.spanloom.model.SpanKind;
import dev.spanloom.model.StatusCode;

/**
 * One span-metrics series: the spans of one service, span name, kind and status code (summed
 * over any further configured dimensions), cumulative since {@code createdEpochNanos}.
 *
 * @param exemplars recent spans of the series, newest last; may be empty
 * @param bucketCounts spans per duration bucket, not cumulative; one more than the view's bounds
 *     (the last is +Inf)
 */
public record SpanSeries(
    String service,
    String spanName,
    SpanKind kind,
    StatusCode status,
    long calls,
    long[] bucketCounts,
    double durationSumNanos,
    long createdEpochNanos,
    java.util.List<SpanExemplar> exemplars) {}
