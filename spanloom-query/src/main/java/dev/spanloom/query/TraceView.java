package dev.spanloom.query;

import dev.spanloom.model.Span;
import dev.spanloom.model.SpanId;
import dev.spanloom.model.Trace;
import java.util.HashMap;
import java.util.Map;

/** A trace indexed for evaluation: spans by position, each span's parent position and child count. */
final class TraceView {
  final Trace trace;
  final Span[] spans;
  /** The parent's index, or -1 for a root or a span whose parent was not stored. */
  final int[] parent;
  final int[] childCount;
  /** The first span without a parent, or null when none was stored. */
  final Span root;
  final long durationNanos;

  TraceView(Trace trace) {
    this.trace = trace;
    this.spans = trace.spans().toArray(new Span[0]);
    int n = spans.length;
    Map<SpanId, Integer> index = new HashMap<>(n * 2);
    // The first of two spans sharing an ID (a Zipkin client/server pair) stands for both as a parent.
    for (int i = 0; i < n; i++) index.putIfAbsent(spans[i].spanId(), i);
    parent = new int[n];
    childCount = new int[n];
    Span r = null;
    for (int i = 0; i < n; i++) {
      Span s = spans[i];
      Integer p = s.parentSpanId() == null ? null : index.get(s.parentSpanId());
      parent[i] = p == null || p == i ? -1 : p;
      if (parent[i] >= 0) childCount[parent[i]]++;
      if (r == null && s.isRoot()) r = s;
    }
    root = r;
    durationNanos = trace.durationNanos();
  }

  int size() {
    return spans.length;
  }
}
