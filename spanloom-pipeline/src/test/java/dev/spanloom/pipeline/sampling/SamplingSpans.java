package dev.spanloom.pipeline.sampling;

import dev.spanloom.model.Attributes;
import dev.spanloom.model.Resource;
import dev.spanloom.model.Span;
import dev.spanloom.model.SpanId;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.Status;
import dev.spanloom.model.TraceId;
import dev.spanloom.pipeline.SpanConsumer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Spans and a recording downstream for the sampling processors' tests. */
final class SamplingSpans {
  static final long T0 = 1_700_000_000_000_000_000L;

  private SamplingSpans() {}

  static Span span(TraceId traceId, long spanId) {
    return builder(traceId, spanId, "svc").build();
  }

  static Span.Builder builder(TraceId traceId, long spanId, String service) {
    return Span.builder().traceId(traceId).spanId(new SpanId(spanId)).name("op").kind(SpanKind.SERVER)
        .startEpochNanos(T0).endEpochNanos(T0 + 1_000_000).status(Status.UNSET)
        .resource(Resource.of(Attributes.builder().put("service.name", service).build()));
  }

  /** Collects what reaches it; completes each call at once. */
  static final class Downstream implements SpanConsumer {
    final List<Span> spans = Collections.synchronizedList(new ArrayList<>());

    @Override
    public CompletableFuture<Void> consume(List<Span> batch) {
      spans.addAll(batch);
      return CompletableFuture.completedFuture(null);
    }
  }
}
