package dev.spanloom.pipeline.metrics;

import java.util.List;

/**
 * What span metrics know, typed, for Spanloom's own readers (SLOs, the RED API) that should not
 * parse metric names: every series kept now, cumulative since the series was created.
 */
public interface SpanMetricsView {
  /** Upper bounds of the duration histogram's buckets in nanoseconds, ascending, without +Inf. */
  long[] bucketBoundsNanos();

  /** A snapshot of every series kept now. */
  List<SpanSeries> series();
}
