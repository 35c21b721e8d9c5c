package dev.spanloom.model;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * All known spans of one trace, sorted by start time, with duplicates (the same span re-sent by
 * a client) removed. Every backend assembles traces through {@link #of} so that merging parts
 * from several places behaves the same everywhere.
 */
public record Trace(TraceId traceId, List<Span> spans) {
  private static final Comparator<Span> ORDER =
      Comparator.comparingLong(Span::startEpochNanos)
          .thenComparing(Span::spanId)
          .thenComparing(Span::kind);

  public Trace {
    requireNonNull(traceId, "traceId");
    spans = List.copyOf(spans);
  }

  /**
   * Merges spans of one trace. Two spans are the same span when ID, kind and start time agree
   * (Zipkin's shared client/server spans share an ID but differ in kind); the first seen wins.
   */
  public static Trace of(TraceId traceId, Iterable<Span> spans) {
    List<Span> sorted = new ArrayList<>();
    for (Span s : spans) sorted.add(s);
    sorted.sort(ORDER);
    // Sorted by start, span ID and kind, copies of one span are neighbours: no set needed.
    List<Span> unique = new ArrayList<>(sorted.size());
    Span previous = null;
    for (Span s : sorted) {
      if (previous == null || ORDER.compare(previous, s) != 0) unique.add(s);
      previous = s;
    }
    return new Trace(traceId, unique);
  }

  /** The earliest span without a parent, else the earliest span. */
  public Span rootSpan() {
    for (Span s : spans) {
      if (s.isRoot()) return s;
    }
    return spans.isEmpty() ? null : spans.get(0);
  }

  public long startEpochNanos() {
    return spans.isEmpty() ? 0 : spans.get(0).startEpochNanos();
  }

  public long endEpochNanos() {
    long end = 0;
    for (Span s : spans) end = Math.max(end, s.endEpochNanos());
    return end;
  }

  public long durationNanos() {
    return endEpochNanos() - startEpochNanos();
  }
}
