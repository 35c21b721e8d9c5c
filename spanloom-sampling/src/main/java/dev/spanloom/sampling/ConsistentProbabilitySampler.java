package dev.spanloom.sampling;

import dev.spanloom.model.Attributes;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.TraceId;
import dev.spanloom.model.context.OtelTraceState;
import dev.spanloom.model.context.TraceState;
import java.util.Locale;

/**
 * OTEP 235 consistent probability sampling with a fixed probability. The randomness is the
 * parent's explicit {@code rv} when present, else the right-most 56 bits of the trace ID; the
 * span is sampled when it reaches the threshold {@code round((1 - p) * 2^56)}. A sampled span's
 * tracestate carries {@code ot=th:<threshold>}; an unsampled one carries no {@code th}, as the
 * specification asks. Two such samplers with probabilities p &lt; q agree: whatever p keeps, q
 * keeps.
 */
final class ConsistentProbabilitySampler implements Sampler {
  private final double probability;
  private final long threshold; // -1: probability 0, never sample
  private final String description;

  ConsistentProbabilitySampler(double probability) {
    if (!(probability >= 0.0 && probability <= 1.0)) {
      throw new IllegalArgumentException("probability: " + probability + " (expected: 0.0 to 1.0)");
    }
    this.probability = probability;
    this.threshold = probability == 0 ? -1 : OtelTraceState.thresholdFromProbability(probability);
    this.description = String.format(Locale.ROOT, "ConsistentProbabilityBased{%.6f}", probability);
  }

  @Override
  public SamplingResult shouldSample(SamplingParent parent, TraceId traceId, String name, SpanKind kind, Attributes attributes) {
    TraceState state = parent.traceState();
    OtelTraceState ot = OtelTraceState.from(state);
    boolean sampled = threshold >= 0 && OtelTraceState.sampled(OtelTraceState.randomness(traceId, ot), threshold);
    OtelTraceState updated = sampled ? ot.withThreshold(threshold) : ot.withoutThreshold();
    TraceState out = updated.equals(ot) ? state : updated.apply(state);
    return new SamplingResult(sampled ? SamplingDecision.RECORD_AND_SAMPLE : SamplingDecision.DROP, out);
  }

  double probability() {
    return probability;
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
