package dev.spanloom.sampling;

/** What a head sampler decided, as the OpenTelemetry SDK names it. */
public enum SamplingDecision {
  /** Neither recorded nor exported. */
  DROP,
  /** Recorded in process (span processors see it) but not sampled: the sampled flag stays 0. */
  RECORD_ONLY,
  /** Recorded and sampled: exported, and the sampled flag propagates downstream. */
  RECORD_AND_SAMPLE;

  public boolean isSampled() {
    return this == RECORD_AND_SAMPLE;
  }
}
