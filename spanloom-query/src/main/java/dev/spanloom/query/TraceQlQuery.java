package dev.spanloom.query;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * A parsed, type-checked TraceQL query. Immutable and safe to share between threads; parse once
 * with {@link TraceQlParser#parse(String)} and evaluate on any number of traces.
 */
public final class TraceQlQuery {
  private final String text;
  private final SpansetExpression root;
  private final Map<String, Object> hints;

  TraceQlQuery(String text, SpansetExpression root, Map<String, Object> hints) {
    this.text = requireNonNull(text, "text");
    this.root = requireNonNull(root, "root");
    this.hints = Map.copyOf(hints);
  }

  /** Parses {@code query}; shorthand for {@link TraceQlParser#parse(String)}. */
  public static TraceQlQuery parse(String query) {
    return TraceQlParser.parse(query);
  }

  /** The query as written. */
  public String text() {
    return text;
  }

  /** The {@code with (…)} hints, e.g. {@code most_recent=true}; accepted and not needed here. */
  public Map<String, Object> hints() {
    return hints;
  }

  SpansetExpression root() {
    return root;
  }

  @Override
  public String toString() {
    return text;
  }
}
