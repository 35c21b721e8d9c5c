package dev.spanloom.sampling.remote;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Jaeger's adaptive sampling: per service and root operation, a probability recomputed every
 * {@code calculation_interval} so that each operation yields about {@code
 * target_samples_per_second} sampled traces.
 *
 * <p>Each sampled root span observed is {@link #record recorded} with the probability its SDK
 * applied, when the SDK says so: the OTEP 235 threshold {@code th} in its tracestate. Knowing
 * the applied probability p of every sampled trace, the true request rate is estimated as Σ 1/p
 * over the interval (Horvitz–Thompson), and the new probability is the target divided by it:
 * right even when the SDK did not apply what was served (an OpenTelemetry SDK that never fetched
 * it, a parent-based decision upstream) — the case where Jaeger's calculator, which assumes its
 * own last answer was applied, goes wrong (jaeger#6700). Without a threshold it falls back to
 * Jaeger's rule: scale the served probability by target / observed.
 *
 * <p>As Jaeger: no change while the observed rate is within {@code delta_tolerance} of the
 * target; an increase is capped at +50 % per interval (a probability rises only by half again,
 * doubling when nothing was seen); the result stays within [{@code min_sampling_probability}, 1].
 * Thread-safe: {@link #record} from any ingest thread, {@link #recalculate} from one timer.
 */
public final class AdaptiveSamplingCalculator {
  /** Jaeger's adaptive-sampling parameters, with its defaults. */
  public record Options(double targetSamplesPerSecond, double deltaTolerance, Duration calculationInterval,
      double initialSamplingProbability, double minSamplingProbability, double minSamplesPerSecond) {
    public static final Options DEFAULTS = new Options(1, 0.3, Duration.ofMinutes(1), 0.001, 1e-5, 1.0 / 60);

    public Options {
      if (!(targetSamplesPerSecond > 0)) throw new IllegalArgumentException("target_samples_per_second: " + targetSamplesPerSecond + " (expected: > 0)");
      if (!(deltaTolerance >= 0 && deltaTolerance < 1)) throw new IllegalArgumentException("delta_tolerance: " + deltaTolerance + " (expected: 0 to < 1)");
      if (calculationInterval.isZero() || calculationInterval.isNegative()) {
        throw new IllegalArgumentException("calculation_interval: " + calculationInterval + " (expected: > 0s)");
      }
      if (!(minSamplingProbability > 0 && minSamplingProbability <= 1)) {
        throw new IllegalArgumentException("min_sampling_probability: " + minSamplingProbability + " (expected: > 0 and <= 1)");
      }
      if (!(initialSamplingProbability >= minSamplingProbability && initialSamplingProbability <= 1)) {
        throw new IllegalArgumentException("initial_sampling_probability: " + initialSamplingProbability
            + " (expected: min_sampling_probability " + minSamplingProbability + " to 1)");
      }
      if (!(minSamplesPerSecond >= 0)) throw new IllegalArgumentException("min_samples_per_second: " + minSamplesPerSecond + " (expected: >= 0)");
    }
  }

  private static final double MAX_INCREASE = 0.5;

  private static final class Counts {
    long sampled;
    long withThreshold;
    double inverseProbabilitySum;
  }

  private final Options options;
  private final Object lock = new Object();
  private Map<String, Map<String, Counts>> counts = new HashMap<>(); // guarded by lock
  private final Map<String, Map<String, Double>> probabilities = new ConcurrentHashMap<>();

  public AdaptiveSamplingCalculator(Options options) {
    this.options = options;
  }

  public Options options() {
    return options;
  }

  /**
   * One sampled root span of {@code service}/{@code operation}; {@code appliedProbability} is the
   * probability its tracestate's {@code th} states, or NaN when it states none.
   */
  public void record(String service, String operation, double appliedProbability) {
    synchronized (lock) {
      Counts c = counts.computeIfAbsent(service, k -> new HashMap<>()).computeIfAbsent(operation, k -> new Counts());
      c.sampled++;
      if (appliedProbability > 0 && appliedProbability <= 1) {
        c.withThreshold++;
        c.inverseProbabilitySum += 1 / appliedProbability;
      }
    }
  }

  /** Recomputes every probability from what was recorded over the last {@code interval}, and starts a new interval. */
  public void recalculate(Duration interval) {
    Map<String, Map<String, Counts>> window;
    synchronized (lock) {
      window = counts;
      counts = new HashMap<>();
    }
    double seconds = interval.toNanos() / 1e9;
    // Operations seen before but silent now get qps 0, as in Jaeger: their probability rises.
    for (Map.Entry<String, Map<String, Double>> svc : probabilities.entrySet()) {
      for (String op : svc.getValue().keySet()) window.computeIfAbsent(svc.getKey(), k -> new HashMap<>()).putIfAbsent(op, new Counts());
    }
    for (Map.Entry<String, Map<String, Counts>> svc : window.entrySet()) {
      Map<String, Double> byOp = probabilities.computeIfAbsent(svc.getKey(), k -> new ConcurrentHashMap<>());
      for (Map.Entry<String, Counts> op : svc.getValue().entrySet()) {
        double old = byOp.getOrDefault(op.getKey(), options.initialSamplingProbability());
        byOp.put(op.getKey(), next(old, op.getValue(), seconds));
      }
    }
  }

  private double next(double old, Counts c, double seconds) {
    double target = options.targetSamplesPerSecond();
    double qps = c.sampled / seconds;
    if (c.sampled > 0 && Math.abs(qps - target) <= options.deltaTolerance() * target) return old;
    double proposed;
    if (c.sampled == 0) {
      proposed = old * 2;
    } else if (c.withThreshold == c.sampled) {
      double requestsPerSecond = c.inverseProbabilitySum / seconds;
      proposed = target / requestsPerSecond;
    } else {
      proposed = old * target / qps;
    }
    if (proposed > old && c.sampled > 0) proposed = Math.min(proposed, old * (1 + MAX_INCREASE));
    return Math.max(options.minSamplingProbability(), Math.min(1.0, proposed));
  }

  /** The probability served for an operation: its computed one, else the initial probability. */
  public double probability(String service, String operation) {
    Map<String, Double> byOp = probabilities.get(service);
    Double p = byOp == null ? null : byOp.get(operation);
    return p == null ? options.initialSamplingProbability() : p;
  }

  /** The per-operation strategy served to {@code service}'s SDKs. */
  public SamplingStrategy strategy(String service) {
    Map<String, Double> byOp = probabilities.getOrDefault(service, Map.of());
    return SamplingStrategy.perOperation(options.initialSamplingProbability(), new TreeMap<>(byOp), options.minSamplesPerSecond());
  }

  @Override
  public String toString() {
    return "adaptive{target_samples_per_second=" + options.targetSamplesPerSecond() + ", delta_tolerance=" + options.deltaTolerance()
        + ", calculation_interval=" + options.calculationInterval().toMillis() + "ms, initial_sampling_probability="
        + options.initialSamplingProbability() + ", min_sampling_probability=" + options.minSamplingProbability()
        + ", min_samples_per_second=" + options.minSamplesPerSecond() + "}";
  }
}
