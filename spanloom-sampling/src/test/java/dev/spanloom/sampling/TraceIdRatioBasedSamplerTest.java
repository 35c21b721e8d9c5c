package dev.spanloom.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spanloom.model.SpanKind;
import dev.spanloom.model.TraceId;
import dev.spanloom.model.context.TraceState;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The head sampler against the real OpenTelemetry Java SDK, decision for decision. */
class TraceIdRatioBasedSamplerTest {
  private static final double[] RATIOS = {0.0, 1e-6, 0.0001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.999999, 1.0};

  @Test
  void agreesWithTheOpenTelemetrySdkOnAMillionRandomTraceIds() {
    io.opentelemetry.sdk.trace.samplers.Sampler[] sdk = new io.opentelemetry.sdk.trace.samplers.Sampler[RATIOS.length];
    TraceIdRatioBasedSampler[] ours = new TraceIdRatioBasedSampler[RATIOS.length];
    for (int r = 0; r < RATIOS.length; r++) {
      sdk[r] = io.opentelemetry.sdk.trace.samplers.Sampler.traceIdRatioBased(RATIOS[r]);
      ours[r] = new TraceIdRatioBasedSampler(RATIOS[r]);
    }
    SplittableRandom random = new SplittableRandom(20240505);
    long[] sampledCount = new long[RATIOS.length];
    int ids = 1_000_000;
    for (int i = 0; i < ids; i++) {
      TraceId id = new TraceId(random.nextLong(), random.nextLong());
      assertSameDecisions(id, sdk, ours, sampledCount);
    }
    // The IDs where abs() and the bounds matter.
    for (long low : new long[] {Long.MIN_VALUE, Long.MIN_VALUE + 1, -1, 0, 1, Long.MAX_VALUE, Long.MAX_VALUE - 1}) {
      assertSameDecisions(new TraceId(1, low), sdk, ours, new long[RATIOS.length]);
    }
    assertThat(sampledCount[0]).isZero();
    assertThat(sampledCount[RATIOS.length - 1]).isEqualTo(ids);
    assertThat(sampledCount[6]).isBetween(248_000L, 252_000L); // 25 %, about 6 sigma
  }

  private static void assertSameDecisions(TraceId id, io.opentelemetry.sdk.trace.samplers.Sampler[] sdk,
      TraceIdRatioBasedSampler[] ours, long[] sampledCount) {
    String hex = id.toHex();
    for (int r = 0; r < sdk.length; r++) {
      boolean expected = sdk[r].shouldSample(Context.root(), hex, "op", io.opentelemetry.api.trace.SpanKind.INTERNAL,
          Attributes.empty(), List.of()).getDecision() == SamplingDecision.RECORD_AND_SAMPLE;
      boolean actual = ours[r].sampled(id);
      if (actual != expected) {
        throw new AssertionError("ratio " + RATIOS[r] + ", trace " + hex + ": SDK says " + expected + ", Spanloom says " + actual);
      }
      if (actual) sampledCount[r]++;
    }
  }

  @Test
  void describesItselfAsTheSdkDoes() {
    for (double ratio : RATIOS) {
      assertThat(Sampler.traceIdRatioBased(ratio).description())
          .isEqualTo(io.opentelemetry.sdk.trace.samplers.Sampler.traceIdRatioBased(ratio).getDescription());
    }
  }

  @Test
  void keepsTheParentTraceStateUnchanged() {
    TraceState state = TraceState.parse("rojo=00f067aa0ba902b7");
    SamplingResult result = Sampler.traceIdRatioBased(1.0).shouldSample(SamplingParent.remote(true, state),
        new TraceId(1, 2), "op", SpanKind.SERVER, dev.spanloom.model.Attributes.EMPTY);
    assertThat(result.isSampled()).isTrue();
    assertThat(result.traceState()).isSameAs(state);
  }

  @Test
  void rejectsRatiosOutsideZeroToOne() {
    assertThatThrownBy(() -> Sampler.traceIdRatioBased(1.5)).hasMessage("ratio: 1.5 (expected: 0.0 to 1.0)");
    assertThatThrownBy(() -> Sampler.traceIdRatioBased(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
  }
}
