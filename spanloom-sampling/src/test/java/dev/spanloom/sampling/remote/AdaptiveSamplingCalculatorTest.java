package dev.spanloom.sampling.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spanloom.model.Attributes;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.TraceId;
import dev.spanloom.model.context.OtelTraceState;
import dev.spanloom.sampling.Sampler;
import dev.spanloom.sampling.SamplingParent;
import dev.spanloom.sampling.SamplingResult;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.function.DoubleFunction;
import org.junit.jupiter.api.Test;

/** Synthetic traffic through real head samplers, one simulated second per interval. */
class AdaptiveSamplingCalculatorTest {
  private static final Duration SECOND = Duration.ofSeconds(1);
  private final SplittableRandom random = new SplittableRandom(42);
  private final AdaptiveSamplingCalculator calculator = new AdaptiveSamplingCalculator(
      new AdaptiveSamplingCalculator.Options(10, 0.3, SECOND, 0.001, 1e-5, 1.0 / 60));

  /** Sends {@code perSecond} requests of an operation through the sampler an SDK builds from a probability; returns how many were sampled. */
  private int second(String op, int perSecond, DoubleFunction<Sampler> sdk) {
    Sampler sampler = sdk.apply(calculator.probability("checkout", op));
    int sampled = 0;
    for (int i = 0; i < perSecond; i++) {
      SamplingResult r = sampler.shouldSample(SamplingParent.ROOT, new TraceId(random.nextLong(), random.nextLong()), op,
          SpanKind.SERVER, Attributes.EMPTY);
      if (!r.isSampled()) continue;
      sampled++;
      double applied = OtelTraceState.from(r.traceState()).threshold().stream()
          .mapToDouble(OtelTraceState::probabilityFromThreshold).findFirst().orElse(Double.NaN);
      calculator.record("checkout", op, applied);
    }
    return sampled;
  }

  @Test
  void probabilitiesConvergeTowardTheTargetWhenSdksWriteTheirThreshold() {
    int lastA = 0;
    int lastB = 0;
    for (int s = 0; s < 30; s++) {
      lastA = second("GET /a", 2000, Sampler::consistentProbability);
      lastB = second("GET /b", 400, Sampler::consistentProbability);
      calculator.recalculate(SECOND);
    }
    assertThat(calculator.probability("checkout", "GET /a")).isBetween(0.0035, 0.0065); // 10 / 2000
    assertThat(calculator.probability("checkout", "GET /b")).isBetween(0.0175, 0.0325); // 10 / 400
    assertThat(lastA).isBetween(3, 20);
    assertThat(lastB).isBetween(3, 20);
    assertThat(calculator.strategy("checkout").operations()).containsOnlyKeys("GET /a", "GET /b");
  }

  @Test
  void theThresholdRevealsTheProbabilityAnSdkAppliedEvenWhenItIgnoredTheServedOne() {
    // An SDK that never fetched its strategy samples 50 %, and says so in th: 1000 sampled of 2000
    // requests a second. Σ 1/p estimates the 2000 requests, so the probability heads for 10 / 2000
    // (rising at most 50 % an interval from 0.001) and stays there.
    AdaptiveSamplingCalculator jaegerRule = new AdaptiveSamplingCalculator(calculator.options());
    for (int s = 0; s < 8; s++) {
      second("GET /a", 2000, served -> Sampler.consistentProbability(0.5));
      for (int i = 0; i < 1000; i++) jaegerRule.record("checkout", "GET /a", Double.NaN);
      calculator.recalculate(SECOND);
      jaegerRule.recalculate(SECOND);
    }
    assertThat(calculator.probability("checkout", "GET /a")).isBetween(0.0045, 0.0055);
    // Assuming its own 0.001 was applied, Jaeger's rule sees 1000/s against 10 and sinks to the floor (jaeger#6700).
    assertThat(jaegerRule.probability("checkout", "GET /a")).isEqualTo(1e-5);
  }

  @Test
  void withoutThresholdsItScalesTheServedProbabilityAsJaegerDoes() {
    for (int s = 0; s < 25; s++) {
      second("GET /a", 2000, Sampler::traceIdRatioBased);
      calculator.recalculate(SECOND);
    }
    assertThat(calculator.probability("checkout", "GET /a")).isBetween(0.0035, 0.0065);
  }

  @Test
  void increasesAreCappedAndSilenceDoublesTheProbability() {
    calculator.record("checkout", "rare", Double.NaN);
    calculator.recalculate(SECOND); // 1/s observed, target 10: wants x10, gets +50 %
    assertThat(calculator.probability("checkout", "rare")).isEqualTo(0.0015);
    calculator.recalculate(SECOND); // nothing seen: doubles
    assertThat(calculator.probability("checkout", "rare")).isEqualTo(0.003);
  }

  @Test
  void optionsNameTheBadValue() {
    assertThatThrownBy(() -> new AdaptiveSamplingCalculator.Options(0, 0.3, SECOND, 0.001, 1e-5, 0))
        .hasMessage("target_samples_per_second: 0.0 (expected: > 0)");
  }
}
