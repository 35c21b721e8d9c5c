package dev.spanloom.storage;

import static java.util.Objects.requireNonNull;

import dev.spanloom.model.TraceId;

/** One search hit: what a result list shows about a trace without loading it whole. */
public record TraceSummary(
    TraceId traceId,
    String rootServiceName,
    String rootSpanName,
    long startEpochNanos,
    long durationNanos,
    int spanCount,
    int matchedSpanCount) {
  public TraceSummary {
    requireNonNull(traceId, "traceId");
    requireNonNull(rootServiceName, "rootServiceName");
    requireNonNull(rootSpanName, "rootSpanName");
  }
}
