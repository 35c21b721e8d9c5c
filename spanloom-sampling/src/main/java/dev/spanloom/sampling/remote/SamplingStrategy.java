package dev.spanloom.sampling.remote;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * What Jaeger's {@code SamplingManager} answers for a service: probabilistic, rate-limiting, or
 * per-operation probabilities with a default (the adaptive kind). Immutable.
 *
 * @param type which of the three
 * @param param the probability (probabilistic) or traces per second (rate limiting)
 * @param operations per operation: the probability; the default applies to the others
 * @param defaultLowerBoundTracesPerSecond per-operation strategies only: the floor each operation keeps
 */
public record SamplingStrategy(Type type, double param, Map<String, Double> operations, double defaultLowerBoundTracesPerSecond) {
  public enum Type { PROBABILISTIC, RATE_LIMITING, PER_OPERATION }

  public SamplingStrategy {
    requireNonNull(type, "type");
    operations = Map.copyOf(operations);
    if (type != Type.RATE_LIMITING && !(param >= 0 && param <= 1)) {
      throw new IllegalArgumentException("param: " + param + " (expected: a probability, 0 to 1)");
    }
    if (type == Type.RATE_LIMITING && !(param >= 0)) {
      throw new IllegalArgumentException("param: " + param + " (expected: traces per second >= 0)");
    }
  }

  public static SamplingStrategy probabilistic(double probability) {
    return new SamplingStrategy(Type.PROBABILISTIC, probability, Map.of(), 0);
  }

  public static SamplingStrategy rateLimiting(double tracesPerSecond) {
    return new SamplingStrategy(Type.RATE_LIMITING, tracesPerSecond, Map.of(), 0);
  }

  public static SamplingStrategy perOperation(double defaultProbability, Map<String, Double> operations, double lowerBound) {
    return new SamplingStrategy(Type.PER_OPERATION, defaultProbability, operations, lowerBound);
  }
}
