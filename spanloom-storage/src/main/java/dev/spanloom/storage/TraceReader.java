package dev.spanloom.storage;

import dev.spanloom.model.Trace;
import dev.spanloom.model.TraceId;
import java.util.List;
import java.util.Optional;

/** Reads what a {@link SpanWriter} stored. */
public interface TraceReader {
  /**
   * Every stored span of the trace, from every place the backend keeps them, merged and without
   * duplicates ({@link Trace#of}). No time range is needed.
   */
  Optional<Trace> findTrace(TraceId traceId);

  /** Traces with at least one span matching {@code request}, newest first, at most its limit. */
  List<TraceSummary> search(SearchRequest request);
}
