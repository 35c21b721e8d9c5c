package dev.spanloom.pipeline.sampling;

import static dev.spanloom.pipeline.sampling.SamplingSpans.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Attributes;
import dev.spanloom.model.Span;
import dev.spanloom.model.TraceId;
import dev.spanloom.model.context.OtelTraceState;
import dev.spanloom.model.context.TraceState;
import dev.spanloom.pipeline.TestConfigs;
import dev.spanloom.pipeline.config.ConfigException;
import dev.spanloom.pipeline.sampling.ProbabilisticSamplerProcessor.Mode;
import dev.spanloom.sampling.CollectorHashes;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ProbabilisticSamplerProcessorTest {
  private static ProbabilisticSamplerProcessor fromYaml(String yaml) {
    return ProbabilisticSamplerProcessor.fromConfig(TestConfigs.yaml(yaml).child("processors").child("probabilistic_sampler"));
  }

  private static List<TraceId> randomIds(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<TraceId> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) ids.add(new TraceId(r.nextLong(), r.nextLong()));
    return ids;
  }

  @Test
  void theSeedSnippetsLoadAsWritten() {
    ProbabilisticSamplerProcessor plain = fromYaml("""
        processors:
          probabilistic_sampler:
            sampling_percentage: 10
        """);
    assertThat(plain.mode()).isEqualTo(Mode.PROPORTIONAL);
    ProbabilisticSamplerProcessor seeded = fromYaml("""
        processors:
          probabilistic_sampler:
            sampling_percentage: 10
            hash_seed: 22  # For consistent sampling across collectors
        """);
    assertThat(seeded.mode()).isEqualTo(Mode.HASH_SEED);
    assertThat(seeded).hasToString("probabilistic_sampler{sampling_percentage=10.0, mode=hash_seed, hash_seed=22, fail_closed=true, sampling_precision=4}");
  }

  @Test
  void hashSeedModeKeepsExactlyTheTracesWhoseBucketIsBelowTheRate() {
    ProbabilisticSamplerProcessor p = new ProbabilisticSamplerProcessor(10, 22, Mode.HASH_SEED, true, 4);
    int rate = CollectorHashes.hashSeedScaledRate(10); // 1638
    int kept = 0;
    for (TraceId id : randomIds(100_000, 1)) {
      int hash = CollectorHashes.fnv1a32(22, id);
      boolean expected = (hash & 0x3fff) < rate;
      Span out = p.sample(span(id, 1));
      assertThat(out != null).as("trace %s", id).isEqualTo(expected);
      if (out != null) {
        kept++;
        OtelTraceState ot = OtelTraceState.from(TraceState.parse(out.traceState()));
        assertThat(ot.randomValue().getAsLong()).isEqualTo(CollectorHashes.hashSeedRandomness(hash));
        assertThat(ot.threshold().getAsLong()).isEqualTo(CollectorHashes.hashSeedThreshold(rate));
      }
    }
    assertThat(kept).isBetween(9_600, 10_400);
    assertThat(p.countsByPolicy()).containsEntry("trace_id_hash|true", (long) kept);
  }

  @Test
  void proportionalModeUsesTheTraceIdRandomnessAndWritesTheThreshold() {
    ProbabilisticSamplerProcessor p = new ProbabilisticSamplerProcessor(10, 0, Mode.PROPORTIONAL, true, 4);
    long threshold = 0xe6660000000000L; // 10 % at four hex digits
    for (TraceId id : randomIds(50_000, 2)) {
      Span out = p.sample(span(id, 1));
      assertThat(out != null).isEqualTo((id.low() & OtelTraceState.MAX_RANDOM_VALUE) >= threshold);
      if (out != null) assertThat(out.traceState()).isEqualTo("ot=th:e666");
    }
  }

  @Test
  void proportionalModeMultipliesAnArrivingProbability() {
    ProbabilisticSamplerProcessor p = new ProbabilisticSamplerProcessor(50, 0, Mode.PROPORTIONAL, true, 4);
    // Arrived at 50 % (th:8); 50 % of that is 25 %: th:c. Randomness ff… passes both.
    Span in = span(new TraceId(1, 0x00ff_ffff_ffff_ffffL), 1).toBuilder().traceState("ot=th:8,rojo=1").build();
    assertThat(p.sample(in).traceState()).isEqualTo("ot=th:c,rojo=1");
  }

  @Test
  void equalizingModePassesThroughWhatWasSampledLessAlready() {
    ProbabilisticSamplerProcessor p = new ProbabilisticSamplerProcessor(10, 0, Mode.EQUALIZING, true, 4);
    Span rarer = span(new TraceId(1, 0x00ff_0000_0000_0000L), 1).toBuilder().traceState("ot=th:f").build();
    assertThat(p.sample(rarer).traceState()).isEqualTo("ot=th:f");
    Span commoner = span(new TraceId(1, 0x00f0_0000_0000_0000L), 1).toBuilder().traceState("ot=th:8").build();
    assertThat(p.sample(commoner).traceState()).isEqualTo("ot=th:e666");
  }

  @Test
  void samplingPriorityZeroDropsAndPositiveKeeps() {
    ProbabilisticSamplerProcessor all = new ProbabilisticSamplerProcessor(100, 0, Mode.PROPORTIONAL, true, 4);
    ProbabilisticSamplerProcessor none = new ProbabilisticSamplerProcessor(0, 0, Mode.PROPORTIONAL, true, 4);
    TraceId id = new TraceId(3, 4);
    assertThat(all.sample(withPriority(id, AttributeValue.of(0L)))).isNull();
    assertThat(all.sample(withPriority(id, AttributeValue.of("0")))).isNull();
    assertThat(none.sample(withPriority(id, AttributeValue.of(1L)))).isNotNull();
    assertThat(none.sample(withPriority(id, AttributeValue.of(2.5)))).isNotNull();
    assertThat(none.sample(withPriority(id, AttributeValue.of(-1L)))).isNull(); // negative defers to 0 %
    assertThat(none.countsByPolicy()).containsEntry("sampling_priority|true", 2L);
  }

  private static Span withPriority(TraceId id, AttributeValue v) {
    return span(id, 1).toBuilder().attributes(Attributes.builder().put("sampling.priority", v).build()).build();
  }

  @Test
  void spansWithoutRandomnessFailClosedUnlessToldOtherwise() {
    Span zero = span(TraceId.INVALID, 1);
    Span badState = span(new TraceId(1, -1L), 1).toBuilder().traceState("ot=th:zz").build();
    ProbabilisticSamplerProcessor closed = new ProbabilisticSamplerProcessor(100, 0, Mode.PROPORTIONAL, true, 4);
    ProbabilisticSamplerProcessor open = new ProbabilisticSamplerProcessor(100, 0, Mode.PROPORTIONAL, false, 4);
    assertThat(closed.sample(zero)).isNull();
    assertThat(closed.sample(badState)).isNull();
    assertThat(open.sample(zero)).isNotNull();
    assertThat(open.sample(badState)).isNotNull();
    assertThat(closed.countsByPolicy()).containsEntry("missing_randomness|false", 2L); // an unparsable tracestate gives no randomness either
  }

  @Test
  void hashSeedModeRefusesSpansAlreadySampledTheOtep235Way() {
    ProbabilisticSamplerProcessor p = new ProbabilisticSamplerProcessor(100, 1, Mode.HASH_SEED, true, 4);
    assertThat(p.sample(span(new TraceId(1, 2), 1).toBuilder().traceState("ot=th:8").build())).isNull();
  }

  @Test
  void droppedSpansCompleteAtOnceAndOnlyKeptOnesGoDownstream() {
    ProbabilisticSamplerProcessor p = new ProbabilisticSamplerProcessor(50, 0, Mode.PROPORTIONAL, true, 4);
    SamplingSpans.Downstream next = new SamplingSpans.Downstream();
    Span keep = span(new TraceId(1, 0x00ff_ffff_ffff_ffffL), 1);
    Span drop = span(new TraceId(1, 1), 2);
    CompletableFuture<Void> done = p.process(List.of(keep, drop), next);
    assertThat(done).isCompleted();
    assertThat(next.spans).extracting(Span::spanId).containsExactly(keep.spanId());
    assertThat(p.process(List.of(drop), batch -> new CompletableFuture<>())).isCompleted();
    assertThat(p.spansDropped()).isEqualTo(2);
  }

  @Test
  void badSettingsNameTheKey() {
    assertThatThrownBy(() -> fromYaml("processors: {probabilistic_sampler: {sampling_percentage: 10, mode: fast}}"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("processors.probabilistic_sampler.mode: \"fast\" (expected: hash_seed, proportional or equalizing)");
    assertThatThrownBy(() -> fromYaml("processors: {probabilistic_sampler: {sampling_percentage: -1}}"))
        .hasMessageStartingWith("processors.probabilistic_sampler.sampling_percentage: -1.0");
    assertThatThrownBy(() -> fromYaml("processors: {probabilistic_sampler: {sampling_precision: 15}}"))
        .hasMessage("processors.probabilistic_sampler.sampling_precision: 15 (expected: 1 to 14)");
  }
}
