package dev.spanloom.server.api;

import dev.spanloom.model.Trace;
import dev.spanloom.storage.TraceReader;
import dev.spanloom.storage.TraceScan;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Predicate;

/**
 * The newest traces of a scan that pass a test: how the Jaeger and Zipkin searches run, since
 * their conditions (tags on spans, process tags or logs; Zipkin's annotation queries, remote
 * services, error tags) are richer than {@code SearchRequest}. The scan's hints let a backend
 * skip what cannot match; only {@code limit} traces are held at a time.
 */
final class NewestTraces {
  /** Latest start first; equal starts by ascending trace ID, as {@code SpanMatcher.NEWEST_FIRST}. */
  static final Comparator<Trace> NEWEST_FIRST =
      Comparator.comparingLong(Trace::startEpochNanos).reversed().thenComparing(Trace::traceId);

  private NewestTraces() {}

  static List<Trace> find(TraceReader reader, TraceScan scan, Predicate<Trace> test, int limit) {
    // A heap of the kept traces with the oldest on top, so a newer hit replaces it.
    PriorityQueue<Trace> kept = new PriorityQueue<>(NEWEST_FIRST.reversed());
    reader.scan(scan, trace -> {
      if (trace.spans().isEmpty() || !test.test(trace)) return true;
      kept.add(trace);
      if (kept.size() > limit) kept.poll();
      return true;
    });
    List<Trace> result = new ArrayList<>(kept);
    result.sort(NEWEST_FIRST);
    return result;
  }
}
