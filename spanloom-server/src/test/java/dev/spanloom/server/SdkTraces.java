package dev.spanloom.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.util.JsonFormat;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One trace that uses every OTLP field, made by the real OpenTelemetry SDK, and the means to
 * compare what a Spanloom stored with what the SDK itself encodes, span by span.
 */
final class SdkTraces {
  static final long T0 = 1_700_000_000_123_456_789L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private SdkTraces() {}

  /**
   * Ends a five-span trace (a server span with a remote parent, trace state, typed and array
   * attributes, a link and an event; one child of each other kind) and exports it through
   * {@code otlpExporter}. Returns the spans as the SDK finished them; fails unless the export
   * succeeded.
   */
  static List<SpanData> exportRichTrace(SpanExporter otlpExporter, String label, String remoteParentTraceId) {
    InMemorySpanExporter memory = InMemorySpanExporter.create();
    Resource resource = Resource.getDefault().merge(Resource.create(Attributes.builder()
        .put("service.name", "checkout-" + label)
        .put("deployment.environment", "test")
        .put(AttributeKey.longKey("process.pid"), 4242L)
        .build(), "https://opentelemetry.io/schemas/1.24.0"));
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(resource)
        .addSpanProcessor(SimpleSpanProcessor.create(memory))
        .addSpanProcessor(SimpleSpanProcessor.create(otlpExporter))
        .build();
    Tracer tracer = provider.tracerBuilder("dev.spanloom.e2e").setInstrumentationVersion("1.2.3")
        .setSchemaUrl("https://opentelemetry.io/schemas/1.21.0").build();

    SpanContext remoteParent = SpanContext.createFromRemoteParent(remoteParentTraceId,
        "00f067aa0ba902b7", TraceFlags.getSampled(), TraceState.builder().put("rojo", "00f067aa0ba902b7").build());
    SpanContext linked = SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
        TraceFlags.getDefault(), TraceState.builder().put("congo", "t61rcWkgMzE").build());
    Span server = tracer.spanBuilder("POST /order " + label).setSpanKind(SpanKind.SERVER)
        .setParent(Context.root().with(Span.wrap(remoteParent)))
        .setStartTimestamp(T0, TimeUnit.NANOSECONDS)
        .setAttribute("http.request.method", "POST")
        .setAttribute("http.response.status_code", 201L)
        .setAttribute("retry", true)
        .setAttribute("ratio", 0.25)
        .setAttribute(AttributeKey.stringArrayKey("tags"), List.of("a", "b"))
        .setAttribute(AttributeKey.longArrayKey("codes"), List.of(1L, 2L, 3L))
        .setAttribute(AttributeKey.doubleArrayKey("weights"), List.of(0.5, 1.5))
        .setAttribute(AttributeKey.booleanArrayKey("flags"), List.of(true, false))
        .addLink(linked, Attributes.of(AttributeKey.stringKey("link.kind"), "follows"))
        .startSpan();
    server.addEvent("query_slow", Attributes.of(AttributeKey.longKey("threshold_ms"), 100L), T0 + 1_001, TimeUnit.NANOSECONDS);
    Context serverContext = Context.root().with(server);
    for (SpanKind kind : new SpanKind[] {SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER, SpanKind.INTERNAL}) {
      Span child = tracer.spanBuilder(kind.name().toLowerCase() + " op").setSpanKind(kind).setParent(serverContext)
          .setStartTimestamp(T0 + kind.ordinal() * 1_000_003L, TimeUnit.NANOSECONDS).startSpan();
      if (kind == SpanKind.CLIENT) child.setStatus(StatusCode.OK);
      child.end(T0 + kind.ordinal() * 1_000_003L + 777, TimeUnit.NANOSECONDS);
    }
    server.setStatus(StatusCode.ERROR, "payment declined");
    server.end(T0 + 245_000_001L, TimeUnit.NANOSECONDS);
    assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    List<SpanData> sent = memory.getFinishedSpanItems(); // shutdown clears the in-memory exporter
    provider.shutdown().join(10, TimeUnit.SECONDS);
    assertThat(sent).hasSize(5);
    return sent;
  }

  /** What the SDK itself encodes as OTLP: the reference for "round-trips exactly". */
  static ExportTraceServiceRequest sdkEncoding(List<SpanData> spans) throws IOException {
    ByteArrayOutputStream encoded = new ByteArrayOutputStream();
    TraceRequestMarshaler.create(spans).writeBinaryTo(encoded);
    return ExportTraceServiceRequest.parseFrom(encoded.toByteArray());
  }

  /** A Tempo {@code /api/traces/{id}} JSON answer as OTLP. */
  static TracesData fromTempoJson(AggregatedHttpResponse got) throws IOException {
    ObjectNode body = (ObjectNode) JSON.readTree(got.contentUtf8());
    ObjectNode asOtlp = JSON.createObjectNode();
    asOtlp.set("resourceSpans", body.get("batches"));
    TracesData.Builder actual = TracesData.newBuilder();
    JsonFormat.parser().merge(asOtlp.toString(), actual);
    return actual.build();
  }

  /** Each span by hex span ID, with its resource and scope, so that grouping order does not matter. */
  static Map<String, List<Object>> flatten(List<ResourceSpans> batches) {
    Map<String, List<Object>> out = new HashMap<>();
    for (ResourceSpans rs : batches) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (io.opentelemetry.proto.trace.v1.Span s : ss.getSpansList()) {
          out.put(dev.spanloom.model.SpanId.fromBytes(s.getSpanId().toByteArray()).toHex(),
              List.of(s, rs.getResource(), rs.getSchemaUrl(), ss.getScope(), ss.getSchemaUrl()));
        }
      }
    }
    return out;
  }
}
