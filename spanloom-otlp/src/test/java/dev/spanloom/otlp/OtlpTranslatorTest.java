package dev.spanloom.otlp;

import static dev.spanloom.otlp.TestRequests.END_NANOS;
import static dev.spanloom.otlp.TestRequests.PARENT_SPAN_ID;
import static dev.spanloom.otlp.TestRequests.SPAN_ID;
import static dev.spanloom.otlp.TestRequests.START_NANOS;
import static dev.spanloom.otlp.TestRequests.TRACE_ID;
import static dev.spanloom.otlp.TestRequests.anyArray;
import static dev.spanloom.otlp.TestRequests.anyBool;
import static dev.spanloom.otlp.TestRequests.anyBytes;
import static dev.spanloom.otlp.TestRequests.anyInt;
import static dev.spanloom.otlp.TestRequests.anyKvList;
import static dev.spanloom.otlp.TestRequests.anyString;
import static dev.spanloom.otlp.TestRequests.kv;
import static dev.spanloom.otlp.TestRequests.request;
import static dev.spanloom.otlp.TestRequests.span;
import static dev.spanloom.otlp.TestRequests.spanId;
import static dev.spanloom.otlp.TestRequests.zeros;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
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
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OtlpTranslatorTest {

  // -- Round trip ---------------------------------------------------------------------------

  @Test
  void roundTripsARequestThatSetsEveryFieldExactly() {
    ExportTraceServiceRequest request = TestRequests.everyField();

    OtlpTranslator.Decoded decoded = OtlpTranslator.decode(request);

    assertThat(decoded.rejected()).isZero();
    assertThat(reencode(decoded.spans())).isEqualTo(request);
  }

  @Test
  void roundTripSurvivesTheWire() throws Exception {
    ExportTraceServiceRequest request = TestRequests.everyField();
    ExportTraceServiceRequest fromWire = ExportTraceServiceRequest.parseFrom(request.toByteArray());

    assertThat(reencode(OtlpTranslator.decode(fromWire).spans()).toByteArray()).isEqualTo(request.toByteArray());
  }

  @Test
  void decodesEverySpanOfEveryResourceAndScopeInOrder() {
    List<Span> spans = OtlpTranslator.decode(TestRequests.everyField()).spans();

    assertThat(spans).extracting(Span::name)
        .containsExactly("GET /cart", "SELECT carts", "render", "", "publish payments", "process payments");
    assertThat(spans).extracting(Span::serviceName)
        .containsExactly("checkout", "checkout", "checkout", "checkout", "payments", "payments");
  }

  @ParameterizedTest
  @EnumSource(value = io.opentelemetry.proto.trace.v1.Span.SpanKind.class, names = "UNRECOGNIZED", mode = EnumSource.Mode.EXCLUDE)
  void roundTripsEverySpanKind(io.opentelemetry.proto.trace.v1.Span.SpanKind kind) {
    ExportTraceServiceRequest request = request(span("k").setKind(kind));

    Span decoded = OtlpTranslator.decode(request).spans().get(0);

    assertThat(decoded.kind().number()).isEqualTo(kind.getNumber());
    assertThat(OtlpTranslator.toProto(decoded).getKind()).isEqualTo(kind);
  }

  @ParameterizedTest
  @EnumSource(value = io.opentelemetry.proto.trace.v1.Status.StatusCode.class, names = "UNRECOGNIZED", mode = EnumSource.Mode.EXCLUDE)
  void roundTripsEveryStatusCode(io.opentelemetry.proto.trace.v1.Status.StatusCode code) {
    ExportTraceServiceRequest request = request(span("s").setStatus(
        io.opentelemetry.proto.trace.v1.Status.newBuilder().setCode(code).setMessage("why")));

    Span decoded = OtlpTranslator.decode(request).spans().get(0);

    assertThat(decoded.status()).isEqualTo(new Status(StatusCode.fromNumber(code.getNumber()), "why"));
    assertThat(OtlpTranslator.toProto(decoded).getStatus().getCode()).isEqualTo(code);
  }

  // -- Decoding into the model --------------------------------------------------------------

  @Test
  void decodesIdsAsTheirBigEndianBytes() {
    Span decoded = decodeOne(span("ids").setParentSpanId(PARENT_SPAN_ID));

    assertThat(decoded.traceId()).isEqualTo(TraceId.fromHex("4bf92f3577b34da6a3ce929d0e0e4736"));
    assertThat(decoded.spanId()).isEqualTo(SpanId.fromHex("00f067aa0ba902b7"));
    assertThat(decoded.parentSpanId()).isEqualTo(SpanId.fromHex("53995c3f42cd8ad8"));
  }

  @Test
  void decodesSpanWithoutParentSpanIdAsRoot() {
    Span decoded = decodeOne(span("root"));

    assertThat(decoded.isRoot()).isTrue();
    assertThat(decoded.parentSpanId()).isNull();
  }

  @Test
  void decodesAllZeroParentSpanIdAsRoot() {
    Span decoded = decodeOne(span("root").setParentSpanId(zeros(8)));

    assertThat(decoded.isRoot()).isTrue();
  }

  @Test
  void decodesTimesFlagsAndTraceStateUnchanged() {
    Span decoded = decodeOne(span("t").setFlags(0x301).setTraceState("congo=t61rcWkgMzE"));

    assertThat(decoded.startEpochNanos()).isEqualTo(START_NANOS);
    assertThat(decoded.endEpochNanos()).isEqualTo(END_NANOS);
    assertThat(decoded.flags()).isEqualTo(0x301);
    assertThat(decoded.traceState()).isEqualTo("congo=t61rcWkgMzE");
  }

  @Test
  void decodesEveryAttributeValueKindWithItsType() {
    Span decoded = decodeOne(span("attrs")
        .addAttributes(kv("s", anyString("v")))
        .addAttributes(kv("i", anyInt(-7)))
        .addAttributes(kv("d", TestRequests.anyDouble(1.5)))
        .addAttributes(kv("b", anyBool(true)))
        .addAttributes(kv("y", anyBytes("00ff")))
        .addAttributes(kv("a", anyArray(anyString("x"), anyInt(1))))
        .addAttributes(kv("m", anyKvList(kv("inner", anyBool(false))))));

    assertThat(decoded.attributes().asMap()).containsExactly(
        entry("s", AttributeValue.of("v")),
        entry("i", AttributeValue.of(-7L)),
        entry("d", AttributeValue.of(1.5)),
        entry("b", AttributeValue.of(true)),
        entry("y", AttributeValue.of(new byte[] {0, (byte) 0xff})),
        entry("a", AttributeValue.ofArray(List.of(AttributeValue.of("x"), AttributeValue.of(1L)))),
        entry("m", new AttributeValue.KeyValueList(Attributes.of("inner", AttributeValue.of(false)))));
  }

  @Test
  void decodesAnyValueWithNoValueAsEmptyString() {
    Span decoded = decodeOne(span("empty").addAttributes(kv("unset", AnyValue.getDefaultInstance())));

    assertThat(decoded.attributes().get("unset")).isEqualTo(AttributeValue.of(""));
  }

  @Test
  void decodesEventsWithTheirAttributesAndDroppedCounts() {
    Span decoded = decodeOne(span("events")
        .addEvents(io.opentelemetry.proto.trace.v1.Span.Event.newBuilder()
            .setName("exception").setTimeUnixNano(START_NANOS + 5)
            .addAttributes(kv("exception.type", anyString("IOException")))
            .setDroppedAttributesCount(2))
        .setDroppedEventsCount(3));

    assertThat(decoded.events()).containsExactly(
        new Event("exception", START_NANOS + 5, Attributes.of("exception.type", AttributeValue.of("IOException")), 2));
    assertThat(decoded.droppedEventsCount()).isEqualTo(3);
  }

  @Test
  void decodesLinksWithTraceStateFlagsAndDroppedCounts() {
    Span decoded = decodeOne(span("links")
        .addLinks(io.opentelemetry.proto.trace.v1.Span.Link.newBuilder()
            .setTraceId(TestRequests.OTHER_TRACE_ID).setSpanId(spanId(1))
            .setTraceState("rojo=00f067aa0ba902b7")
            .addAttributes(kv("reason", anyString("retry")))
            .setDroppedAttributesCount(4)
            .setFlags(0x101))
        .setDroppedLinksCount(6));

    assertThat(decoded.links()).containsExactly(new Link(
        TraceId.fromHex("0af7651916cd43dd8448eb211c80319c"), SpanId.fromHex("0000000000001001"),
        "rojo=00f067aa0ba902b7", Attributes.of("reason", AttributeValue.of("retry")), 4, 0x101));
    assertThat(decoded.droppedLinksCount()).isEqualTo(6);
  }

  @Test
  void decodesResourceAndScopeWithAttributesDroppedCountsAndSchemaUrls() {
    Span decoded = OtlpTranslator.decode(TestRequests.everyField()).spans().get(0);

    assertThat(decoded.resource().attributes().getString("service.name")).isEqualTo("checkout");
    assertThat(decoded.resource().droppedAttributesCount()).isEqualTo(5);
    assertThat(decoded.resource().schemaUrl()).isEqualTo("https://opentelemetry.io/schemas/1.26.0");
    assertThat(decoded.scope().name()).isEqualTo("io.opentelemetry.servlet-5.0");
    assertThat(decoded.scope().version()).isEqualTo("2.1.0-alpha");
    assertThat(decoded.scope().attributes().getString("scope.kind")).isEqualTo("auto");
    assertThat(decoded.scope().droppedAttributesCount()).isEqualTo(6);
    assertThat(decoded.scope().schemaUrl()).isEqualTo("https://opentelemetry.io/schemas/1.24.0");
  }

  @Test
  void decodesMissingResourceAndScopeAsEmpty() {
    ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder().addSpans(span("bare"))))
        .build();

    Span decoded = OtlpTranslator.decode(request).spans().get(0);

    assertThat(decoded.resource()).isEqualTo(Resource.EMPTY);
    assertThat(decoded.scope()).isEqualTo(InstrumentationScope.EMPTY);
  }

  @Test
  void sharesOneResourceAndScopeBetweenTheSpansOfABatch() {
    List<Span> spans = OtlpTranslator.decode(request(span("a"), span("b").setSpanId(spanId(1)))).spans();

    assertThat(spans.get(1).resource()).isSameAs(spans.get(0).resource());
    assertThat(spans.get(1).scope()).isSameAs(spans.get(0).scope());
  }

  @Test
  void decodesUnknownKindAndStatusNumbersAsUnspecifiedAndUnset() {
    Span decoded = decodeOne(span("future")
        .setKindValue(42)
        .setStatus(io.opentelemetry.proto.trace.v1.Status.newBuilder().setCodeValue(9)));

    assertThat(decoded.kind()).isEqualTo(SpanKind.UNSPECIFIED);
    assertThat(decoded.status().code()).isEqualTo(StatusCode.UNSET);
  }

  @Test
  void decodesAnEmptyRequestToNoSpans() {
    OtlpTranslator.Decoded decoded = OtlpTranslator.decode(ExportTraceServiceRequest.getDefaultInstance());

    assertThat(decoded.spans()).isEmpty();
    assertThat(decoded.rejected()).isZero();
    assertThat(decoded.errorMessage()).isEmpty();
  }

  // -- Encoding from the model --------------------------------------------------------------

  @Test
  void encodesNoSpansAsNoResourceSpans() {
    assertThat(OtlpTranslator.encode(List.of())).isEmpty();
  }

  @Test
  void groupsSpansUnderTheirResourceAndScopeInFirstSeenOrder() {
    Resource cart = Resource.of(Attributes.of("service.name", AttributeValue.of("cart")));
    Resource shop = Resource.of(Attributes.of("service.name", AttributeValue.of("shop")));
    InstrumentationScope http = InstrumentationScope.of("http", "1");
    InstrumentationScope db = InstrumentationScope.of("db", "1");
    List<Span> spans = List.of(
        modelSpan("shop-http-1", shop, http),
        modelSpan("cart-db-1", cart, db),
        modelSpan("shop-db-1", shop, db),
        modelSpan("cart-http-1", cart, http),
        modelSpan("shop-http-2", shop, http));

    List<ResourceSpans> encoded = OtlpTranslator.encode(spans);

    assertThat(encoded).extracting(rs -> rs.getResource().getAttributes(0).getValue().getStringValue())
        .containsExactly("shop", "cart");
    assertThat(encoded.get(0).getScopeSpansList()).extracting(ss -> ss.getScope().getName())
        .containsExactly("http", "db");
    assertThat(encoded.get(0).getScopeSpans(0).getSpansList()).extracting(s -> s.getName())
        .containsExactly("shop-http-1", "shop-http-2");
    assertThat(encoded.get(1).getScopeSpansList()).extracting(ss -> ss.getScope().getName())
        .containsExactly("db", "http");
  }

  @Test
  void encodesAllSpansOfEqualResourcesUnderOneResourceSpans() {
    Resource a = Resource.of(Attributes.of("service.name", AttributeValue.of("cart")));
    Resource equalToA = Resource.of(Attributes.of("service.name", AttributeValue.of("cart")));

    List<ResourceSpans> encoded = OtlpTranslator.encode(List.of(
        modelSpan("one", a, InstrumentationScope.EMPTY), modelSpan("two", equalToA, InstrumentationScope.EMPTY)));

    assertThat(encoded).hasSize(1);
    assertThat(encoded.get(0).getScopeSpans(0).getSpansCount()).isEqualTo(2);
  }

  @Test
  void encodesRootSpanWithEmptyParentSpanId() {
    io.opentelemetry.proto.trace.v1.Span proto =
        OtlpTranslator.toProto(modelSpan("root", Resource.EMPTY, InstrumentationScope.EMPTY));

    assertThat(proto.getParentSpanId()).isEqualTo(ByteString.EMPTY);
  }

  @Test
  void encodesModelSpanFieldByField() {
    Span span = Span.builder()
        .traceId(TraceId.fromHex("4bf92f3577b34da6a3ce929d0e0e4736"))
        .spanId(SpanId.fromHex("00f067aa0ba902b7"))
        .parentSpanId(SpanId.fromHex("53995c3f42cd8ad8"))
        .traceState("rojo=1")
        .flags(1)
        .name("GET /")
        .kind(SpanKind.SERVER)
        .startEpochNanos(START_NANOS)
        .endEpochNanos(END_NANOS)
        .attributes(Attributes.builder().put("http.status_code", 200L).build())
        .droppedAttributesCount(1)
        .events(List.of(Event.of("started", START_NANOS, Attributes.EMPTY)))
        .droppedEventsCount(2)
        .links(List.of(Link.of(TraceId.fromHex("0af7651916cd43dd8448eb211c80319c"), SpanId.fromHex("b7ad6b7169203331"),
            Attributes.EMPTY)))
        .droppedLinksCount(3)
        .status(Status.of(StatusCode.ERROR, "boom"))
        .build();

    io.opentelemetry.proto.trace.v1.Span expected = io.opentelemetry.proto.trace.v1.Span.newBuilder()
        .setTraceId(TRACE_ID)
        .setSpanId(SPAN_ID)
        .setParentSpanId(PARENT_SPAN_ID)
        .setTraceState("rojo=1")
        .setFlags(1)
        .setName("GET /")
        .setKind(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER)
        .setStartTimeUnixNano(START_NANOS)
        .setEndTimeUnixNano(END_NANOS)
        .addAttributes(kv("http.status_code", anyInt(200)))
        .setDroppedAttributesCount(1)
        .addEvents(io.opentelemetry.proto.trace.v1.Span.Event.newBuilder().setName("started").setTimeUnixNano(START_NANOS))
        .setDroppedEventsCount(2)
        .addLinks(io.opentelemetry.proto.trace.v1.Span.Link.newBuilder()
            .setTraceId(TestRequests.OTHER_TRACE_ID).setSpanId(TestRequests.bytes("b7ad6b7169203331")))
        .setDroppedLinksCount(3)
        .setStatus(io.opentelemetry.proto.trace.v1.Status.newBuilder()
            .setCode(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR).setMessage("boom"))
        .build();
    assertThat(OtlpTranslator.toProto(span)).isEqualTo(expected);
  }

  @Test
  void roundTripsModelSpansThroughProto() {
    List<Span> spans = OtlpTranslator.decode(TestRequests.everyField()).spans();

    List<Span> again = OtlpTranslator.decode(reencode(spans)).spans();

    assertThat(again).isEqualTo(spans);
  }

  private static ExportTraceServiceRequest reencode(List<Span> spans) {
    return ExportTraceServiceRequest.newBuilder().addAllResourceSpans(OtlpTranslator.encode(spans)).build();
  }

  private static Span decodeOne(io.opentelemetry.proto.trace.v1.Span.Builder span) {
    OtlpTranslator.Decoded decoded = OtlpTranslator.decode(request(span));
    assertThat(decoded.firstProblem()).isEmpty();
    return decoded.spans().get(0);
  }

  private static Span modelSpan(String name, Resource resource, InstrumentationScope scope) {
    return Span.builder()
        .traceId(TraceId.fromHex("4bf92f3577b34da6a3ce929d0e0e4736"))
        .spanId(new SpanId(name.hashCode() | 1L))
        .name(name)
        .startEpochNanos(START_NANOS)
        .endEpochNanos(END_NANOS)
        .resource(resource)
        .scope(scope)
        .build();
  }

  private static java.util.Map.Entry<String, AttributeValue> entry(String key, AttributeValue value) {
    return java.util.Map.entry(key, value);
  }
}
