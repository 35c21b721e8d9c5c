package dev.spanloom.receivers.zipkin;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Attributes;
import dev.spanloom.model.Event;
import dev.spanloom.model.InstrumentationScope;
import dev.spanloom.model.Resource;
import dev.spanloom.model.Span;
import dev.spanloom.model.SpanId;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.Status;
import dev.spanloom.model.StatusCode;
import dev.spanloom.model.TraceId;
import dev.spanloom.otlp.MalformedRequestException;
import dev.spanloom.otlp.OtlpTranslator;
import dev.spanloom.receivers.zipkin.ZipkinRequestDecoder.Encoding;
import java.util.List;
import org.junit.jupiter.api.Test;
import zipkin2.codec.SpanBytesEncoder;

class ZipkinTranslatorTest {
  static final String BRAVE_CLIENT_SPAN = """
      [{"traceId":"86154a4ba6e91385","parentId":"86154a4ba6e91385","id":"4d1e00c0db9010db",
        "kind":"CLIENT","name":"get /api","timestamp":1472470996199000,"duration":207000,
        "localEndpoint":{"serviceName":"frontend","ipv4":"127.0.0.1","port":8080},
        "remoteEndpoint":{"serviceName":"backend","ipv4":"192.168.99.101","port":9000},
        "annotations":[{"timestamp":1472470996238000,"value":"ws"},{"timestamp":1472470996403000,"value":"wr"}],
        "tags":{"http.path":"/api","clnt/finagle.version":"6.45.0","error":"NullPointerException"}}]
      """;

  static Span richSpan() {
    return Span.builder()
        .traceId(TraceId.fromHex("5af7183fb1d4cf5f0123456789abcdef"))
        .spanId(SpanId.fromHex("352bff9a74ca9ad2"))
        .parentSpanId(SpanId.fromHex("0011223344556677"))
        .traceState("rojo=00f067aa0ba902b7")
        .name("get /checkout")
        .kind(SpanKind.SERVER)
        .startEpochNanos(1_700_000_000_123_456_000L)
        .endEpochNanos(1_700_000_000_223_456_000L)
        .attributes(Attributes.builder()
            .put("http.method", "GET")
            .put("http.status_code", "500")
            .put("peer.service", "payments")
            .put("net.peer.ip", "10.0.0.7")
            .put("net.peer.port", 5432L)
            .put("net.host.ip", "10.0.0.1")
            .put("net.host.port", 8080L)
            .build())
        .events(List.of(
            Event.of("cache miss", 1_700_000_000_150_000_000L, Attributes.EMPTY),
            Event.of("exception", 1_700_000_000_160_000_000L, Attributes.builder()
                .put("exception.type", "IOException").put("retries", 3L).put("fatal", true).build())))
        .status(Status.of(StatusCode.ERROR, "payment declined"))
        .resource(Resource.of(Attributes.builder()
            .put("service.name", "checkout").put("host.name", "web-1").put("telemetry.sdk.language", "java").build()))
        .scope(InstrumentationScope.of("io.opentelemetry.servlet", "1.2.3"))
        .build();
  }

  @Test
  void roundTripsASpanThroughZipkinJson() {
    Span original = richSpan();

    byte[] json = SpanBytesEncoder.JSON_V2.encodeList(List.of(ZipkinTranslator.toZipkin(original, false)));
    OtlpTranslator.Decoded decoded = ZipkinRequestDecoder.decode(json, Encoding.JSON);

    assertThat(decoded.rejected()).isZero();
    Span back = decoded.spans().get(0);
    assertThat(back.traceId()).isEqualTo(original.traceId());
    assertThat(back.spanId()).isEqualTo(original.spanId());
    assertThat(back.parentSpanId()).isEqualTo(original.parentSpanId());
    assertThat(back.traceState()).isEqualTo(original.traceState());
    assertThat(back.name()).isEqualTo(original.name());
    assertThat(back.kind()).isEqualTo(SpanKind.SERVER);
    assertThat(back.startEpochNanos()).isEqualTo(original.startEpochNanos());
    assertThat(back.endEpochNanos()).isEqualTo(original.endEpochNanos());
    assertThat(back.status()).isEqualTo(original.status());
    assertThat(back.resource().attributes().asMap()).isEqualTo(original.resource().attributes().asMap());
    assertThat(back.scope()).isEqualTo(original.scope());
    assertThat(back.attributes().asMap()).isEqualTo(original.attributes().asMap());
    assertThat(back.events()).isEqualTo(original.events());
  }

  @Test
  void roundTripsThroughProto3() {
    Span original = richSpan();

    byte[] proto = SpanBytesEncoder.PROTO3.encodeList(List.of(ZipkinTranslator.toZipkin(original, false)));
    Span back = ZipkinRequestDecoder.decode(proto, Encoding.PROTO3).spans().get(0);

    assertThat(back.attributes().asMap()).isEqualTo(original.attributes().asMap());
    assertThat(back.events()).isEqualTo(original.events());
    assertThat(back.status()).isEqualTo(original.status());
  }

  @Test
  void writesStatusKindAndEndpointsAsTheCollectorDoes() {
    zipkin2.Span z = ZipkinTranslator.toZipkin(richSpan(), false);

    assertThat(z.kind()).isEqualTo(zipkin2.Span.Kind.SERVER);
    assertThat(z.timestampAsLong()).isEqualTo(1_700_000_000_123_456L);
    assertThat(z.durationAsLong()).isEqualTo(100_000L);
    assertThat(z.localEndpoint().serviceName()).isEqualTo("checkout");
    assertThat(z.localEndpoint().ipv4()).isEqualTo("10.0.0.1");
    assertThat(z.localEndpoint().portAsInt()).isEqualTo(8080);
    assertThat(z.remoteEndpoint().serviceName()).isEqualTo("payments");
    assertThat(z.remoteEndpoint().ipv4()).isEqualTo("10.0.0.7");
    assertThat(z.tags())
        .containsEntry("error", "payment declined")
        .containsEntry("otel.status_code", "ERROR")
        .containsEntry("otel.scope.name", "io.opentelemetry.servlet")
        .containsEntry("host.name", "web-1")
        .containsEntry("w3c.tracestate", "rojo=00f067aa0ba902b7")
        .doesNotContainKeys("service.name", "peer.service", "net.peer.ip", "net.host.port");
    assertThat(z.annotations().get(1).value())
        .isEqualTo("exception|{\"exception.type\":\"IOException\",\"retries\":3,\"fatal\":true}|0");
  }

  @Test
  void decodesABraveClientSpan() {
    OtlpTranslator.Decoded decoded = ZipkinRequestDecoder.decode(BRAVE_CLIENT_SPAN.getBytes(UTF_8), Encoding.JSON);

    Span s = decoded.spans().get(0);
    assertThat(s.traceId()).isEqualTo(new TraceId(0, 0x86154a4ba6e91385L));
    assertThat(s.spanId().toHex()).isEqualTo("4d1e00c0db9010db");
    assertThat(s.parentSpanId().toHex()).isEqualTo("86154a4ba6e91385");
    assertThat(s.kind()).isEqualTo(SpanKind.CLIENT);
    assertThat(s.serviceName()).isEqualTo("frontend");
    assertThat(s.startEpochNanos()).isEqualTo(1472470996199000_000L);
    assertThat(s.durationNanos()).isEqualTo(207_000_000L);
    assertThat(s.status()).isEqualTo(Status.of(StatusCode.ERROR, "NullPointerException"));
    assertThat(s.attributes().asMap()).containsEntry("http.path", AttributeValue.of("/api"))
        .containsEntry("peer.service", AttributeValue.of("backend"))
        .containsEntry("net.peer.ip", AttributeValue.of("192.168.99.101"))
        .containsEntry("net.peer.port", AttributeValue.of(9000L))
        .containsEntry("net.host.ip", AttributeValue.of("127.0.0.1"))
        .containsEntry("net.host.port", AttributeValue.of(8080L))
        .doesNotContainKey("error");
    assertThat(s.events()).extracting(Event::name).containsExactly("ws", "wr");
    assertThat(s.events().get(0).epochNanos()).isEqualTo(1472470996238000_000L);
  }

  @Test
  void internalSpanKeepsItsKindThroughTheSpanKindTag() {
    Span internal = richSpan().toBuilder().kind(SpanKind.INTERNAL).build();

    zipkin2.Span z = ZipkinTranslator.toZipkin(internal, false);
    Span back = ZipkinTranslator.decode(List.of(z)).spans().get(0);

    assertThat(z.kind()).isNull();
    assertThat(z.tags()).containsEntry("span.kind", "internal");
    assertThat(back.kind()).isEqualTo(SpanKind.INTERNAL);
    assertThat(back.attributes().get("span.kind")).isNull();
  }

  @Test
  void spanWithoutKindIsUnspecified() {
    String json = "[{\"traceId\":\"a\",\"id\":\"b\",\"name\":\"x\",\"timestamp\":1,\"duration\":1}]";

    assertThat(ZipkinRequestDecoder.decode(json.getBytes(UTF_8), Encoding.JSON).spans().get(0).kind())
        .isEqualTo(SpanKind.UNSPECIFIED);
  }

  @Test
  void errorFalseIsNotAnError() {
    String json = "[{\"traceId\":\"a\",\"id\":\"b\",\"timestamp\":1,\"tags\":{\"error\":\"false\"}}]";

    Span s = ZipkinRequestDecoder.decode(json.getBytes(UTF_8), Encoding.JSON).spans().get(0);

    assertThat(s.status()).isEqualTo(Status.UNSET);
    assertThat(s.attributes().getString("error")).isEqualTo("false");
  }

  @Test
  void parentIdEqualToIdMakesARootSpan() {
    String json = "[{\"traceId\":\"a\",\"parentId\":\"b\",\"id\":\"b\",\"timestamp\":1}]";

    assertThat(ZipkinRequestDecoder.decode(json.getBytes(UTF_8), Encoding.JSON).spans().get(0).isRoot()).isTrue();
  }

  @Test
  void sharedFlagIsWritten() {
    assertThat(ZipkinTranslator.toZipkin(richSpan(), true).shared()).isTrue();
    assertThat(ZipkinTranslator.toZipkin(richSpan(), false).shared()).isNull();
  }

  @Test
  void emptyListAndEmptyBodyHaveNoSpans() {
    assertThat(ZipkinRequestDecoder.decode("[]".getBytes(UTF_8), Encoding.JSON).spans()).isEmpty();
    assertThat(ZipkinRequestDecoder.decode(new byte[0], Encoding.JSON).spans()).isEmpty();
  }

  @Test
  void spanWithoutTimestampIsRejectedNamingTheField() {
    String json = "[{\"traceId\":\"a\",\"id\":\"b\",\"name\":\"late\"},{\"traceId\":\"a\",\"id\":\"c\",\"timestamp\":5}]";

    OtlpTranslator.Decoded decoded = ZipkinRequestDecoder.decode(json.getBytes(UTF_8), Encoding.JSON);

    assertThat(decoded.spans()).hasSize(1);
    assertThat(decoded.rejected()).isEqualTo(1);
    assertThat(decoded.errorMessage())
        .isEqualTo("1 of 2 spans rejected; first: span 0 (name \"late\"): start_time_unix_nano: 0 (expected: > 0)");
  }

  @Test
  void notJsonIsMalformed() {
    assertThatThrownBy(() -> ZipkinRequestDecoder.decode("{not json".getBytes(UTF_8), Encoding.JSON))
        .isInstanceOf(MalformedRequestException.class)
        .hasMessageStartingWith("Malformed: not a list of Zipkin v2 spans (json)");
  }

  @Test
  void badTraceIdIsMalformed() {
    String json = "[{\"traceId\":\"xyz\",\"id\":\"b\",\"timestamp\":1}]";

    assertThatThrownBy(() -> ZipkinRequestDecoder.decode(json.getBytes(UTF_8), Encoding.JSON))
        .isInstanceOf(MalformedRequestException.class)
        .hasMessageContaining("xyz should be lower-hex encoded");
  }

  @Test
  void garbageProto3IsRefused() {
    assertThatThrownBy(() -> ZipkinRequestDecoder.decode(new byte[] {0x0a, 0x7f, 0x01}, Encoding.PROTO3))
        .isInstanceOf(MalformedRequestException.class);
  }
}
