package dev.spanloom.sampling;

import dev.spanloom.model.Attributes;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.TraceId;

/** Always or never sample; the tracestate is the parent's. */
enum ConstantSampler implements Sampler {
  ALWAYS_ON(SamplingDecision.RECORD_AND_SAMPLE, "AlwaysOnSampler"),
  ALWAYS_OFF(SamplingDecision.DROP, "AlwaysOffSampler");

  private final SamplingDecision decision;
  private final String description;

  ConstantSampler(SamplingDecision decision, String description) {
    this.decision = decision;
    this.description = description;
  }

  @Override
  public SamplingResult shouldSample(SamplingParent parent, TraceId traceId, String name, SpanKind kind, Attributes attributes) {
    return new SamplingResult(decision, parent.traceState());
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public String toString() {
    return description;
  }
}
