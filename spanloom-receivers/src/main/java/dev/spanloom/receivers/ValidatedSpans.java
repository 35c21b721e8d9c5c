package dev.spanloom.receivers;

import dev.spanloom.model.Span;
import dev.spanloom.model.SpanValidator;
import dev.spanloom.otlp.OtlpTranslator;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the spans a Jaeger or Zipkin request decoded into, applying {@link SpanValidator} to
 * each, and ends in the same {@link OtlpTranslator.Decoded} as OTLP: every receiver counts and
 * words refused spans alike.
 */
public final class ValidatedSpans {
  private final List<Span> spans;
  private int index;
  private int rejected;
  private String firstProblem;

  public ValidatedSpans(int expected) {
    spans = new ArrayList<>(expected);
  }

  /** Keeps {@code span}, or counts it as refused when it cannot be stored. */
  public void add(Span span) {
    String problem = SpanValidator.problem(span);
    if (problem == null) {
      spans.add(span);
      index++;
    } else {
      reject(span.name(), problem);
    }
  }

  /** Counts a span that could not even be built (a bad ID, say). */
  public void reject(String name, String problem) {
    rejected++;
    if (firstProblem == null) firstProblem = "span " + index + " (name \"" + name + "\"): " + problem;
    index++;
  }

  public OtlpTranslator.Decoded build() {
    return new OtlpTranslator.Decoded(spans, rejected, firstProblem == null ? "" : firstProblem);
  }
}
