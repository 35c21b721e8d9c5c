package dev.spanloom.query;

import static java.util.Objects.requireNonNull;

import dev.spanloom.model.Attributes;
import java.util.List;

/**
 * One set of spans a query selected from a trace.
 *
 * @param spans the spans, in trace order (start time, then span ID)
 * @param attributes the spanset's own attributes: the values of {@code by(…)} keyed by
 *     {@code by(field)}
 */
public record Spanset(List<MatchedSpan> spans, Attributes attributes) {
  public Spanset {
    spans = List.copyOf(spans);
    requireNonNull(attributes, "attributes");
  }
}
