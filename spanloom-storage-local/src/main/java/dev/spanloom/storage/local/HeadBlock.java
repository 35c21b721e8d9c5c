package dev.spanloom.storage.local;

import dev.spanloom.model.Span;
import dev.spanloom.model.Trace;
import dev.spanloom.model.TraceId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The most recent spans, in memory, grouped by trace: written by one writer at a time (under the
 * storage's append lock), read concurrently. Its size is the sum of {@link
 * Span#estimatedSizeBytes()}; once over the limit or too old it is cut into a {@link Block}, after
 * which it is read-only until the block is durable.
 */
final class HeadBlock {
  private final ConcurrentHashMap<TraceId, Part> traces = new ConcurrentHashMap<>();
  private final SpanNameCatalog names = new SpanNameCatalog();
  private volatile long bytes;
  private volatile long spanCount;
  private volatile long firstWriteMillis; // 0 while empty

  /** Adds spans; callers serialize calls (the storage's append lock). */
  void add(List<Span> spans, long nowMillis) {
    if (spans.isEmpty()) return;
    if (firstWriteMillis == 0) firstWriteMillis = Math.max(1, nowMillis);
    long added = 0;
    // Most batches carry a few traces: group first so each part is locked once.
    Map<TraceId, List<Span>> byTrace = new LinkedHashMap<>();
    for (Span s : spans) {
      byTrace.computeIfAbsent(s.traceId(), id -> new ArrayList<>()).add(s);
      added += s.estimatedSizeBytes();
      names.add(s);
    }
    for (Map.Entry<TraceId, List<Span>> e : byTrace.entrySet()) {
      traces.computeIfAbsent(e.getKey(), id -> new Part()).add(e.getValue());
    }
    bytes += added;
    spanCount += spans.size();
  }

  /** The spans of {@code traceId} held here, as written (unmerged); empty when none. */
  List<Span> get(TraceId traceId) {
    Part p = traces.get(traceId);
    return p == null ? List.of() : p.snapshot();
  }

  /** Visits every trace part; parts written meanwhile may or may not be seen. */
  void forEach(BiConsumer<TraceId, List<Span>> action) {
    traces.forEach((id, part) -> action.accept(id, part.snapshot()));
  }

  /** The traces in ascending trace-ID order, each merged and deduplicated, for a block cut. */
  List<Trace> sortedTraces() {
    List<TraceId> ids = new ArrayList<>(traces.keySet());
    ids.sort(null);
    List<Trace> out = new ArrayList<>(ids.size());
    for (TraceId id : ids) out.add(Trace.of(id, traces.get(id).snapshot()));
    return out;
  }

  /** The (service, span name, kind) triples of the spans added so far. */
  SpanNameCatalog names() {
    return names;
  }

  boolean isEmpty() {
    return spanCount == 0;
  }

  long bytes() {
    return bytes;
  }

  long spanCount() {
    return spanCount;
  }

  int traceCount() {
    return traces.size();
  }

  /** When the first span arrived ({@code Clock.millis()}), 0 while empty. */
  long firstWriteMillis() {
    return firstWriteMillis;
  }

  /** The spans of one trace; appends and snapshots synchronize on the part. */
  private static final class Part {
    private final ArrayList<Span> spans = new ArrayList<>(4);

    synchronized void add(List<Span> more) {
      spans.addAll(more);
    }

    synchronized List<Span> snapshot() {
      return List.copyOf(spans);
    }
  }
}
