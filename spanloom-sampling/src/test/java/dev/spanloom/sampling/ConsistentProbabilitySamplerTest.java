package dev.spanloom.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spanloom.model.Attributes;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.TraceId;
import dev.spanloom.model.context.OtelTraceState;
import dev.spanloom.model.context.TraceState;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ConsistentProbabilitySamplerTest {
  private static SamplingResult decide(Sampler s, TraceId id, TraceState parentState) {
    return s.shouldSample(parentState.isEmpty() ? SamplingParent.ROOT : SamplingParent.remote(true, parentState), id, "op",
        SpanKind.SERVER, Attributes.EMPTY);
  }

  @Test
  void samplesWhenTheTraceIdRandomnessReachesTheThresholdAndWritesTh() {
    Sampler quarter = Sampler.consistentProbability(0.25); // threshold c0000000000000
    SamplingResult kept = decide(quarter, new TraceId(7, 0x00c0_0000_0000_0000L), TraceState.EMPTY);
    assertThat(kept.isSampled()).isTrue();
    assertThat(kept.traceState().format()).isEqualTo("ot=th:c");
    SamplingResult dropped = decide(quarter, new TraceId(7, 0x00bf_ffff_ffff_ffffL), TraceState.EMPTY);
    assertThat(dropped.isSampled()).isFalse();
    assertThat(dropped.traceState().isEmpty()).isTrue();
  }

  @Test
  void explicitRandomnessWinsOverTheTraceId() {
    TraceState parent = TraceState.parse("ot=rv:ffffffffffffff,rojo=1");
    SamplingResult r = decide(Sampler.consistentProbability(0.001), new TraceId(0, 0), parent);
    assertThat(r.isSampled()).isTrue();
    assertThat(r.traceState().format()).startsWith("ot=rv:ffffffffffffff;th:").endsWith(",rojo=1");
  }

  @Test
  void lowerProbabilitiesKeepASubsetOfHigherOnes() {
    double[] ps = {0.01, 0.1, 0.3, 0.7};
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 100_000; i++) {
      TraceId id = new TraceId(random.nextLong(), random.nextLong());
      boolean previous = false;
      for (double p : ps) {
        boolean sampled = decide(Sampler.consistentProbability(p), id, TraceState.EMPTY).isSampled();
        assertThat(!previous || sampled).as("trace %s kept at a lower probability but not at %s", id, p).isTrue();
        previous = sampled;
      }
    }
  }

  @Test
  void thresholdInTheTraceStateStatesTheProbability() {
    SamplingResult r = decide(Sampler.consistentProbability(0.1), new TraceId(0, -1L), TraceState.EMPTY);
    long th = OtelTraceState.from(r.traceState()).threshold().orElseThrow();
    assertThat(OtelTraceState.probabilityFromThreshold(th)).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-15));
  }
}
