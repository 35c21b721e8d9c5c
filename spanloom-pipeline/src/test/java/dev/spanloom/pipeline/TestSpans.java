package dev.spanloom.pipeline;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Attributes;
import dev.spanloom.model.Resource;
import dev.spanloom.model.Span;
import dev.spanloom.model.SpanId;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.TraceId;
import java.util.ArrayList;
import java.util.List;

/** Spans for pipeline tests: valid, distinct by name and span ID, cheap to make in numbers. */
public final class TestSpans {
  public static final TraceId TRACE_ID = TraceId.fromHex("4bf92f3577b34da6a3ce929d0e0e4736");
  public static final long START_EPOCH_NANOS = 1_700_000_000_000_000_000L;
  public static final Resource RESOURCE =
      Resource.of(Attributes.of(Resource.SERVICE_NAME, AttributeValue.of("checkout")));

  private TestSpans() {}

  /** The span named {@code name}; the same name always gives an equal span. */
  public static Span span(String name) {
    return Span.builder()
        .traceId(TRACE_ID)
        .spanId(new SpanId((name.hashCode() & 0xffffffffL) | 0x1_0000_0000L))
        .name(name)
        .kind(SpanKind.SERVER)
        .startEpochNanos(START_EPOCH_NANOS)
        .endEpochNanos(START_EPOCH_NANOS + 1_000_000)
        .resource(RESOURCE)
        .build();
  }

  /** {@code count} spans named {@code prefix-0}, {@code prefix-1}, … */
  public static List<Span> spans(String prefix, int count) {
    List<Span> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) out.add(span(prefix + "-" + i));
    return out;
  }
}
