package dev.spanloom.pipeline.sampling;

import java.util.Locale;

/** What one tail-sampling policy says of a trace, as the Collector names it. */
public enum TailDecision {
  SAMPLED,
  NOT_SAMPLED,
  /** An {@code invert_match} policy found no match: keep, unless another policy said not sampled. */
  INVERT_SAMPLED,
  /** An {@code invert_match} policy found a match: not sampled, whatever others say (except drop). */
  INVERT_NOT_SAMPLED,
  /** A {@code drop} policy matched: not sampled, before anything else. */
  DROPPED;

  /** The label value of the self-metrics, e.g. {@code sampled}, {@code inverted_not_sampled}. */
  public String label() {
    return switch (this) {
      case INVERT_SAMPLED -> "inverted_sampled";
      case INVERT_NOT_SAMPLED -> "inverted_not_sampled";
      default -> name().toLowerCase(Locale.ROOT);
    };
  }
}
