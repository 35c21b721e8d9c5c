package dev.spanloom.storage;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * What a query engine will look at, so a backend can skip data that cannot matter. The time
 * window is a filter (traces that do not overlap it are not visited; with {@code
 * startsInWindow}, traces that do not start in it); the rest are hints: a
 * backend may use them to skip blocks, row groups or traces that surely do not satisfy them, and
 * may ignore them. Zero and empty mean "no hint".
 *
 * @param startEpochNanos visit only traces ending at or after this time
 * @param endEpochNanos visit only traces starting at or before this time
 * @param serviceNames the trace must have a span of one of these services
 * @param spanNames the trace must have a span with one of these names
 * @param minSpanDurationNanos the trace must have a span at least this long
 * @param startsInWindow a filter: visit only traces whose start lies in the window (both ends
 *     inclusive, 0 = open), not every trace overlapping it. A backend that keeps a margin around
 *     the window for traces split across its storage needs none before the window then: such a
 *     trace's earliest part overlaps the window.
 * @param attributeEqualities the trace must have, for each, a span satisfying it
 */
public record TraceScan(
    long startEpochNanos,
    long endEpochNanos,
    Set<String> serviceNames,
    Set<String> spanNames,
    long minSpanDurationNanos,
    boolean startsInWindow,
    Set<AttributeEquality> attributeEqualities) {
  public static final TraceScan ALL = new TraceScan(0, 0, Set.of(), Set.of(), 0, false);

  public TraceScan {
    serviceNames = Set.copyOf(requireNonNull(serviceNames, "serviceNames"));
    spanNames = Set.copyOf(requireNonNull(spanNames, "spanNames"));
    attributeEqualities = Set.copyOf(requireNonNull(attributeEqualities, "attributeEqualities"));
  }

  /** A scan without attribute equalities. */
  public TraceScan(long startEpochNanos, long endEpochNanos, Set<String> serviceNames, Set<String> spanNames,
      long minSpanDurationNanos, boolean startsInWindow) {
    this(startEpochNanos, endEpochNanos, serviceNames, spanNames, minSpanDurationNanos, startsInWindow, Set.of());
  }

  public static TraceScan window(long startEpochNanos, long endEpochNanos) {
    return new TraceScan(startEpochNanos, endEpochNanos, Set.of(), Set.of(), 0, false);
  }

  /** This scan with {@code startsInWindow} set as given. */
  public TraceScan withStartsInWindow(boolean value) {
    return new TraceScan(startEpochNanos, endEpochNanos, serviceNames, spanNames, minSpanDurationNanos, value,
        attributeEqualities);
  }

  /** True when the trace's time range overlaps the window (both ends inclusive, 0 = open). */
  public boolean overlaps(long traceStartNanos, long traceEndNanos) {
    return (startEpochNanos == 0 || traceEndNanos >= startEpochNanos)
        && (endEpochNanos == 0 || traceStartNanos <= endEpochNanos);
  }

  /** True when the time lies in the window (both ends inclusive, 0 = open). */
  public boolean contains(long epochNanos) {
    return (startEpochNanos == 0 || epochNanos >= startEpochNanos)
        && (endEpochNanos == 0 || epochNanos <= endEpochNanos);
  }

  /**
   * True when a trace with this time range passes the window filter: it starts in the window
   * when {@code startsInWindow}, else it overlaps it.
   */
  public boolean passesWindow(long traceStartNanos, long traceEndNanos) {
    return startsInWindow ? contains(traceStartNanos) : overlaps(traceStartNanos, traceEndNanos);
  }
}
