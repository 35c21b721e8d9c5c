package dev.spanloom.storage;

import dev.spanloom.model.Attributes;
import dev.spanloom.model.Resource;
import dev.spanloom.model.Span;
import dev.spanloom.model.SpanId;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.TraceId;
import java.util.ArrayList;
import java.util.List;

/**
 * Small spans for this module's unit tests. The rich fixtures live in {@code
 * spanloom-storage-tests}' {@code TestSpans}, which this module cannot depend on (it depends on
 * us).
 */
final class StorageFixtures {
  /** An arbitrary epoch-nanos origin with a non-round nanosecond part. */
  static final long T0 = 1_700_000_000_123_456_789L;

  private StorageFixtures() {}

  static TraceId traceId(long n) {
    return new TraceId(0x0af7651916cd43ddL, n);
  }

  static Resource service(String name) {
    return Resource.of(Attributes.builder().put(Resource.SERVICE_NAME, name).build());
  }

  /** A root span of trace {@code n}, service "frontend", name "GET /", from T0 lasting 1 ms. */
  static Span.Builder span(long traceN, long spanId) {
    return Span.builder()
        .traceId(traceId(traceN))
        .spanId(new SpanId(spanId))
        .name("GET /")
        .kind(SpanKind.SERVER)
        .startEpochNanos(T0)
        .endEpochNanos(T0 + 1_000_000)
        .resource(service("frontend"));
  }

  /** {@code count} spans of trace {@code traceN}, span IDs 1..count. */
  static List<Span> spans(long traceN, int count) {
    List<Span> spans = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      spans.add(span(traceN, i).parentSpanId(i == 1 ? null : new SpanId(1)).build());
    }
    return spans;
  }

  static long sizeOf(List<Span> spans) {
    long size = 0;
    for (Span s : spans) size += s.estimatedSizeBytes();
    return size;
  }
}
