package dev.spanloom.it.jaeger;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.extension.trace.jaeger.sampler.JaegerRemoteSampler;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Adaptive sampling with the real OpenTelemetry Java {@code JaegerRemoteSampler}: synthetic
 * traffic goes through Spanloom over OTLP, Spanloom recomputes each operation's probability
 * every {@code calculation_interval}, and the probability the SDK pulls moves from the initial
 * one to {@code target_samples_per_second / requests per second} and stays there. Only outcomes
 * are asserted, each within a deadline.
 */
class JaegerRemoteSamplerAdaptiveTest {
  private static final double TARGET = 100; // sampled traces per second and operation
  private static final double INITIAL = 0.005;
  private static final double MIN = 0.0001;
  // Within 1.5x of the ideal: one 500 ms interval holds ~50 samples at the target (sigma ~14 %),
  // and a served probability reaches the SDK a poll and an export after it is computed.
  private static final double WITHIN = 1.5;
  // Converged: inside that band through four recalculations in a row.
  private static final Duration STEADY = Duration.ofSeconds(2);

  private static SpanloomWithRemoteSampling spanloom;

  @BeforeAll
  static void start() {
    spanloom = new SpanloomWithRemoteSampling("adaptive: {target_samples_per_second: " + TARGET
        + ", delta_tolerance: 0.2, calculation_interval: 500ms, initial_sampling_probability: " + INITIAL
        + ", min_sampling_probability: " + MIN + "}");
  }

  @AfterAll
  static void stop() {
    if (spanloom != null) spanloom.close();
  }

  @Test
  void probabilityPulledBySdkConvergesTowardTheTargetWhenTheSdkAppliesIt() throws Exception {
    try (JaegerRemoteSampler sampler = spanloom.pulledSampler("cart");
        SyntheticRootTraffic traffic = new SyntheticRootTraffic(spanloom.otlpGrpcEndpoint(), "cart", "GET /cart", 2_000, sampler)) {
      assertThat(pulledProbability(sampler, "GET /cart")).isEqualTo(INITIAL);
      // 2,000 requests/s and 100 samples/s wanted: 0.05, ten times the initial probability.
      awaitSteady(Duration.ofSeconds(40),
          () -> withinOfIdeal(pulledProbability(sampler, "GET /cart"), TARGET / traffic.requestsPerSecond()),
          () -> "pulled " + sampler.getDescription() + ", ideal " + TARGET / traffic.requestsPerSecond() + "; " + traffic);
    }
  }

  /**
   * The case of jaeger#6700: SDKs that sample on their own (here 50 %) and never apply what is
   * served. Those that say so with OTEP 235's {@code th} still get the right probability served;
   * without {@code th}, Jaeger's rule believes its own answer was applied and sinks to the floor.
   */
  @Test
  void probabilityIsLearnedFromThresholdsWhenTheSdkAppliesSomethingElse() throws Exception {
    try (JaegerRemoteSampler saysTh = spanloom.pulledSampler("legacy");
        JaegerRemoteSampler silent = spanloom.pulledSampler("legacy-no-th");
        SyntheticRootTraffic withTh = new SyntheticRootTraffic(spanloom.otlpGrpcEndpoint(), "legacy", "GET /legacy", 1_000,
            HalfWithThreshold.INSTANCE);
        SyntheticRootTraffic withoutTh = new SyntheticRootTraffic(spanloom.otlpGrpcEndpoint(), "legacy-no-th", "GET /legacy", 1_000,
            Sampler.traceIdRatioBased(0.5))) {
      // 1,000 requests/s and 100 samples/s wanted: 0.1, twenty times the initial probability.
      awaitSteady(Duration.ofSeconds(40),
          () -> withinOfIdeal(pulledProbability(saysTh, "GET /legacy"), TARGET / withTh.requestsPerSecond())
              && pulledProbability(silent, "GET /legacy") == MIN,
          () -> "with th: pulled " + saysTh.getDescription() + ", ideal " + TARGET / withTh.requestsPerSecond() + "; " + withTh
              + "; without th: pulled " + silent.getDescription() + "; " + withoutTh);
    }
  }

  /** Waits at most {@code limit} until {@code condition} has held for {@link #STEADY} without a break. */
  private static void awaitSteady(Duration limit, BooleanSupplier condition, Supplier<String> state) throws InterruptedException {
    long[] heldSince = {0};
    SpanloomWithRemoteSampling.await(limit, () -> {
      if (!condition.getAsBoolean()) {
        heldSince[0] = 0;
        return false;
      }
      if (heldSince[0] == 0) heldSince[0] = System.nanoTime();
      return System.nanoTime() - heldSince[0] >= STEADY.toNanos();
    }, state);
  }

  private static boolean withinOfIdeal(double probability, double ideal) {
    return probability >= ideal / WITHIN && probability <= ideal * WITHIN;
  }

  private static final Pattern RATIO = Pattern.compile("TraceIdRatioBased\\{([0-9.]+)\\}");

  /**
   * The probability {@code sampler} applies to root spans named {@code operation}, read from its
   * description: the operation's own in a per-operation strategy, else the default.
   */
  static double pulledProbability(JaegerRemoteSampler sampler, String operation) {
    String description = sampler.getDescription();
    Matcher own = Pattern.compile(Pattern.quote(operation + "=") + RATIO.pattern()).matcher(description);
    if (own.find()) return Double.parseDouble(own.group(1));
    Matcher any = Pattern.compile("(?:root:|default=)" + RATIO.pattern()).matcher(description);
    if (any.find()) return Double.parseDouble(any.group(1));
    throw new AssertionError("no probability in " + description);
  }

  /**
   * OTEP 235 consistent sampling at 50 %, as an SDK with a consistent-probability sampler does it:
   * sampled when the trace ID's low 56 bits reach the threshold 2^55, and says so with
   * {@code ot=th:8} in the tracestate.
   */
  enum HalfWithThreshold implements Sampler {
    INSTANCE;

    private static final SamplingResult SAMPLED = new SamplingResult() {
      @Override
      public SamplingDecision getDecision() {
        return SamplingDecision.RECORD_AND_SAMPLE;
      }

      @Override
      public Attributes getAttributes() {
        return Attributes.empty();
      }

      @Override
      public TraceState getUpdatedTraceState(TraceState parentTraceState) {
        return parentTraceState.toBuilder().put("ot", "th:8").build();
      }
    };

    @Override
    public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind, Attributes attributes,
        List<LinkData> parentLinks) {
      long randomness = Long.parseUnsignedLong(traceId.substring(18), 16);
      return randomness >= 1L << 55 ? SAMPLED : SamplingResult.drop();
    }

    @Override
    public String getDescription() {
      return "ConsistentProbability{0.5,th:8}";
    }
  }
}
