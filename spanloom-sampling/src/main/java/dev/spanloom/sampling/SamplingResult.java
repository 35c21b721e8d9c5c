package dev.spanloom.sampling;

import static java.util.Objects.requireNonNull;

import dev.spanloom.model.context.TraceState;

/**
 * A head sampler's answer: the decision and the {@code tracestate} the new span carries (the
 * parent's, or updated, e.g. with the OTEP 235 threshold {@code ot=th:…}).
 */
public record SamplingResult(SamplingDecision decision, TraceState traceState) {
  public SamplingResult {
    requireNonNull(decision, "decision");
    requireNonNull(traceState, "traceState");
  }

  public boolean isSampled() {
    return decision.isSampled();
  }
}
