package dev.spanloom.otlp;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.Status.StatusCode;
import java.util.HexFormat;

/**
 * Shared OTLP fixtures: {@link #everyField()}, a request that sets every field the trace protocol
 * has, and small builders for the one-span requests of the validation and JSON tests.
 */
final class TestRequests {
  /** The trace ID of the OTLP specification's JSON example. */
  static final String SPEC_TRACE_ID_HEX = "5B8EFFF798038103D269B633813FC60C";
  static final String SPEC_SPAN_ID_HEX = "EEE19B7EC3C1B174";
  static final String SPEC_PARENT_SPAN_ID_HEX = "EEE19B7EC3C1B173";
  static final long SPEC_START_NANOS = 1544712660000000000L;
  static final long SPEC_END_NANOS = 1544712661000000000L;

  static final ByteString TRACE_ID = bytes("4bf92f3577b34da6a3ce929d0e0e4736");
  static final ByteString OTHER_TRACE_ID = bytes("0af7651916cd43dd8448eb211c80319c");
  static final ByteString SPAN_ID = bytes("00f067aa0ba902b7");
  static final ByteString PARENT_SPAN_ID = bytes("53995c3f42cd8ad8");
  static final long START_NANOS = 1_700_000_000_123_456_789L;
  static final long END_NANOS = START_NANOS + 42_000_001L;

  private TestRequests() {}

  static ByteString bytes(String hex) {
    return ByteString.copyFrom(HexFormat.of().parseHex(hex.toLowerCase(java.util.Locale.ROOT)));
  }

  static ByteString zeros(int length) {
    return ByteString.copyFrom(new byte[length]);
  }

  static ByteString spanId(int n) {
    return bytes(String.format("%016x", 0x1000L + n));
  }

  /** A valid root span with the given name and otherwise only the required fields. */
  static Span.Builder span(String name) {
    return Span.newBuilder()
        .setTraceId(TRACE_ID)
        .setSpanId(SPAN_ID)
        .setName(name)
        .setStartTimeUnixNano(START_NANOS)
        .setEndTimeUnixNano(END_NANOS);
  }

  /** The spans in one resource and one scope. */
  static ExportTraceServiceRequest request(Span.Builder... spans) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder().setScope(InstrumentationScope.newBuilder().setName("test"));
    for (Span.Builder s : spans) scope.addSpans(s);
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(string("service.name", "test")))
            .addScopeSpans(scope))
        .build();
  }

  static KeyValue kv(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  static KeyValue string(String key, String value) {
    return kv(key, AnyValue.newBuilder().setStringValue(value).build());
  }

  static AnyValue anyString(String v) {
    return AnyValue.newBuilder().setStringValue(v).build();
  }

  static AnyValue anyInt(long v) {
    return AnyValue.newBuilder().setIntValue(v).build();
  }

  static AnyValue anyDouble(double v) {
    return AnyValue.newBuilder().setDoubleValue(v).build();
  }

  static AnyValue anyBool(boolean v) {
    return AnyValue.newBuilder().setBoolValue(v).build();
  }

  static AnyValue anyBytes(String hex) {
    return AnyValue.newBuilder().setBytesValue(bytes(hex)).build();
  }

  static AnyValue anyArray(AnyValue... values) {
    ArrayValue.Builder a = ArrayValue.newBuilder();
    for (AnyValue v : values) a.addValues(v);
    return AnyValue.newBuilder().setArrayValue(a).build();
  }

  static AnyValue anyKvList(KeyValue... values) {
    KeyValueList.Builder l = KeyValueList.newBuilder();
    for (KeyValue v : values) l.addValues(v);
    return AnyValue.newBuilder().setKvlistValue(l).build();
  }

  /** One attribute of every AnyValue kind, arrays and key-value lists nested in each other. */
  static KeyValue[] everyValueKind() {
    return new KeyValue[] {
      string("http.method", "GET"),
      kv("http.status_code", anyInt(402)),
      kv("negative", anyInt(Long.MIN_VALUE)),
      kv("retry.ratio", anyDouble(-0.125)),
      kv("cache.hit", anyBool(false)),
      kv("payload.digest", anyBytes("00ff10fe")),
      kv("empty.bytes", AnyValue.newBuilder().setBytesValue(ByteString.EMPTY).build()),
      kv("empty.string", anyString("")),
      kv("tags", anyArray(anyString("a"), anyInt(1), anyDouble(2.5), anyBool(true), anyBytes("01"),
          anyArray(anyString("nested"), anyArray()), anyKvList(string("in.array", "yes")))),
      kv("request", anyKvList(
          string("path", "/cart"),
          kv("headers", anyKvList(kv("accept", anyArray(anyString("text/html"), anyString("*/*"))))),
          kv("empty", anyKvList()))),
    };
  }

  /**
   * A request that sets every field of the trace protocol except the resource's entity_refs,
   * which the model does not keep: two resources, three scopes, every span kind, every status
   * code, events, links with trace state and flags, dropped counts and schema URLs. Resources
   * and scopes are all distinct and every ResourceSpans/ScopeSpans has its resource/scope set,
   * so that encoding the decoded spans gives the same message back.
   */
  static ExportTraceServiceRequest everyField() {
    Span server = Span.newBuilder()
        .setTraceId(TRACE_ID)
        .setSpanId(SPAN_ID)
        .setTraceState("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")
        .setParentSpanId(PARENT_SPAN_ID)
        .setFlags(0x301) // sampled, parent is remote (bits 8 and 9)
        .setName("GET /cart")
        .setKind(SpanKind.SPAN_KIND_SERVER)
        .setStartTimeUnixNano(START_NANOS)
        .setEndTimeUnixNano(END_NANOS)
        .addAllAttributes(java.util.List.of(everyValueKind()))
        .setDroppedAttributesCount(7)
        .addEvents(Span.Event.newBuilder()
            .setTimeUnixNano(START_NANOS + 1)
            .setName("exception")
            .addAttributes(string("exception.type", "java.lang.IllegalStateException"))
            .addAttributes(kv("exception.escaped", anyBool(true)))
            .setDroppedAttributesCount(2))
        .addEvents(Span.Event.newBuilder().setTimeUnixNano(START_NANOS + 2).setName("bare"))
        .setDroppedEventsCount(3)
        .addLinks(Span.Link.newBuilder()
            .setTraceId(OTHER_TRACE_ID)
            .setSpanId(bytes("b7ad6b7169203331"))
            .setTraceState("congo=t61rcWkgMzE")
            .addAttributes(string("link.reason", "follows-from"))
            .addAttributes(kv("link.weight", anyDouble(0.5)))
            .setDroppedAttributesCount(1)
            .setFlags(0x101))
        .addLinks(Span.Link.newBuilder().setTraceId(TRACE_ID).setSpanId(spanId(9)))
        .setDroppedLinksCount(4)
        .setStatus(Status.newBuilder().setCode(StatusCode.STATUS_CODE_ERROR).setMessage("card declined"))
        .build();

    Span client = Span.newBuilder()
        .setTraceId(TRACE_ID)
        .setSpanId(spanId(1))
        .setParentSpanId(SPAN_ID)
        .setFlags(0xFFFFFFFF)
        .setName("SELECT carts")
        .setKind(SpanKind.SPAN_KIND_CLIENT)
        .setStartTimeUnixNano(START_NANOS + 10)
        .setEndTimeUnixNano(START_NANOS + 10) // zero duration is allowed
        .addAttributes(string("db.system", "postgresql"))
        .setStatus(Status.newBuilder().setCode(StatusCode.STATUS_CODE_OK))
        .build();

    Span internal = Span.newBuilder()
        .setTraceId(TRACE_ID)
        .setSpanId(spanId(2))
        .setParentSpanId(SPAN_ID)
        .setName("render")
        .setKind(SpanKind.SPAN_KIND_INTERNAL)
        .setStartTimeUnixNano(START_NANOS + 20)
        .setEndTimeUnixNano(START_NANOS + 30)
        .setStatus(Status.newBuilder().setCode(StatusCode.STATUS_CODE_UNSET).setMessage("message without code"))
        .build();

    Span unspecified = Span.newBuilder()
        .setTraceId(TRACE_ID)
        .setSpanId(spanId(3))
        .setParentSpanId(SPAN_ID)
        .setName("")
        .setStartTimeUnixNano(START_NANOS + 40)
        .setEndTimeUnixNano(START_NANOS + 50)
        .setStatus(Status.getDefaultInstance())
        .build();

    Span producer = Span.newBuilder()
        .setTraceId(OTHER_TRACE_ID)
        .setSpanId(spanId(4))
        .setName("publish payments")
        .setKind(SpanKind.SPAN_KIND_PRODUCER)
        .setStartTimeUnixNano(1)
        .setEndTimeUnixNano(Long.MAX_VALUE)
        .setStatus(Status.newBuilder().setCode(StatusCode.STATUS_CODE_ERROR))
        .build();

    Span consumer = Span.newBuilder()
        .setTraceId(OTHER_TRACE_ID)
        .setSpanId(spanId(5))
        .setParentSpanId(spanId(4))
        .setName("process payments")
        .setKind(SpanKind.SPAN_KIND_CONSUMER)
        .setStartTimeUnixNano(START_NANOS)
        .setEndTimeUnixNano(END_NANOS)
        .addLinks(Span.Link.newBuilder().setTraceId(TRACE_ID).setSpanId(SPAN_ID).setFlags(1))
        .setStatus(Status.getDefaultInstance())
        .build();

    ResourceSpans checkout = ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder()
            .addAttributes(string("service.name", "checkout"))
            .addAttributes(kv("host.cores", anyInt(8)))
            .addAttributes(kv("process.command_args", anyArray(anyString("java"), anyString("-jar"))))
            .addAttributes(kv("k8s", anyKvList(string("namespace", "shop"), kv("replicas", anyInt(3)))))
            .setDroppedAttributesCount(5))
        .addScopeSpans(ScopeSpans.newBuilder()
            .setScope(InstrumentationScope.newBuilder()
                .setName("io.opentelemetry.servlet-5.0")
                .setVersion("2.1.0-alpha")
                .addAttributes(string("scope.kind", "auto"))
                .addAttributes(kv("scope.bytes", anyBytes("cafe")))
                .setDroppedAttributesCount(6))
            .addSpans(server)
            .addSpans(client)
            .setSchemaUrl("https://opentelemetry.io/schemas/1.24.0"))
        .addScopeSpans(ScopeSpans.newBuilder()
            .setScope(InstrumentationScope.newBuilder().setName("com.example.manual"))
            .addSpans(internal)
            .addSpans(unspecified))
        .setSchemaUrl("https://opentelemetry.io/schemas/1.26.0")
        .build();

    ResourceSpans payments = ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(string("service.name", "payments")))
        .addScopeSpans(ScopeSpans.newBuilder()
            .setScope(InstrumentationScope.newBuilder().setName("io.opentelemetry.kafka-clients").setVersion("1.0"))
            .addSpans(producer)
            .addSpans(consumer))
        .build();

    return ExportTraceServiceRequest.newBuilder().addResourceSpans(checkout).addResourceSpans(payments).build();
  }
}
