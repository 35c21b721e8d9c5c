package dev.spanloom.pipeline.servicegraph;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Attributes;
import dev.spanloom.model.Resource;
import dev.spanloom.model.Span;
import dev.spanloom.model.SpanId;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.Status;
import dev.spanloom.model.TraceId;

/** Spans of services calling each other, for service-graph tests: one trace, IDs chosen by the test. */
public final class GraphSpans {
  public static final TraceId TRACE_ID = TraceId.fromHex("4bf92f3577b34da6a3ce929d0e0e4736");
  public static final long START = 1_700_000_000_000_000_000L;

  private GraphSpans() {}

  /** A span of {@code service} with ID {@code id}, child of {@code parent} (0: a root), lasting {@code millis}. */
  public static Span.Builder span(String service, SpanKind kind, long id, long parent, long millis) {
    Span.Builder b = Span.builder()
        .traceId(TRACE_ID)
        .spanId(new SpanId(id))
        .name(kind.name().toLowerCase() + " " + id)
        .kind(kind)
        .startEpochNanos(START + id * 1_000_000)
        .endEpochNanos(START + id * 1_000_000 + millis * 1_000_000)
        .resource(Resource.of(Attributes.of(Resource.SERVICE_NAME, AttributeValue.of(service))));
    if (parent != 0) b.parentSpanId(new SpanId(parent));
    return b;
  }

  public static Span client(String service, long id, long parent, long millis) {
    return span(service, SpanKind.CLIENT, id, parent, millis).build();
  }

  public static Span server(String service, long id, long parent, long millis) {
    return span(service, SpanKind.SERVER, id, parent, millis).build();
  }

  public static Span withAttributes(Span.Builder b, String... keyValues) {
    Attributes.Builder a = Attributes.builder();
    for (int i = 0; i < keyValues.length; i += 2) a.put(keyValues[i], keyValues[i + 1]);
    return b.attributes(a.build()).build();
  }

  public static Span failed(Span s) {
    return s.toBuilder().status(Status.ERROR).build();
  }
}
