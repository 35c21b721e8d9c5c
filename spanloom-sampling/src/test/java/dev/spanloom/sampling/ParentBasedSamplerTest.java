package dev.spanloom.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spanloom.model.SpanId;
import dev.spanloom.model.TraceId;
import dev.spanloom.model.context.TraceState;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** ParentBased against the SDK's, for root spans and the four parent cases. */
class ParentBasedSamplerTest {
  private enum Parent { NONE, REMOTE_SAMPLED, REMOTE_NOT_SAMPLED, LOCAL_SAMPLED, LOCAL_NOT_SAMPLED }

  @Test
  void agreesWithTheSdkInEveryParentCase() {
    for (double ratio : new double[] {0.0, 0.1, 0.5, 1.0}) {
      io.opentelemetry.sdk.trace.samplers.Sampler sdk =
          io.opentelemetry.sdk.trace.samplers.Sampler.parentBased(io.opentelemetry.sdk.trace.samplers.Sampler.traceIdRatioBased(ratio));
      Sampler ours = Sampler.parentBased(Sampler.traceIdRatioBased(ratio));
      assertThat(ours.description()).isEqualTo(sdk.getDescription());
      SplittableRandom random = new SplittableRandom(7);
      for (int i = 0; i < 20_000; i++) {
        TraceId id = new TraceId(random.nextLong(), random.nextLong());
        for (Parent p : Parent.values()) {
          boolean expected = sdk.shouldSample(sdkContext(p, id), id.toHex(), "op", io.opentelemetry.api.trace.SpanKind.SERVER,
              Attributes.empty(), List.of()).getDecision() == SamplingDecision.RECORD_AND_SAMPLE;
          boolean actual = ours.shouldSample(parent(p), id, "op", dev.spanloom.model.SpanKind.SERVER,
              dev.spanloom.model.Attributes.EMPTY).isSampled();
          assertThat(actual).as("ratio %s, %s, trace %s", ratio, p, id).isEqualTo(expected);
        }
      }
    }
  }

  @Test
  void usesTheOverridesForEachParentCase() {
    Sampler sampler = Sampler.parentBasedBuilder(Sampler.alwaysOff())
        .remoteParentNotSampled(Sampler.alwaysOn())
        .localParentSampled(Sampler.alwaysOff())
        .build();
    TraceId id = new TraceId(1, 1);
    assertThat(decide(sampler, Parent.NONE, id)).isFalse();
    assertThat(decide(sampler, Parent.REMOTE_SAMPLED, id)).isTrue();
    assertThat(decide(sampler, Parent.REMOTE_NOT_SAMPLED, id)).isTrue();
    assertThat(decide(sampler, Parent.LOCAL_SAMPLED, id)).isFalse();
    assertThat(decide(sampler, Parent.LOCAL_NOT_SAMPLED, id)).isFalse();
  }

  private static boolean decide(Sampler s, Parent p, TraceId id) {
    return s.shouldSample(parent(p), id, "op", dev.spanloom.model.SpanKind.SERVER, dev.spanloom.model.Attributes.EMPTY).isSampled();
  }

  private static SamplingParent parent(Parent p) {
    return switch (p) {
      case NONE -> SamplingParent.ROOT;
      case REMOTE_SAMPLED -> SamplingParent.remote(true, TraceState.EMPTY);
      case REMOTE_NOT_SAMPLED -> SamplingParent.remote(false, TraceState.EMPTY);
      case LOCAL_SAMPLED -> SamplingParent.local(true, TraceState.EMPTY);
      case LOCAL_NOT_SAMPLED -> SamplingParent.local(false, TraceState.EMPTY);
    };
  }

  private static Context sdkContext(Parent p, TraceId id) {
    if (p == Parent.NONE) return Context.root();
    TraceFlags flags = p == Parent.REMOTE_SAMPLED || p == Parent.LOCAL_SAMPLED ? TraceFlags.getSampled() : TraceFlags.getDefault();
    String spanId = new SpanId(0x1234).toHex();
    SpanContext sc = p == Parent.REMOTE_SAMPLED || p == Parent.REMOTE_NOT_SAMPLED
        ? SpanContext.createFromRemoteParent(id.toHex(), spanId, flags, io.opentelemetry.api.trace.TraceState.getDefault())
        : SpanContext.create(id.toHex(), spanId, flags, io.opentelemetry.api.trace.TraceState.getDefault());
    return Context.root().with(Span.wrap(sc));
  }
}
