package dev.spanloom.storage;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * What a query engine will look at, so a backend can skip data that cannot matter. The time
 * window is a filter (traces that do not overlap it are not visited); the rest are hints: a
 * backend may use them to skip blocks, row groups or traces that surely do not satisfy them, and
 * may ignore them. Zero and empty mean "no hint".
 *
 * @param startEpochNanos visit only traces ending at or after this time
 * @param endEpochNanos visit only traces starting at or before this time
 * @param serviceNames the trace must have a span of one of these services
 * @param spanNames the trace must have a span with one of these names
 * @param minSpanDurationNanos the trace must have a span at least this long
 */
public record TraceScan(
    long startEpochNanos,
    long endEpochNanos,
    Set<String> serviceNames,
    Set<String> spanNames,
    long minSpanDurationNanos) {
  public static final TraceScan ALL = new TraceScan(0, 0, Set.of(), Set.of(), 0);

  public TraceScan {
    serviceNames = Set.copyOf(requireNonNull(serviceNames, "serviceNames"));
    spanNames = Set.copyOf(requireNonNull(spanNames, "spanNames"));
  }

  public static TraceScan window(long startEpochNanos, long endEpochNanos) {
    return new TraceScan(startEpochNanos, endEpochNanos, Set.of(), Set.of(), 0);
  }

  /** True when the trace's time range overlaps the window (both ends inclusive, 0 = open). */
  public boolean overlaps(long traceStartNanos, long traceEndNanos) {
    return (startEpochNanos == 0 || traceEndNanos >= startEpochNanos)
        && (endEpochNanos == 0 || traceStartNanos <= endEpochNanos);
  }
}
