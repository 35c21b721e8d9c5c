package dev.spanloom.sampling;

import dev.spanloom.model.Attributes;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.TraceId;

/**
 * Decides, when a span starts, whether it is recorded and sampled — the OpenTelemetry SDK's
 * {@code Sampler}, over Spanloom's model. Implementations are pure functions of their inputs
 * except where the name says otherwise ({@link #rateLimiting} keeps a token bucket), and
 * thread-safe. {@link #description()} prints the configuration, as the SDK's
 * {@code getDescription()} does, so logs show exactly what runs.
 */
public interface Sampler {
  SamplingResult shouldSample(SamplingParent parent, TraceId traceId, String name, SpanKind kind, Attributes attributes);

  /** The sampler and its configuration, e.g. {@code TraceIdRatioBased{0.100000}}. */
  String description();

  static Sampler alwaysOn() {
    return ConstantSampler.ALWAYS_ON;
  }

  static Sampler alwaysOff() {
    return ConstantSampler.ALWAYS_OFF;
  }

  /**
   * Samples the fraction {@code ratio} of traces by their ID, exactly as the OpenTelemetry SDK's
   * {@code Sampler.traceIdRatioBased}.
   *
   * @throws IllegalArgumentException unless {@code 0 <= ratio <= 1}
   */
  static Sampler traceIdRatioBased(double ratio) {
    return new TraceIdRatioBasedSampler(ratio);
  }

  /**
   * Follows the parent's sampled flag and uses {@code root} for root spans, with the SDK's
   * defaults for the four parent cases (sampled parents kept, unsampled parents dropped).
   */
  static Sampler parentBased(Sampler root) {
    return ParentBasedSampler.builder(root).build();
  }

  static ParentBasedSampler.Builder parentBasedBuilder(Sampler root) {
    return ParentBasedSampler.builder(root);
  }

  /**
   * Samples at most {@code tracesPerSecond} traces per second (a token bucket of that rate and
   * a burst of {@code max(1, tracesPerSecond)}), as Jaeger's rate-limiting sampler.
   */
  static Sampler rateLimiting(double tracesPerSecond) {
    return new RateLimitingSampler(tracesPerSecond, System::nanoTime);
  }

  /**
   * OTEP 235 consistent probability sampling: samples when the trace's randomness (explicit
   * {@code rv}, else the trace ID's right-most 56 bits) reaches the threshold of {@code
   * probability}, and writes that threshold as {@code th} into the tracestate of the spans it
   * samples, so every later stage knows the probability applied.
   */
  static Sampler consistentProbability(double probability) {
    return new ConsistentProbabilitySampler(probability);
  }
}
