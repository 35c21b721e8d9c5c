package dev.spanloom.pipeline.metrics;

import dev.spanloom.model.SpanId;
import dev.spanloom.model.TraceId;

/** A span that stands for its series: where a reader of the metric can jump to a trace. */
public record SpanExemplar(TraceId traceId, SpanId spanId, long durationNanos, long endEpochNanos) {}
