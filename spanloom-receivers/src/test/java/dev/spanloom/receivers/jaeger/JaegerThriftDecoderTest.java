package dev.spanloom.receivers.jaeger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.InstrumentationScope;
import dev.spanloom.model.Span;
import dev.spanloom.model.SpanId;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.Status;
import dev.spanloom.model.StatusCode;
import dev.spanloom.model.Trace;
import dev.spanloom.model.TraceId;
import dev.spanloom.otlp.MalformedRequestException;
import dev.spanloom.otlp.OtlpTranslator;
import io.jaegertracing.thriftjava.Batch;
import io.jaegertracing.thriftjava.Log;
import io.jaegertracing.thriftjava.Process;
import io.jaegertracing.thriftjava.SpanRef;
import io.jaegertracing.thriftjava.SpanRefType;
import io.jaegertracing.thriftjava.Tag;
import io.jaegertracing.thriftjava.TagType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.thrift.TSerializer;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.junit.jupiter.api.Test;

/**
 * Batches are encoded by Jaeger's own generated thrift classes with libthrift's binary protocol,
 * exactly as jaeger-client's HttpSender does, so the hand-written reader is checked against the
 * real encoder.
 */
class JaegerThriftDecoderTest {
  static final long START_MICROS = 1_700_000_000_123_456L;

  static byte[] encode(Batch batch) throws Exception {
    return new TSerializer(new TBinaryProtocol.Factory()).serialize(batch);
  }

  static Tag tag(String key, String value) {
    return new Tag(key, TagType.STRING).setVStr(value);
  }

  static Batch batch() {
    Process process = new Process("checkout").setTags(List.of(
        tag("hostname", "web-1"), new Tag("jaeger.version", TagType.STRING).setVStr("Java-1.8.1"),
        new Tag("ip", TagType.STRING).setVStr("10.0.0.1")));
    io.jaegertracing.thriftjava.Span server = new io.jaegertracing.thriftjava.Span(
        0x0123456789abcdefL, 0x5af7183fb1d4cf5fL, 0x352bff9a74ca9ad2L, 0x0011223344556677L,
        "GET /checkout", 1, START_MICROS, 100_000L);
    server.setTags(new ArrayList<>(List.of(
        tag("span.kind", "server"),
        new Tag("error", TagType.BOOL).setVBool(true),
        tag("http.method", "GET"),
        new Tag("http.status_code", TagType.LONG).setVLong(503),
        new Tag("sampler.param", TagType.DOUBLE).setVDouble(0.25),
        new Tag("payload", TagType.BINARY).setVBinary(ByteBuffer.wrap(new byte[] {1, 2, 3})),
        tag("otel.library.name", "io.opentracing.contrib.web"),
        tag("w3c.tracestate", "rojo=00f067aa0ba902b7"))));
    server.setLogs(List.of(
        new Log(START_MICROS + 10, List.of(tag("event", "cache miss"), new Tag("retries", TagType.LONG).setVLong(3))),
        new Log(START_MICROS + 20, List.of(tag("message", "no event field")))));
    server.setReferences(List.of(
        new SpanRef(SpanRefType.CHILD_OF, 0x0123456789abcdefL, 0x5af7183fb1d4cf5fL, 0x0011223344556677L),
        new SpanRef(SpanRefType.FOLLOWS_FROM, 0x1111L, 0, 0x2222L)));
    io.jaegertracing.thriftjava.Span child = new io.jaegertracing.thriftjava.Span(
        0x0123456789abcdefL, 0x5af7183fb1d4cf5fL, 0x0a0b0c0d0e0f0102L, 0, "SELECT", 0, START_MICROS + 1000, 5_000L);
    child.setReferences(List.of(new SpanRef(SpanRefType.CHILD_OF, 0x0123456789abcdefL, 0x5af7183fb1d4cf5fL, 0x352bff9a74ca9ad2L)));
    child.setTags(List.of(tag("span.kind", "client"), tag("otel.status_code", "OK"), tag("peer.service", "postgres")));
    return new Batch(process, List.of(server, child));
  }

  @Test
  void decodesEveryFieldOfABatch() throws Exception {
    OtlpTranslator.Decoded decoded = JaegerThriftDecoder.decode(encode(batch()));

    assertThat(decoded.rejected()).isZero();
    Span s = decoded.spans().get(0);
    assertThat(s.traceId()).isEqualTo(TraceId.fromHex("5af7183fb1d4cf5f0123456789abcdef"));
    assertThat(s.spanId()).isEqualTo(SpanId.fromHex("352bff9a74ca9ad2"));
    assertThat(s.parentSpanId()).isEqualTo(SpanId.fromHex("0011223344556677"));
    assertThat(s.name()).isEqualTo("GET /checkout");
    assertThat(s.kind()).isEqualTo(SpanKind.SERVER);
    assertThat(s.flags()).isEqualTo(1);
    assertThat(s.startEpochNanos()).isEqualTo(START_MICROS * 1000);
    assertThat(s.durationNanos()).isEqualTo(100_000_000L);
    assertThat(s.status()).isEqualTo(Status.ERROR);
    assertThat(s.traceState()).isEqualTo("rojo=00f067aa0ba902b7");
    assertThat(s.scope()).isEqualTo(InstrumentationScope.of("io.opentracing.contrib.web", ""));
    assertThat(s.serviceName()).isEqualTo("checkout");
    assertThat(s.resource().attributes().getString("hostname")).isEqualTo("web-1");
    assertThat(s.attributes().asMap()).containsOnlyKeys("http.method", "http.status_code", "sampler.param", "payload")
        .containsEntry("http.status_code", AttributeValue.of(503L))
        .containsEntry("sampler.param", AttributeValue.of(0.25))
        .containsEntry("payload", AttributeValue.of(new byte[] {1, 2, 3}));
    assertThat(s.events()).hasSize(2);
    assertThat(s.events().get(0).name()).isEqualTo("cache miss");
    assertThat(s.events().get(0).epochNanos()).isEqualTo((START_MICROS + 10) * 1000);
    assertThat(s.events().get(0).attributes().get("retries")).isEqualTo(AttributeValue.of(3L));
    assertThat(s.events().get(1).name()).isEmpty();
    assertThat(s.events().get(1).attributes().getString("message")).isEqualTo("no event field");
    // The CHILD_OF reference to the parent is the parent; the other reference is a link.
    assertThat(s.links()).hasSize(1);
    assertThat(s.links().get(0).traceId()).isEqualTo(new TraceId(0, 0x1111L));
    assertThat(s.links().get(0).attributes().getString("opentracing.ref_type")).isEqualTo("follows_from");
  }

  @Test
  void firstChildOfReferenceIsTheParentWhenParentSpanIdIsZero() throws Exception {
    Span child = JaegerThriftDecoder.decode(encode(batch())).spans().get(1);

    assertThat(child.parentSpanId()).isEqualTo(SpanId.fromHex("352bff9a74ca9ad2"));
    assertThat(child.links()).isEmpty();
    assertThat(child.kind()).isEqualTo(SpanKind.CLIENT);
    assertThat(child.status()).isEqualTo(Status.OK);
    assertThat(child.flags()).isZero();
  }

  @Test
  void http5xxWithoutErrorTagIsAnError() throws Exception {
    io.jaegertracing.thriftjava.Span span = new io.jaegertracing.thriftjava.Span(1, 0, 2, 0, "x", 1, START_MICROS, 1);
    span.setTags(List.of(tag("span.kind", "server"), new Tag("http.status_code", TagType.LONG).setVLong(502)));

    Span s = JaegerThriftDecoder.decode(encode(new Batch(new Process("svc"), List.of(span)))).spans().get(0);

    assertThat(s.status().code()).isEqualTo(StatusCode.ERROR);
    assertThat(s.attributes().get("http.status_code")).isEqualTo(AttributeValue.of(502L));
  }

  @Test
  void rendersJaegerJsonThatGivesBackWhatWasSent() throws Exception {
    OtlpTranslator.Decoded decoded = JaegerThriftDecoder.decode(encode(batch()));
    Trace trace = Trace.of(decoded.spans().get(0).traceId(), decoded.spans());

    JsonNode json = JaegerTranslator.toJson(trace);

    assertThat(json.get("traceID").asText()).isEqualTo("5af7183fb1d4cf5f0123456789abcdef");
    JsonNode span = json.get("spans").get(0);
    assertThat(span.get("spanID").asText()).isEqualTo("352bff9a74ca9ad2");
    assertThat(span.get("operationName").asText()).isEqualTo("GET /checkout");
    assertThat(span.get("startTime").asLong()).isEqualTo(START_MICROS);
    assertThat(span.get("duration").asLong()).isEqualTo(100_000L);
    assertThat(span.get("flags").asInt()).isEqualTo(1);
    assertThat(span.get("processID").asText()).isEqualTo("p1");
    assertThat(span.get("references").toString()).isEqualTo(
        "[{\"refType\":\"CHILD_OF\",\"traceID\":\"5af7183fb1d4cf5f0123456789abcdef\",\"spanID\":\"0011223344556677\"},"
            + "{\"refType\":\"FOLLOWS_FROM\",\"traceID\":\"0000000000001111\",\"spanID\":\"0000000000002222\"}]");
    assertThat(tags(span.get("tags"))).containsExactly(
        "otel.scope.name:string=io.opentracing.contrib.web",
        "http.method:string=GET",
        "http.status_code:int64=503",
        "sampler.param:float64=0.25",
        "payload:binary=AQID",
        "span.kind:string=server",
        "otel.status_code:string=ERROR",
        "error:bool=true",
        "w3c.tracestate:string=rojo=00f067aa0ba902b7");
    assertThat(tags(span.get("logs").get(0).get("fields"))).containsExactly("event:string=cache miss", "retries:int64=3");
    assertThat(span.get("logs").get(0).get("timestamp").asLong()).isEqualTo(START_MICROS + 10);
    JsonNode process = json.get("processes").get("p1");
    assertThat(process.get("serviceName").asText()).isEqualTo("checkout");
    assertThat(tags(process.get("tags"))).containsExactly(
        "hostname:string=web-1", "jaeger.version:string=Java-1.8.1", "ip:string=10.0.0.1");
    assertThat(json.get("spans").get(1).get("processID").asText()).isEqualTo("p1");
  }

  @Test
  void sixtyFourBitTraceIdsPrintAsSixteenDigits() {
    assertThat(JaegerTranslator.traceIdHex(new TraceId(0, 0xabcL))).isEqualTo("0000000000000abc");
  }

  @Test
  void spanWithZeroTraceIdIsRejectedAndTheRestKept() throws Exception {
    io.jaegertracing.thriftjava.Span bad = new io.jaegertracing.thriftjava.Span(0, 0, 2, 0, "zero", 1, START_MICROS, 1);
    io.jaegertracing.thriftjava.Span good = new io.jaegertracing.thriftjava.Span(1, 0, 2, 0, "ok", 1, START_MICROS, 1);

    OtlpTranslator.Decoded decoded = JaegerThriftDecoder.decode(encode(new Batch(new Process("svc"), List.of(bad, good))));

    assertThat(decoded.spans()).extracting(Span::name).containsExactly("ok");
    assertThat(decoded.errorMessage()).isEqualTo(
        "1 of 2 spans rejected; first: span 0 (name \"zero\"): trace_id: all zero (expected: a non-zero 16-byte ID)");
  }

  @Test
  void fieldsOfNewerSendersAreSkipped() throws Exception {
    byte[] whole = encode(batch());
    // Newer IDLs add Batch.seqNo (3: i64) and Batch.stats (4: struct); put both before the final STOP.
    byte[] extra = {10, 0, 3, 0, 0, 0, 0, 0, 0, 0, 7, 12, 0, 4, 10, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0};
    byte[] body = new byte[whole.length + extra.length];
    System.arraycopy(whole, 0, body, 0, whole.length - 1);
    System.arraycopy(extra, 0, body, whole.length - 1, extra.length);
    body[body.length - 1] = 0;

    assertThat(JaegerThriftDecoder.decode(body).spans()).hasSize(2);
  }

  @Test
  void garbageIsMalformed() {
    assertThatThrownBy(() -> JaegerThriftDecoder.decode("not thrift at all".getBytes()))
        .isInstanceOf(MalformedRequestException.class)
        .hasMessageStartingWith("Malformed:");
  }

  @Test
  void truncatedBatchSaysTruncated() throws Exception {
    byte[] whole = encode(batch());

    assertThatThrownBy(() -> JaegerThriftDecoder.decode(Arrays.copyOf(whole, whole.length / 2)))
        .isInstanceOf(MalformedRequestException.class)
        .hasMessageStartingWith("Truncated:");
  }

  @Test
  void hugeDeclaredListSizeIsRefusedBeforeAllocating() {
    // Batch field 2 (list of structs) claiming two billion spans in a 10-byte body.
    byte[] body = {15, 0, 2, 12, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0, 0};

    assertThatThrownBy(() -> JaegerThriftDecoder.decode(body)).hasMessageContaining("spans of 2147483647 elements");
  }

  @Test
  void emptyBodyIsTruncated() {
    assertThatThrownBy(() -> JaegerThriftDecoder.decode(new byte[0])).hasMessageStartingWith("Truncated:");
  }

  @Test
  void everyTruncationOfAValidBatchIsRefusedCleanly() throws Exception {
    byte[] whole = encode(batch());
    for (int n = 0; n < whole.length; n++) {
      byte[] part = Arrays.copyOf(whole, n);
      assertThatThrownBy(() -> JaegerThriftDecoder.decode(part)).isInstanceOf(MalformedRequestException.class);
    }
  }

  private static List<String> tags(JsonNode array) {
    List<String> out = new ArrayList<>();
    for (JsonNode t : array) out.add(t.get("key").asText() + ":" + t.get("type").asText() + "=" + t.get("value").asText());
    return out;
  }
}
