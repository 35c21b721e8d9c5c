package dev.spanloom.server.slo;

/** What an objective counts as a good span. */
public sealed interface Sli {
  /** The name in {@code /api/slo} and in the generated rules. */
  String kind();

  /** Good: the span took at most {@code thresholdNanos}, a bucket bound of the duration histogram. */
  record Latency(long thresholdNanos) implements Sli {
    @Override
    public String kind() {
      return "latency";
    }

    public double thresholdMillis() {
      return thresholdNanos / 1e6;
    }
  }

  /** Good: the span's status is not ERROR (the non-error ratio). */
  record Availability() implements Sli {
    @Override
    public String kind() {
      return "availability";
    }
  }
}
