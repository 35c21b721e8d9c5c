package dev.spanloom.storage.local;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Attributes;
import dev.spanloom.model.Event;
import dev.spanloom.model.InstrumentationScope;
import dev.spanloom.model.Link;
import dev.spanloom.model.Resource;
import dev.spanloom.model.Span;
import dev.spanloom.model.SpanId;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.Status;
import dev.spanloom.model.StatusCode;
import dev.spanloom.model.TraceId;
import java.util.ArrayList;
import java.util.List;

/** Spans for this module's engine tests; the shared conformance fixtures live in TestSpans. */
final class Spans {
  /** 2026-01-01T00:00:00Z: far enough from epoch that deltas are realistic. */
  static final long T0 = 1_767_225_600_000_000_000L;

  static final Resource FRONTEND = Resource.of(Attributes.builder()
      .put(Resource.SERVICE_NAME, "frontend").put("host.name", "web-1").build());
  static final Resource BACKEND = Resource.of(Attributes.builder()
      .put(Resource.SERVICE_NAME, "backend").put("host.name", "app-1").build());
  static final Resource BILLING = Resource.of(Attributes.builder()
      .put(Resource.SERVICE_NAME, "billing").put("host.name", "app-2").build());

  private Spans() {}

  static TraceId traceId(long n) {
    return new TraceId(0x0123_4567_89ab_cdefL ^ n, n);
  }

  /** A plain span of trace {@code trace}, span number {@code n}, starting {@code n} ms after T0. */
  static Span span(TraceId trace, long n, Resource resource, String name) {
    long start = T0 + n * 1_000_000L;
    return Span.builder()
        .traceId(trace)
        .spanId(new SpanId(1000 + n))
        .parentSpanId(n == 0 ? null : new SpanId(1000))
        .name(name)
        .kind(n == 0 ? SpanKind.SERVER : SpanKind.CLIENT)
        .startEpochNanos(start)
        .endEpochNanos(start + 5_000_000L)
        .attributes(Attributes.builder().put("http.method", "GET").put("n", n).build())
        .resource(resource)
        .scope(InstrumentationScope.of("io.opentelemetry.http", "1.0"))
        .build();
  }

  /** {@code count} spans of one trace: a root from frontend, children from backend. */
  static List<Span> trace(TraceId trace, int count) {
    List<Span> spans = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      spans.add(span(trace, i, i == 0 ? FRONTEND : BACKEND, i == 0 ? "GET /" : "query " + i));
    }
    return spans;
  }

  /** {@code spans} moved later by {@code nanos}. */
  static List<Span> shifted(List<Span> spans, long nanos) {
    return spans.stream()
        .map(s -> s.toBuilder().startEpochNanos(s.startEpochNanos() + nanos)
            .endEpochNanos(s.endEpochNanos() + nanos).build())
        .toList();
  }

  /** A span with every field set to something other than its default, every value type used. */
  static Span everyField() {
    Attributes nested = Attributes.builder().put("inner", "x").put("count", 3L).build();
    Attributes attrs = Attributes.builder()
        .put("string", "value")
        .put("empty", "")
        .put("unicode", "größe ✓ 日本")
        .put("true", true)
        .put("false", false)
        .put("long", Long.MIN_VALUE)
        .put("negative", -42L)
        .put("double", 3.25)
        .put("nan", Double.NaN)
        .put("bytes", AttributeValue.of(new byte[] {0, 1, (byte) 0xFF}))
        .put("array", AttributeValue.ofArray(List.of(AttributeValue.of("a"), AttributeValue.of(1L),
            AttributeValue.ofArray(List.of(AttributeValue.of(true))))))
        .put("kvlist", new AttributeValue.KeyValueList(nested))
        .build();
    Resource resource = new Resource(Attributes.builder()
        .put(Resource.SERVICE_NAME, "checkout").put("k8s.pod.name", "pod-7").build(), 2, "https://opentelemetry.io/schemas/1.21.0");
    InstrumentationScope scope = new InstrumentationScope("lib", "2.1", Attributes.of("scope.attr",
        AttributeValue.of(7L)), 1, "https://scope/schema");
    return Span.builder()
        .traceId(new TraceId(0xFFFF_FFFF_FFFF_FFFFL, 0x8000_0000_0000_0001L))
        .spanId(new SpanId(0xFEDC_BA98_7654_3210L))
        .parentSpanId(new SpanId(-1L))
        .traceState("vendor=abc,other=1")
        .flags(0x301)
        .name("POST /checkout")
        .kind(SpanKind.PRODUCER)
        .startEpochNanos(T0 + 123)
        .endEpochNanos(T0 + 123 + 987_654_321L)
        .attributes(attrs)
        .droppedAttributesCount(3)
        .events(List.of(Event.of("exception", T0 + 500, Attributes.of("exception.type",
            AttributeValue.of("IOException"))), new Event("before-start", T0 - 10, Attributes.EMPTY, 4)))
        .droppedEventsCount(5)
        .links(List.of(new Link(new TraceId(1, 2), new SpanId(3), "ts=1", Attributes.of("link",
            AttributeValue.of(true)), 6, 1), Link.of(new TraceId(9, 9), new SpanId(9), Attributes.EMPTY)))
        .droppedLinksCount(7)
        .status(Status.of(StatusCode.ERROR, "card declined"))
        .resource(resource)
        .scope(scope)
        .build();
  }
}
