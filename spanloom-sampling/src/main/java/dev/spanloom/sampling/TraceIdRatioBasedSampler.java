package dev.spanloom.sampling;

import dev.spanloom.model.Attributes;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.TraceId;
import java.util.Locale;

/**
 * The OpenTelemetry Java SDK's {@code TraceIdRatioBased}: the low 64 bits of the trace ID as a
 * signed long, made absolute with {@link Math#abs} (so {@code Long.MIN_VALUE} stays negative and
 * is always sampled, as in the SDK), sampled when below {@code (long) (ratio * Long.MAX_VALUE)};
 * ratio 0 samples nothing and ratio 1 everything.
 */
final class TraceIdRatioBasedSampler implements Sampler {
  private final double ratio;
  private final long idUpperBound;
  private final String description;

  TraceIdRatioBasedSampler(double ratio) {
    if (!(ratio >= 0.0 && ratio <= 1.0)) {
      throw new IllegalArgumentException("ratio: " + ratio + " (expected: 0.0 to 1.0)");
    }
    this.ratio = ratio;
    // The SDK's bounds, special cases included: they decide the extreme IDs.
    this.idUpperBound = ratio == 0.0 ? Long.MIN_VALUE : ratio == 1.0 ? Long.MAX_VALUE : (long) (ratio * Long.MAX_VALUE);
    this.description = String.format(Locale.ROOT, "TraceIdRatioBased{%.6f}", ratio);
  }

  /** The decision alone, for callers that only have a trace ID (and for tests). */
  boolean sampled(TraceId traceId) {
    return Math.abs(traceId.low()) < idUpperBound;
  }

  double ratio() {
    return ratio;
  }

  @Override
  public SamplingResult shouldSample(SamplingParent parent, TraceId traceId, String name, SpanKind kind, Attributes attributes) {
    return new SamplingResult(sampled(traceId) ? SamplingDecision.RECORD_AND_SAMPLE : SamplingDecision.DROP, parent.traceState());
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
