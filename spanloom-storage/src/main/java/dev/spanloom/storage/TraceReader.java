package dev.spanloom.storage;

import dev.spanloom.model.Trace;
import dev.spanloom.model.TraceId;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/** Reads what a {@link SpanWriter} stored. */
public interface TraceReader {
  /**
   * Every stored span of the trace, from every place the backend keeps them, merged and without
   * duplicates ({@link Trace#of}). No time range is needed.
   */
  Optional<Trace> findTrace(TraceId traceId);

  /** Traces with at least one span matching {@code request}, newest first, at most its limit. */
  List<TraceSummary> search(SearchRequest request);

  /**
   * Visits every stored trace that overlaps the scan's window and that its hints do not rule
   * out, whole and merged ({@link Trace#of}), in no promised order, until {@code visitor}
   * returns false. The query engine (TraceQL, tag values, dependencies) evaluates on top.
   */
  void scan(TraceScan scan, Predicate<Trace> visitor);

  /** The {@code service.name} of every stored span's resource, sorted, without duplicates. */
  List<String> serviceNames();

  /** The span names stored for a service with their kinds, sorted; empty for an unknown service. */
  List<SpanName> spanNames(String serviceName);
}
