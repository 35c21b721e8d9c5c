package dev.spanloom.query;

import static java.util.Objects.requireNonNull;

import dev.spanloom.model.Attributes;
import dev.spanloom.model.Event;
import dev.spanloom.model.Link;
import dev.spanloom.model.Span;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.StatusCode;
import dev.spanloom.model.Trace;
import dev.spanloom.storage.TraceReader;
import dev.spanloom.storage.TraceScan;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Tag names and tag values for Tempo's autocomplete APIs, from a bounded scan of recent data: at
 * most {@code maxTraces} traces are inspected and at most {@code limit} names per scope or values
 * returned, so that a busy store answers in bounded time and memory (as Tempo bounds these
 * queries by bytes).
 */
public final class TagSearch {
  /** Traces inspected per request unless the caller asks otherwise. */
  public static final int DEFAULT_MAX_TRACES = 5_000;
  /** Names per scope, or values, returned unless the caller asks for fewer. */
  public static final int DEFAULT_LIMIT = 1_000;

  private final TraceReader reader;
  private final int maxTraces;

  public TagSearch(TraceReader reader) {
    this(reader, DEFAULT_MAX_TRACES);
  }

  public TagSearch(TraceReader reader, int maxTraces) {
    this.reader = requireNonNull(reader, "reader");
    if (maxTraces <= 0) throw new IllegalArgumentException("maxTraces: " + maxTraces + " (expected: > 0)");
    this.maxTraces = maxTraces;
  }

  /** Tag names found, by scope, and how much was read. */
  public record Names(Map<TagScope, SortedSet<String>> byScope, long inspectedTraces, long inspectedBytes) {}

  /** Tag values found, sorted, and how much was read. */
  public record Values(List<TagValue> values, long inspectedTraces, long inspectedBytes) {}

  /**
   * The attribute names seen in traces overlapping the window (epoch nanoseconds, 0 = open), for
   * each scope asked; {@link TagScope#INTRINSIC} lists the intrinsics TraceQL knows. With a
   * {@code filter} (a single spanset filter; anything else is ignored), only names on spans it
   * matches.
   */
  public Names tagNames(Set<TagScope> scopes, TraceQlQuery filter, long startEpochNanos, long endEpochNanos, int limit) {
    Map<TagScope, SortedSet<String>> names = new EnumMap<>(TagScope.class);
    for (TagScope s : scopes) names.put(s, new TreeSet<>());
    if (scopes.contains(TagScope.INTRINSIC)) {
      SortedSet<String> intrinsics = names.get(TagScope.INTRINSIC);
      for (String n : Intrinsic.allNames()) {
        if (intrinsics.size() < limit) intrinsics.add(n);
      }
    }
    long[] inspected = new long[2];
    boolean attributes = scopes.stream().anyMatch(s -> s != TagScope.INTRINSIC);
    SpansetExpression.Filter spanFilter = singleFilter(filter);
    TraceScan scan = TraceScan.window(startEpochNanos, endEpochNanos);
    if (spanFilter != null) {
      ScanPlanner.Plan plan = ScanPlanner.plan(filter, reader);
      if (plan.impossible()) attributes = false;
      scan = plan.scan(startEpochNanos, endEpochNanos);
    }
    if (attributes) {
      reader.scan(scan, trace -> {
        count(trace, inspected);
        TraceView view = new TraceView(trace);
        for (int i = 0; i < view.size(); i++) {
          if (spanFilter != null && !TraceQlEvaluator.matchesFilter(spanFilter, view, i)) continue;
          Span span = view.spans[i];
          add(names.get(TagScope.SPAN), span.attributes(), limit);
          add(names.get(TagScope.RESOURCE), span.resource().attributes(), limit);
          add(names.get(TagScope.INSTRUMENTATION), span.scope().attributes(), limit);
          for (Event e : span.events()) add(names.get(TagScope.EVENT), e.attributes(), limit);
          for (Link l : span.links()) add(names.get(TagScope.LINK), l.attributes(), limit);
        }
        return inspected[0] < maxTraces;
      });
    }
    return new Names(names, inspected[0], inspected[1]);
  }

  private static SpansetExpression.Filter singleFilter(TraceQlQuery filter) {
    return filter != null && filter.root() instanceof SpansetExpression.Filter sf ? sf : null;
  }

  private static void add(SortedSet<String> names, Attributes attributes, int limit) {
    if (names == null) return;
    for (int i = 0; i < attributes.size() && names.size() < limit; i++) names.add(attributes.key(i));
  }

  private static void count(Trace trace, long[] inspected) {
    inspected[0]++;
    for (Span s : trace.spans()) inspected[1] += s.estimatedSizeBytes();
  }

  /**
   * The values of a TraceQL field ({@code .service.name}, {@code span.http.method}, {@code
   * status}, {@code name}, …) on spans in the window; with a {@code filter} (a single spanset
   * filter, as Tempo's {@code q}), only on spans it matches. A filter that is not a single
   * {@code { … }} is ignored, as Tempo ignores what it cannot use.
   *
   * @throws TraceQlException when {@code field} is not a field
   */
  public Values tagValues(String field, TraceQlQuery filter, long startEpochNanos, long endEpochNanos, int limit) {
    FieldExpression f = TraceQlParser.parseField(field);
    SpansetExpression.Filter spanFilter = singleFilter(filter);
    TraceScan scan = TraceScan.window(startEpochNanos, endEpochNanos);
    if (spanFilter != null) {
      ScanPlanner.Plan plan = ScanPlanner.plan(filter, reader);
      if (plan.impossible()) return new Values(List.of(), 0, 0);
      scan = plan.scan(startEpochNanos, endEpochNanos);
    }
    SortedSet<TagValue> values = new TreeSet<>();
    long[] inspected = new long[2];
    reader.scan(scan, trace -> {
      count(trace, inspected);
      TraceView view = new TraceView(trace);
      for (int i = 0; i < view.size() && values.size() < limit; i++) {
        if (spanFilter != null && !TraceQlEvaluator.matchesFilter(spanFilter, view, i)) continue;
        add(values, TraceQlEvaluator.value(f, view, i), limit);
      }
      return inspected[0] < maxTraces && values.size() < limit;
    });
    return new Values(List.copyOf(values), inspected[0], inspected[1]);
  }

  private static void add(SortedSet<TagValue> values, Object v, int limit) {
    if (v == null || values.size() >= limit) return;
    if (v instanceof dev.spanloom.query.Values.Multi m) {
      for (Object o : m.values()) add(values, o, limit);
      return;
    }
    String type;
    if (v instanceof String) type = "string";
    else if (v instanceof Long) type = "int";
    else if (v instanceof Double) type = "float";
    else if (v instanceof Boolean) type = "bool";
    else if (v instanceof dev.spanloom.query.Values.Duration) type = "duration";
    else if (v instanceof StatusCode || v instanceof SpanKind) type = "keyword";
    else return; // bytes and key-value lists have no TraceQL literal
    values.add(new TagValue(type, dev.spanloom.query.Values.asString(v)));
  }

  @Override
  public String toString() {
    return "TagSearch{maxTraces=" + maxTraces + "}";
  }
}
