package dev.spanloom.query;

import java.util.List;

/** One stage after a {@code |}: it maps the spansets of one trace to new spansets. */
sealed interface PipelineStage {
  /** {@code by(expr, …)}: splits each spanset by the values of the expressions. */
  record By(List<FieldExpression> fields) implements PipelineStage {
    public By {
      fields = List.copyOf(fields);
    }
  }

  /** {@code select(field, …)}: adds the fields to every span in the results. */
  record Select(List<FieldExpression> fields) implements PipelineStage {
    public Select {
      fields = List.copyOf(fields);
    }
  }

  /** {@code coalesce()}: merges all spansets of the trace into one. */
  record Coalesce() implements PipelineStage {}

  /** {@code | { condition }}: keeps the spans of each spanset that satisfy the condition. */
  record Filter(SpansetExpression.Filter filter) implements PipelineStage {}

  /** {@code | count() > 2}, {@code | avg(duration) >= 1s}: keeps spansets whose aggregate satisfies the comparison. */
  record ScalarFilter(Aggregate aggregate, FieldExpression.Op op, Object value, ValueType valueType) implements PipelineStage {}

  /** {@code count()}, or {@code avg|min|max|sum(field)}. */
  record Aggregate(String function, FieldExpression argument) {
    @Override
    public String toString() {
      return function + "(" + (argument == null ? "" : argument.toString()) + ")";
    }
  }
}
