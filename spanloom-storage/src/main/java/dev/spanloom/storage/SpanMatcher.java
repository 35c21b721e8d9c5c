package dev.spanloom.storage;

import static java.util.Objects.requireNonNull;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Span;
import dev.spanloom.model.Trace;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How every backend evaluates a {@link SearchRequest}, so that the in-memory store, the local
 * engine and any later backend answer the same search with the same traces in the same order.
 *
 * <p>A trace is a hit when it {@linkplain #overlaps(Trace) overlaps} the request's time window
 * and at least one of its spans {@linkplain #matches(Span) matches} every other condition. A
 * backend may prune with {@link #overlaps(long, long)} and {@link #matches(Span)} however it
 * likes, but builds each hit with {@link #match(Trace)} (or {@link #summarize}) and orders the
 * result with {@link #newestFirst}.
 */
public final class SpanMatcher {
  /**
   * The order of search results: latest trace start first; equal starts by ascending trace ID,
   * so that every backend returns ties in the same order.
   */
  public static final Comparator<TraceSummary> NEWEST_FIRST =
      Comparator.comparingLong(TraceSummary::startEpochNanos)
          .reversed()
          .thenComparing(TraceSummary::traceId);

  private final SearchRequest request;
  // The attribute conditions as parallel arrays: matches(Span) runs once per stored span.
  private final String[] attributeKeys;
  private final String[] attributeValues;

  private SpanMatcher(SearchRequest request) {
    this.request = request;
    int n = request.attributes().size();
    this.attributeKeys = new String[n];
    this.attributeValues = new String[n];
    int i = 0;
    for (Map.Entry<String, String> e : request.attributes().entrySet()) {
      attributeKeys[i] = e.getKey();
      attributeValues[i] = e.getValue();
      i++;
    }
  }

  /** A matcher for {@code request}. */
  public static SpanMatcher of(SearchRequest request) {
    return new SpanMatcher(requireNonNull(request, "request"));
  }

  public SearchRequest request() {
    return request;
  }

  /**
   * True when {@code span} satisfies every span condition of the request: service (the
   * resource's {@code service.name}), span name, each attribute and the duration bounds. The
   * time window is a condition on the whole trace; see {@link #overlaps(Trace)}.
   *
   * <p>An attribute key is looked up on the span's attributes first and only when absent there
   * on the resource's, so a span attribute hides a resource attribute of the same key. Values
   * compare as {@link AttributeValue#asString()}: {@code 201}, {@code true} and {@code 0.25}
   * match long, bool and double attributes.
   */
  public boolean matches(Span span) {
    if (!request.serviceName().isEmpty() && !request.serviceName().equals(span.serviceName())) {
      return false;
    }
    if (!request.spanName().isEmpty() && !request.spanName().equals(span.name())) return false;
    long duration = span.durationNanos();
    if (request.minDurationNanos() != 0 && duration < request.minDurationNanos()) return false;
    if (request.maxDurationNanos() != 0 && duration > request.maxDurationNanos()) return false;
    for (int i = 0; i < attributeKeys.length; i++) {
      AttributeValue value = span.attributes().get(attributeKeys[i]);
      if (value == null) value = span.resource().attributes().get(attributeKeys[i]);
      if (value == null || !attributeValues[i].equals(value.asString())) return false;
    }
    return true;
  }

  /**
   * True when a trace spanning {@code [traceStartEpochNanos, traceEndEpochNanos]} overlaps the
   * request's window; both ends are inclusive and an unset (zero) end is open. Backends can use
   * this on any range known to contain the trace (a block's, a partition's) to skip it whole.
   */
  public boolean overlaps(long traceStartEpochNanos, long traceEndEpochNanos) {
    if (request.startEpochNanos() != 0 && traceEndEpochNanos < request.startEpochNanos()) {
      return false;
    }
    return request.endEpochNanos() == 0 || traceStartEpochNanos <= request.endEpochNanos();
  }

  /** True when {@code trace}, from its earliest start to its latest end, overlaps the window. */
  public boolean overlaps(Trace trace) {
    return overlaps(trace.startEpochNanos(), trace.endEpochNanos());
  }

  /** How many spans of {@code trace} {@linkplain #matches(Span) match}; the window is ignored. */
  public int countMatchingSpans(Trace trace) {
    int count = 0;
    for (Span span : trace.spans()) {
      if (matches(span)) count++;
    }
    return count;
  }

  /**
   * The search hit for {@code trace}, or empty when it is outside the window or none of its
   * spans matches. {@code trace} must be whole (every stored part merged through {@link
   * Trace#of}), so that every backend reports the same counts.
   */
  public Optional<TraceSummary> match(Trace trace) {
    if (trace.spans().isEmpty() || !overlaps(trace)) return Optional.empty();
    int matched = countMatchingSpans(trace);
    return matched == 0 ? Optional.empty() : Optional.of(summarize(trace, matched));
  }

  /**
   * The result of the request from all its hits: sorted {@link #NEWEST_FIRST}, at most the
   * request's limit. {@code hits} is not modified.
   */
  public List<TraceSummary> newestFirst(Collection<TraceSummary> hits) {
    List<TraceSummary> sorted = new ArrayList<>(hits);
    sorted.sort(NEWEST_FIRST);
    return sorted.size() > request.limit()
        ? List.copyOf(sorted.subList(0, request.limit()))
        : List.copyOf(sorted);
  }

  /**
   * What a result list shows about {@code trace}: its root span's service and name (the earliest
   * span when no root was stored), start, duration and span counts.
   *
   * @throws IllegalArgumentException when {@code trace} has no spans
   */
  public static TraceSummary summarize(Trace trace, int matchedSpanCount) {
    Span root = trace.rootSpan();
    if (root == null) {
      throw new IllegalArgumentException("trace " + trace.traceId() + ": no spans (expected: >= 1)");
    }
    return new TraceSummary(
        trace.traceId(),
        root.serviceName(),
        root.name(),
        trace.startEpochNanos(),
        trace.durationNanos(),
        trace.spans().size(),
        matchedSpanCount);
  }

  @Override
  public String toString() {
    return "SpanMatcher{" + request + "}";
  }
}
