package dev.spanloom.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.rpc.RetryInfo;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.RequestHeaders;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Every kind of bad or unwelcome OTLP request gets the answer the OTLP specification prescribes. */
class OtlpBadInputTest {
  private static RunningSpanloom spanloom;

  @BeforeAll
  static void start() {
    spanloom = new RunningSpanloom(RunningSpanloom.LOOPBACK_OTLP
        .replace("      http:\n        endpoint: 127.0.0.1:0",
            "      http:\n        endpoint: 127.0.0.1:0\n        max_request_body_size: 64KiB")
        .replace("      grpc:\n        endpoint: 127.0.0.1:0",
            "      grpc:\n        endpoint: 127.0.0.1:0\n        max_recv_msg_size_mib: 1"));
    assertThat(spanloom.server.toString()).contains("store");
  }

  @AfterAll
  static void stop() {
    spanloom.close();
  }

  static byte[] randomId(int bytes) {
    byte[] b = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(b);
    b[0] |= 1;
    return b;
  }

  static Span.Builder validSpan(byte[] traceId) {
    return Span.newBuilder()
        .setTraceId(ByteString.copyFrom(traceId))
        .setSpanId(ByteString.copyFrom(randomId(8)))
        .setName("ok")
        .setStartTimeUnixNano(1_700_000_000_000_000_000L)
        .setEndTimeUnixNano(1_700_000_000_100_000_000L);
  }

  static ExportTraceServiceRequest request(Span... spans) {
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
            .setValue(AnyValue.newBuilder().setStringValue("bad-input-test"))))
        .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(java.util.List.of(spans)))).build();
  }

  /** One valid span and three invalid ones of the same trace. */
  static ExportTraceServiceRequest mixedRequest(byte[] traceId) {
    return request(
        validSpan(traceId).build(),
        validSpan(new byte[16]).setName("zero trace").build(),
        validSpan(traceId).setSpanId(ByteString.copyFrom(new byte[8])).setName("zero span").build(),
        validSpan(traceId).setName("backwards").setEndTimeUnixNano(1).build());
  }

  static AggregatedHttpResponse post(String contentType, byte[] body, String... headers) {
    com.linecorp.armeria.common.RequestHeadersBuilder h = RequestHeaders.builder(HttpMethod.POST, "/v1/traces").contentType(
        com.linecorp.armeria.common.MediaType.parse(contentType));
    for (int i = 0; i < headers.length; i += 2) h.add(headers[i], headers[i + 1]);
    return WebClient.of(spanloom.httpEndpoint()).execute(h.build(), HttpData.wrap(body)).aggregate().join();
  }

  static TraceServiceGrpc.TraceServiceBlockingStub grpc(RunningSpanloom s) {
    return GrpcClients.newClient(s.grpcEndpoint(), TraceServiceGrpc.TraceServiceBlockingStub.class);
  }

  static String hex(byte[] id) {
    return dev.spanloom.model.TraceId.fromBytes(id).toHex();
  }

  @Nested
  class PartialSuccess {
    @Test
    void grpcKeepsValidSpansAndReportsRejectedOnes() {
      byte[] traceId = randomId(16);
      ExportTraceServiceResponse response = grpc(spanloom).export(mixedRequest(traceId));
      assertThat(response.getPartialSuccess().getRejectedSpans()).isEqualTo(3);
      assertThat(response.getPartialSuccess().getErrorMessage())
          .startsWith("3 of 4 spans rejected; first: span 1 (name \"zero trace\"): trace_id: all zero");
      assertThat(spanloom.get("/api/traces/" + hex(traceId)).contentUtf8()).contains("\"name\":\"ok\"")
          .doesNotContain("backwards");
    }

    @Test
    void httpProtobufKeepsValidSpansAndReportsRejectedOnes() throws Exception {
      byte[] traceId = randomId(16);
      AggregatedHttpResponse r = post("application/x-protobuf", mixedRequest(traceId).toByteArray());
      assertThat(r.status().code()).isEqualTo(200);
      ExportTraceServiceResponse response = ExportTraceServiceResponse.parseFrom(r.content().array());
      assertThat(response.getPartialSuccess().getRejectedSpans()).isEqualTo(3);
      assertThat(response.getPartialSuccess().getErrorMessage()).contains("trace_id: all zero");
      assertThat(spanloom.get("/api/traces/" + hex(traceId)).status().code()).isEqualTo(200);
    }

    @Test
    void httpJsonReportsEndBeforeStart() throws Exception {
      String traceId = hex(randomId(16));
      String body = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"" + traceId
          + "\",\"spanId\":\"0102030405060708\",\"name\":\"late\",\"startTimeUnixNano\":\"20\",\"endTimeUnixNano\":\"10\"}]}]}]}";
      AggregatedHttpResponse r = post("application/json", body.getBytes());
      assertThat(r.status().code()).isEqualTo(200);
      JsonNode partial = new ObjectMapper().readTree(r.contentUtf8()).get("partialSuccess");
      assertThat(partial.get("rejectedSpans").asText()).isEqualTo("1");
      assertThat(partial.get("errorMessage").asText())
          .contains("end_time_unix_nano: 10 (expected: >= start_time_unix_nano 20)");
      assertThat(spanloom.get("/api/traces/" + traceId).status().code()).isEqualTo(404);
    }

    @Test
    void rejectsWrongIdLengthsWithTheLength() {
      ExportTraceServiceResponse response = grpc(spanloom).export(request(
          validSpan(randomId(15)).build()));
      assertThat(response.getPartialSuccess().getErrorMessage()).contains("trace_id: 15 bytes (expected: 16)");
    }
  }

  @Nested
  class Unparseable {
    @Test
    void garbageProtobufIs400WithStatusBody() throws Exception {
      AggregatedHttpResponse r = post("application/x-protobuf", new byte[] {(byte) 0xff, 0x01, 0x02});
      assertThat(r.status().code()).isEqualTo(400);
      com.google.rpc.Status status = com.google.rpc.Status.parseFrom(r.content().array());
      assertThat(status.getCode()).isEqualTo(com.google.rpc.Code.INVALID_ARGUMENT_VALUE);
      assertThat(status.getMessage()).containsAnyOf("Malformed:", "Truncated:");
    }

    @Test
    void brokenJsonIs400WithJsonStatusBody() {
      AggregatedHttpResponse r = post("application/json", "{\"resourceSpans\": [".getBytes());
      assertThat(r.status().code()).isEqualTo(400);
      assertThat(r.contentType().toString()).startsWith("application/json");
      assertThat(r.contentUtf8()).contains("\"message\":\"Malformed: not JSON");
    }

    @Test
    void jsonOfTheWrongShapeIs400() {
      AggregatedHttpResponse r = post("application/json", "{\"resourceSpans\": 5}".getBytes());
      assertThat(r.status().code()).isEqualTo(400);
      assertThat(r.contentUtf8()).contains("Malformed:");
    }

    @Test
    void unsupportedContentTypeIs415() {
      AggregatedHttpResponse r = post("text/plain", "hello".getBytes());
      assertThat(r.status().code()).isEqualTo(415);
      assertThat(r.contentUtf8()).contains("expected: application/x-protobuf or application/json");
    }

    @Test
    void getIsNotAllowed() {
      AggregatedHttpResponse r = WebClient.of(spanloom.httpEndpoint()).get("/v1/traces").aggregate().join();
      assertThat(r.status().code()).isEqualTo(405);
    }
  }

  @Nested
  class Size {
    @Test
    void bodyOverTheLimitIs413() {
      AggregatedHttpResponse r = post("application/x-protobuf", new byte[100 * 1024]);
      assertThat(r.status().code()).as(r.contentUtf8()).isEqualTo(413);
      assertThat(r.contentUtf8()).contains("larger than max_request_body_size 65536 bytes");
      assertThat(spanloom.get("/metrics").contentUtf8())
          .contains("spanloom_receiver_refused_requests_total{reason=\"too_large\",receiver=\"otlp\",transport=\"http\"}");
    }

    @Test
    void gzipBombOverTheLimitIs413() throws Exception {
      AggregatedHttpResponse r = post("application/x-protobuf", gzip(new byte[10 * 1024 * 1024]), "content-encoding", "gzip");
      assertThat(r.status().code()).isEqualTo(413);
    }

    @Test
    void gzipBodyIsAccepted() throws Exception {
      byte[] traceId = randomId(16);
      AggregatedHttpResponse r = post("application/x-protobuf", gzip(request(validSpan(traceId).build()).toByteArray()),
          "content-encoding", "gzip");
      assertThat(r.status().code()).isEqualTo(200);
      assertThat(spanloom.get("/api/traces/" + hex(traceId)).status().code()).isEqualTo(200);
    }

    @Test
    void grpcMessageOverTheLimitIsResourceExhausted() {
      Span big = validSpan(randomId(16)).setName("x".repeat(2 * 1024 * 1024)).build();
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
          () -> grpc(spanloom).export(request(big)));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    }

    private byte[] gzip(byte[] data) throws Exception {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
        gz.write(data);
      }
      return out.toByteArray();
    }
  }

  @Nested
  class Backpressure {
    @Test
    void fullQueueIs429AndResourceExhaustedWithRetryHint() throws Exception {
      // A second exporter that answers only when the test opens its gate keeps the first request's
      // bytes in the queue (stored, not yet acknowledged), so the second request finds it full.
      CompletableFuture<Void> gate = new CompletableFuture<>();
      String yaml = RunningSpanloom.LOOPBACK_OTLP
          .replace("exporters:\n  store: {}", "exporters:\n  store: {}\n  gate: {}")
          .replace("exporters: [store]", "exporters: [store, gate]")
          .replace("service:\n", "service:\n  ingest_queue:\n    max_bytes: 500\n");
      try (RunningSpanloom small = new RunningSpanloom(yaml, registry -> registry.exporter("gate",
          node -> spans -> gate))) {
        byte[] first = randomId(16);
        CompletableFuture<ExportTraceServiceResponse> held = CompletableFuture.supplyAsync(
            () -> grpc(small).export(request(validSpan(first).build(), validSpan(first).build())));
        waitForQueuedBytes(small);

        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
            () -> grpc(small).export(request(validSpan(randomId(16)).build())));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(e.getStatus().getDescription()).startsWith("ingest queue full");
        RetryInfo retry = StatusProto.fromThrowable(e).getDetails(0).unpack(RetryInfo.class);
        assertThat(retry.getRetryDelay().getSeconds()).isEqualTo(1);

        AggregatedHttpResponse r = WebClient.of(small.httpEndpoint()).execute(
            RequestHeaders.builder(HttpMethod.POST, "/v1/traces").contentType(com.linecorp.armeria.common.MediaType.parse("application/x-protobuf")).build(),
            HttpData.wrap(request(validSpan(randomId(16)).build()).toByteArray())).aggregate().join();
        assertThat(r.status().code()).isEqualTo(429);
        assertThat(r.headers().get("retry-after")).isEqualTo("1");

        // The held request is acknowledged once every exporter has its spans.
        assertThat(held).isNotDone();
        gate.complete(null);
        assertThat(held.join().hasPartialSuccess()).isFalse();
        assertThat(small.get("/api/traces/" + hex(first)).status().code()).isEqualTo(200);
      }
    }

    @Test
    void memoryLimiterRefusesWith503AndResourceExhausted() {
      String yaml = RunningSpanloom.LOOPBACK_OTLP
          .replace("exporters:\n  store: {}", "processors:\n  memory_limiter:\n    check_interval: 1s\n    limit_mib: 1\n    spike_limit_mib: 0\nexporters:\n  store: {}")
          .replace("exporters: [store]", "processors: [memory_limiter]\n      exporters: [store]");
      try (RunningSpanloom limited = new RunningSpanloom(yaml)) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
            () -> grpc(limited).export(request(validSpan(randomId(16)).build())));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(e.getStatus().getDescription()).startsWith("memory_limiter: heap in use");

        AggregatedHttpResponse r = WebClient.of(limited.httpEndpoint()).execute(
            RequestHeaders.builder(HttpMethod.POST, "/v1/traces").contentType(com.linecorp.armeria.common.MediaType.parse("application/x-protobuf")).build(),
            HttpData.wrap(request(validSpan(randomId(16)).build()).toByteArray())).aggregate().join();
        assertThat(r.status().code()).isEqualTo(503);
        assertThat(r.headers().get("retry-after")).isEqualTo("2");
        assertThat(limited.get("/metrics").contentUtf8())
            .contains("spanloom_receiver_refused_spans_total{reason=\"memory_limit\",receiver=\"otlp\",transport=\"grpc\"} 1.0");
      }
    }

    private void waitForQueuedBytes(RunningSpanloom s) throws InterruptedException {
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (s.server.queueBytesInFlight() == 0 && System.nanoTime() < deadline) Thread.sleep(10);
      assertThat(s.server.queueBytesInFlight()).isPositive();
    }
  }

  @Nested
  class QueryApi {
    @Test
    void malformedTraceIdIs400() {
      AggregatedHttpResponse r = spanloom.get("/api/traces/not-hex");
      assertThat(r.status().code()).isEqualTo(400);
      assertThat(r.contentUtf8()).contains("invalid trace ID \"not-hex\"");
      assertThat(spanloom.get("/api/v2/traces/" + "a".repeat(33)).status().code()).isEqualTo(400);
      assertThat(spanloom.get("/api/traces/" + "0".repeat(32)).status().code()).isEqualTo(400);
    }

    @Test
    void unknownTraceIdIs404() {
      AggregatedHttpResponse r = spanloom.get("/api/traces/" + hex(randomId(16)));
      assertThat(r.status().code()).isEqualTo(404);
      assertThat(spanloom.get("/api/v2/traces/abc").status().code()).isEqualTo(404);
    }

    @Test
    void echoReadyAndMetricsAnswer() {
      grpc(spanloom).export(request(validSpan(randomId(16)).build()));
      assertThat(spanloom.get("/api/echo").contentUtf8()).isEqualTo("echo");
      assertThat(spanloom.get("/ready").status().code()).isEqualTo(200);
      String metrics = spanloom.get("/metrics").contentUtf8();
      assertThat(metrics)
          .contains("spanloom_receiver_accepted_spans_total{receiver=\"otlp\",transport=\"grpc\"}")
          .contains("spanloom_receiver_received_spans_total{receiver=\"otlp\",transport=\"grpc\"}")
          .contains("spanloom_ingest_queue_bytes")
          .contains("jvm_memory_used_bytes");
    }
  }
}
