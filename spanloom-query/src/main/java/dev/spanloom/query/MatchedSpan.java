package dev.spanloom.query;

import static java.util.Objects.requireNonNull;

import dev.spanloom.model.Attributes;
import dev.spanloom.model.Span;

/**
 * A span in a query result, with the attributes the query looked at or selected, as Tempo shows
 * them: keys without their scope ({@code http.method}, {@code status}), values typed, statuses and
 * kinds as strings.
 */
public record MatchedSpan(Span span, Attributes attributes) {
  public MatchedSpan {
    requireNonNull(span, "span");
    requireNonNull(attributes, "attributes");
  }
}
