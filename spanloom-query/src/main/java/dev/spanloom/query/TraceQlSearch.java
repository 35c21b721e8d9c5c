package dev.spanloom.query;

import static java.util.Objects.requireNonNull;

import dev.spanloom.model.Span;
import dev.spanloom.model.Trace;
import dev.spanloom.model.TraceId;
import dev.spanloom.storage.TraceReader;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs TraceQL over a {@link TraceReader}: plans the query ({@link ScanPlanner}), scans, evaluates
 * and keeps the newest {@code limit} matches.
 *
 * <p><b>Newest first with a limit.</b> {@link TraceReader#scan} promises no order, so a single scan
 * would have to evaluate every candidate before it knew the newest. Instead the newest 5 minutes
 * are scanned first, then the rest of the window. A pass evaluates only the traces that
 * <em>start</em> inside its slice, so each trace is evaluated once. After the first pass, every
 * unvisited trace starts before the slice, so it is older than everything found: once {@code
 * limit} matches are in hand the search stops. A bounded heap keeps the newest matches, and a
 * trace older than the heap's oldest is skipped without evaluation.
 *
 * <p>Only two passes: a storage engine reads some margin around a slice (the local engine an hour,
 * for traces split across blocks), so each further slice re-read data; at 10 million spans four
 * growing slices read the data 2.5 times for a query that matched nothing. The first pass asks
 * for traces starting in its slice ({@link dev.spanloom.storage.TraceScan#startsInWindow}), for
 * which the local engine needs no margin before the slice.
 *
 * <p>Thread-safe; one instance serves all requests.
 */
public final class TraceQlSearch {
  /** The order of results: latest start first, ties by ascending trace ID (as {@code SpanMatcher.NEWEST_FIRST}). */
  public static final Comparator<Trace> NEWEST_FIRST =
      Comparator.comparingLong(Trace::startEpochNanos).reversed().thenComparing(Trace::traceId);

  static final long FIRST_SLICE_NANOS = TimeUnit.MINUTES.toNanos(5);

  private final TraceReader reader;
  private final Clock clock;

  public TraceQlSearch(TraceReader reader) {
    this(reader, Clock.systemUTC());
  }

  public TraceQlSearch(TraceReader reader, Clock clock) {
    this.reader = requireNonNull(reader, "reader");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * A search: the query, the window (epoch nanoseconds, 0 = open; a trace is in it when it
   * overlaps it) and the most traces to return.
   */
  public record Request(TraceQlQuery query, long startEpochNanos, long endEpochNanos, int limit) {
    public Request {
      requireNonNull(query, "query");
      if (limit <= 0) throw new IllegalArgumentException("limit: " + limit + " (expected: > 0)");
      if (startEpochNanos < 0 || endEpochNanos < 0) {
        throw new IllegalArgumentException("window: " + startEpochNanos + ".." + endEpochNanos + " (expected: >= 0)");
      }
      if (endEpochNanos != 0 && startEpochNanos > endEpochNanos) {
        throw new IllegalArgumentException("start: " + startEpochNanos + " (expected: <= end " + endEpochNanos + ")");
      }
    }
  }

  public SearchResult search(Request request) {
    requireNonNull(request, "request");
    ScanPlanner.Plan plan = ScanPlanner.plan(request.query(), reader);
    if (plan.impossible()) return new SearchResult(List.of(), 0, 0, 0);
    TraceQlEvaluator evaluator = TraceQlEvaluator.of(request.query());
    Collector collector = new Collector(evaluator, request.limit());

    long start = request.startEpochNanos();
    long end = request.endEpochNanos();
    long anchor = end != 0 ? end : nowEpochNanos();
    long sliceEnd = end; // 0 = open: the first slice also takes traces from the future
    int scans = 0;
    long sliceStart = anchor - FIRST_SLICE_NANOS;
    if (sliceStart > start && sliceStart > 0) {
      collector.range(sliceStart, sliceEnd);
      // The collector takes only traces starting in the slice: so may the scan, which spares a
      // storage engine its margin before the slice.
      reader.scan(plan.scan(sliceStart, sliceEnd).withStartsInWindow(true), collector::visit);
      scans++;
      if (collector.full()) return collector.result(scans);
      sliceEnd = sliceStart - 1;
    }
    // The rest of the window: traces starting before the first slice (or anywhere, when it did not run).
    collector.range(Long.MIN_VALUE, sliceEnd);
    reader.scan(plan.scan(start, sliceEnd), collector::visit);
    scans++;
    return collector.result(scans);
  }

  private long nowEpochNanos() {
    java.time.Instant now = clock.instant();
    return TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
  }

  /** Keeps the newest {@code limit} matches of the traces starting in the current slice. */
  private static final class Collector {
    private final TraceQlEvaluator evaluator;
    private final int limit;
    // The oldest kept match at the head, so that it is the one a newer match replaces.
    private final PriorityQueue<TraceMatch> newest;
    private long from;
    private long to;
    private long inspectedTraces;
    private long inspectedBytes;

    Collector(TraceQlEvaluator evaluator, int limit) {
      this.evaluator = evaluator;
      this.limit = limit;
      this.newest = new PriorityQueue<>(Comparator.comparing(TraceMatch::trace, NEWEST_FIRST).reversed());
    }

    void range(long fromEpochNanos, long toEpochNanos) {
      from = fromEpochNanos;
      to = toEpochNanos == 0 ? Long.MAX_VALUE : toEpochNanos;
    }

    boolean visit(Trace trace) {
      long traceStart = trace.startEpochNanos();
      if (trace.spans().isEmpty() || traceStart < from || traceStart > to) return true;
      if (newest.size() == limit && NEWEST_FIRST.compare(trace, newest.peek().trace()) >= 0) return true;
      inspectedTraces++;
      for (Span s : trace.spans()) inspectedBytes += s.estimatedSizeBytes();
      List<Spanset> spansets = evaluator.evaluate(trace);
      if (spansets.isEmpty() || contains(trace.traceId())) return true;
      newest.add(new TraceMatch(trace, spansets));
      if (newest.size() > limit) newest.poll();
      return true;
    }

    private boolean contains(TraceId id) {
      for (TraceMatch m : newest) {
        if (m.trace().traceId().equals(id)) return true;
      }
      return false;
    }

    boolean full() {
      return newest.size() >= limit;
    }

    SearchResult result(int scans) {
      List<TraceMatch> sorted = new ArrayList<>(newest);
      sorted.sort(Comparator.comparing(TraceMatch::trace, NEWEST_FIRST));
      return new SearchResult(sorted, inspectedTraces, inspectedBytes, scans);
    }
  }

  @Override
  public String toString() {
    return "TraceQlSearch{reader=" + reader + "}";
  }
}
