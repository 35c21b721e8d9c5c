package dev.spanloom.query;

import java.util.List;

/**
 * The answer to a {@link TraceQlSearch}: matched traces newest first (latest start, ties by
 * ascending trace ID), and what the search had to look at.
 *
 * @param traces at most the request's limit
 * @param inspectedTraces traces evaluated
 * @param inspectedBytes the estimated size of the spans evaluated
 * @param scans how many storage scans ran (0 when the plan proved no trace can match)
 */
public record SearchResult(List<TraceMatch> traces, long inspectedTraces, long inspectedBytes, int scans) {
  public SearchResult {
    traces = List.copyOf(traces);
  }
}
