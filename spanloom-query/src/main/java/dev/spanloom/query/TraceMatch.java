package dev.spanloom.query;

import static java.util.Objects.requireNonNull;

import dev.spanloom.model.Trace;
import java.util.List;

/** A trace a query matched, whole, with the spansets it yielded (never empty). */
public record TraceMatch(Trace trace, List<Spanset> spansets) {
  public TraceMatch {
    requireNonNull(trace, "trace");
    spansets = List.copyOf(spansets);
  }
}
