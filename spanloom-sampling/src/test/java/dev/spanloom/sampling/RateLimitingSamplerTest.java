package dev.spanloom.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spanloom.model.Attributes;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.TraceId;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimitingSamplerTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  private int sampledOf(Sampler s, int n) {
    int sampled = 0;
    for (int i = 0; i < n; i++) {
      if (s.shouldSample(SamplingParent.ROOT, new TraceId(0, i + 1), "op", SpanKind.SERVER, Attributes.EMPTY).isSampled()) sampled++;
    }
    return sampled;
  }

  @Test
  void startsWithAFullBucketAndRefillsAtTheRate() {
    RateLimitingSampler s = new RateLimitingSampler(10, now::get);
    assertThat(sampledOf(s, 100)).isEqualTo(10); // the burst
    now.addAndGet(500_000_000L);
    assertThat(sampledOf(s, 100)).isEqualTo(5); // half a second refills five credits
    now.addAndGet(60_000_000_000L);
    assertThat(sampledOf(s, 100)).isEqualTo(10); // never more than the burst
  }

  @Test
  void belowOneTracePerSecondHoldsOneCredit() {
    RateLimitingSampler s = new RateLimitingSampler(0.5, now::get);
    assertThat(sampledOf(s, 10)).isEqualTo(1);
    now.addAndGet(1_000_000_000L);
    assertThat(sampledOf(s, 10)).isZero();
    now.addAndGet(1_000_000_000L);
    assertThat(sampledOf(s, 10)).isEqualTo(1);
  }

  @Test
  void describesItsRate() {
    assertThat(new RateLimitingSampler(2.5, now::get).description()).isEqualTo("RateLimitingSampler{2.50}");
  }
}
