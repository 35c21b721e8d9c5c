package dev.spanloom.pipeline.sampling;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Span;
import dev.spanloom.model.TraceId;
import dev.spanloom.model.context.OtelTraceState;
import dev.spanloom.model.context.TraceState;
import dev.spanloom.pipeline.SpanConsumer;
import dev.spanloom.pipeline.SpanProcessor;
import dev.spanloom.pipeline.config.ConfigNode;
import dev.spanloom.sampling.CollectorHashes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * The Collector's {@code probabilistic_sampler} for traces: each span is kept or dropped on its
 * own, consistently by trace ID, so every span of a trace gets the same answer. Three modes:
 *
 * <ul>
 *   <li>{@code hash_seed}: FNV-1a over the seed and trace ID ({@link CollectorHashes}); a sampled
 *       span gets {@code ot=rv:…;th:…} so later OTEP 235 stages can continue consistently.
 *   <li>{@code proportional}: OTEP 235; keeps the configured fraction of what arrives, whatever
 *       arrived sampled at, and multiplies the probability in {@code th}.
 *   <li>{@code equalizing}: OTEP 235; lowers every item to the configured probability, passing
 *       through what an earlier stage already sampled more.
 * </ul>
 *
 * <p>The span attribute {@code sampling.priority} overrides: 0 drops, a positive number keeps.
 * Spans without usable randomness (all-zero trace ID, an unparsable or inconsistent tracestate)
 * are dropped when {@code fail_closed} (the default) and kept otherwise. Dropped spans complete
 * at once and are counted; the future of the rest is downstream's.
 */
public final class ProbabilisticSamplerProcessor implements SpanProcessor {
  public static final String TYPE = "probabilistic_sampler";

  /** How the sampling decision is computed; the names are the Collector's {@code mode} values. */
  public enum Mode {
    HASH_SEED, PROPORTIONAL, EQUALIZING;

    String configName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final Set<String> KEYS = Set.of("sampling_percentage", "hash_seed", "mode", "fail_closed",
      "sampling_precision", "attribute_source", "from_attribute", "sampling_priority");
  private static final String PRIORITY = "sampling.priority";
  private static final long ALWAYS = 0;
  private static final long NEVER = CollectorHashes.NEVER_SAMPLE_THRESHOLD;
  private static final double MIN_PROBABILITY = 0x1p-56;
  // The Collector's grammar of the ot entry; a value breaking it is an error, not ignored.
  private static final Pattern OT_VALUE = Pattern.compile("[a-z][a-z0-9]*:[a-zA-Z0-9._\\-]*(;[a-z][a-z0-9]*:[a-zA-Z0-9._\\-]*)*");

  private final float percentage;
  private final int hashSeed;
  private final Mode mode;
  private final boolean failClosed;
  private final int precision;
  private final double ratio; // 0: never
  private final long fixedThreshold; // hash_seed and equalizing
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  public ProbabilisticSamplerProcessor(float percentage, int hashSeed, Mode mode, boolean failClosed, int precision) {
    if (!(percentage >= 0) || Float.isInfinite(percentage)) {
      throw new IllegalArgumentException("sampling_percentage: " + percentage + " (expected: a finite number >= 0)");
    }
    if (percentage > 0 && percentage / 100.0 < MIN_PROBABILITY) {
      throw new IllegalArgumentException("sampling_percentage: " + percentage + " (expected: 0 or at least 2^-56 × 100)");
    }
    if (precision < 1 || precision > 14) {
      throw new IllegalArgumentException("sampling_precision: " + precision + " (expected: 1 to 14)");
    }
    this.percentage = percentage;
    this.hashSeed = hashSeed;
    this.mode = mode;
    this.failClosed = failClosed;
    this.precision = precision;
    float pct = Math.min(percentage, 100f);
    this.ratio = pct == 0 ? 0 : Math.max(pct / 100.0, MIN_PROBABILITY);
    if (ratio == 0) {
      fixedThreshold = NEVER;
    } else if (mode == Mode.HASH_SEED) {
      int rate = CollectorHashes.hashSeedScaledRate(pct);
      fixedThreshold = rate == 0 ? NEVER : CollectorHashes.hashSeedThreshold(rate);
    } else if (mode == Mode.EQUALIZING) {
      fixedThreshold = thresholdOrNever(ratio);
    } else {
      fixedThreshold = -1; // proportional: per span
    }
  }

  /**
   * The Collector's keys. {@code mode} unset means {@code hash_seed} when {@code hash_seed} is
   * non-zero, else {@code proportional}. The logs-only keys are accepted and ignored.
   */
  public static ProbabilisticSamplerProcessor fromConfig(ConfigNode config) {
    config.requireKnownKeys(KEYS);
    double pct = config.number("sampling_percentage", 0);
    if (!(pct >= 0) || Double.isInfinite(pct)) throw config.invalid("sampling_percentage", pct, "a finite number >= 0");
    long seed = config.longValue("hash_seed", 0);
    if (seed < 0 || seed > 0xffffffffL) throw config.invalid("hash_seed", seed, "0 to 4294967295");
    String modeName = config.string("mode", "");
    Mode mode;
    if (modeName.isEmpty()) {
      mode = seed != 0 ? Mode.HASH_SEED : Mode.PROPORTIONAL;
    } else {
      try {
        mode = Mode.valueOf(modeName.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw config.invalid("mode", modeName, "hash_seed, proportional or equalizing");
      }
    }
    int precision = config.intValue("sampling_precision", 4);
    if (precision < 1 || precision > 14) throw config.invalid("sampling_precision", precision, "1 to 14");
    float pct32 = (float) pct;
    if (pct32 > 0 && pct32 / 100.0 < MIN_PROBABILITY) throw config.invalid("sampling_percentage", pct, "0 or at least 2^-56 × 100");
    return new ProbabilisticSamplerProcessor(pct32, (int) seed, mode, config.bool("fail_closed", true), precision);
  }

  @Override
  public CompletableFuture<Void> process(List<Span> spans, SpanConsumer next) {
    List<Span> kept = new ArrayList<>(spans.size());
    for (Span span : spans) {
      Span out = sample(span);
      if (out != null) kept.add(out);
    }
    return kept.isEmpty() ? CompletableFuture.completedFuture(null) : next.consume(kept);
  }

  /** The span to pass on, with its tracestate updated, or null when it is dropped. */
  Span sample(Span span) {
    Priority priority = priority(span);
    String raw = span.traceState();
    TraceState w3c = TraceState.parse(raw);
    boolean parsed = raw.isBlank() || !w3c.isEmpty();
    String otValue = w3c.get(OtelTraceState.KEY);
    OtelTraceState ot = OtelTraceState.from(w3c);
    if (otValue != null && !validOt(otValue, ot)) parsed = false;

    String policy;
    long randomness;
    boolean error = !parsed;
    OtelTraceState carrier = ot;
    if (mode == Mode.HASH_SEED && ratio > 0) {
      int hash = CollectorHashes.fnv1a32(hashSeed, span.traceId());
      randomness = CollectorHashes.hashSeedRandomness(hash);
      policy = "trace_id_hash";
      if (parsed) {
        // Data already sampled the OTEP 235 way must not be resampled by hash.
        if (ot.randomValue().isPresent() || ot.threshold().isPresent()) error = true;
        else carrier = ot.withRandomValue(randomness);
      }
    } else if (parsed && ot.randomValue().isPresent()) {
      randomness = ot.randomValue().getAsLong();
      policy = "sampling_randomness";
    } else if (parsed && span.traceId().isValid()) {
      randomness = OtelTraceState.randomness(span.traceId(), OtelTraceState.EMPTY);
      policy = "trace_id_w3c";
    } else {
      randomness = OtelTraceState.MAX_RANDOM_VALUE;
      policy = "missing_randomness";
      error = true;
    }
    if (!error && carrier.threshold().isPresent() && randomness < carrier.threshold().getAsLong()) {
      carrier = carrier.withoutThreshold(); // arrived inconsistent: the th is a lie
      error = true;
    }

    long threshold = error ? (failClosed ? NEVER : ALWAYS) : decide(carrier);
    if (priority == Priority.DROP) threshold = NEVER;
    else if (priority == Priority.KEEP) threshold = ALWAYS;
    boolean sampled = randomness >= threshold;
    count(priority == Priority.DEFER ? policy : "sampling_priority", sampled);
    if (!sampled) return null;
    if (!parsed) return span;
    OtelTraceState updated = carrier;
    // The threshold may only rise (probability fall): a lower one would overstate the count.
    if (updated.threshold().isEmpty() || updated.threshold().getAsLong() <= threshold) updated = updated.withThreshold(threshold);
    if (updated.equals(ot)) return span;
    return span.toBuilder().traceState(updated.apply(w3c).format()).build();
  }

  private long decide(OtelTraceState carrier) {
    if (mode != Mode.PROPORTIONAL || ratio == 0) return fixedThreshold;
    double incoming = carrier.threshold().isPresent() ? OtelTraceState.probabilityFromThreshold(carrier.threshold().getAsLong()) : 1.0;
    return thresholdOrNever(incoming * ratio);
  }

  private long thresholdOrNever(double probability) {
    if (!(probability >= MIN_PROBABILITY)) return NEVER;
    try {
      return CollectorHashes.thresholdWithPrecision(probability, precision);
    } catch (IllegalArgumentException e) {
      return ALWAYS; // precision finer than 14 digits: the Collector then samples all, so do we
    }
  }

  private static boolean validOt(String value, OtelTraceState parsed) {
    if (value.length() > 256 || !OT_VALUE.matcher(value).matches()) return false;
    boolean hasTh = value.startsWith("th:") || value.contains(";th:");
    boolean hasRv = value.startsWith("rv:") || value.contains(";rv:");
    return (!hasTh || parsed.threshold().isPresent()) && (!hasRv || parsed.randomValue().isPresent());
  }

  private enum Priority { DEFER, KEEP, DROP }

  /** {@code sampling.priority}: 0 drops, positive keeps, anything else defers (int, double or numeric string). */
  private static Priority priority(Span span) {
    AttributeValue v = span.attributes().get(PRIORITY);
    if (v == null) return Priority.DEFER;
    double d;
    if (v instanceof AttributeValue.LongValue l) d = l.value();
    else if (v instanceof AttributeValue.DoubleValue dv) d = dv.value();
    else if (v instanceof AttributeValue.StringValue s) {
      try {
        d = Double.parseDouble(s.value());
      } catch (NumberFormatException e) {
        return Priority.DEFER;
      }
    } else return Priority.DEFER;
    return d == 0 ? Priority.DROP : d > 0 ? Priority.KEEP : Priority.DEFER;
  }

  private void count(String policy, boolean sampled) {
    counts.computeIfAbsent(policy + (sampled ? "|true" : "|false"), k -> new LongAdder()).increment();
  }

  /**
   * Spans decided so far by policy ({@code trace_id_hash}, {@code trace_id_w3c}, {@code
   * sampling_randomness}, {@code missing_randomness}, {@code sampling_priority}) and decision,
   * keyed {@code policy|true} or {@code policy|false}: the Collector's {@code count_traces_sampled}.
   */
  public Map<String, Long> countsByPolicy() {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  public long spansSampled() {
    return counts.entrySet().stream().filter(e -> e.getKey().endsWith("|true")).mapToLong(e -> e.getValue().sum()).sum();
  }

  public long spansDropped() {
    return counts.entrySet().stream().filter(e -> e.getKey().endsWith("|false")).mapToLong(e -> e.getValue().sum()).sum();
  }

  public Mode mode() {
    return mode;
  }

  /** The randomness this processor would use for a bare trace ID in hash-seed mode (for tests and tools). */
  static boolean hashSeedSampled(int seed, float percentage, TraceId traceId) {
    return CollectorHashes.hashSeedBucket(seed, traceId) < CollectorHashes.hashSeedScaledRate(percentage);
  }

  @Override
  public String toString() {
    return TYPE + "{sampling_percentage=" + percentage + ", mode=" + mode.configName()
        + (mode == Mode.HASH_SEED ? ", hash_seed=" + Integer.toUnsignedString(hashSeed) : "")
        + ", fail_closed=" + failClosed + ", sampling_precision=" + precision + "}";
  }
}
