package dev.spanloom.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.util.JsonFormat;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The first real loop: the OpenTelemetry Java SDK exports over the network (gRPC and
 * HTTP/protobuf), a client posts OTLP/JSON, and every span read back through the Tempo API
 * equals what the SDK itself would encode as OTLP, field for field.
 */
class OtlpEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static RunningSpanloom spanloom;

  @BeforeAll
  static void start() {
    spanloom = RunningSpanloom.start();
  }

  @AfterAll
  static void stop() {
    spanloom.close();
  }

  @Test
  void sdkOverGrpcRoundTripsEveryField() throws Exception {
    OtlpGrpcSpanExporter exporter = OtlpGrpcSpanExporter.builder().setEndpoint(spanloom.grpcEndpoint()).build();
    assertRoundTrip(exporter, "grpc");
  }

  @Test
  void sdkOverHttpProtobufRoundTripsEveryField() throws Exception {
    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
        .setEndpoint(spanloom.httpEndpoint() + "/v1/traces").setCompression("gzip").build();
    assertRoundTrip(exporter, "http");
  }

  @Test
  void otlpJsonWithHexIdsRoundTripsThroughTheV2Api() throws Exception {
    String body = """
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"json-client"}}]},
          "scopeSpans":[{"scope":{"name":"curl","version":"8"},"spans":[
            {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",
             "parentSpanId":"eee19b7ec3c1b173","name":"GET /json","kind":"SPAN_KIND_SERVER",
             "startTimeUnixNano":"1544712660000000001","endTimeUnixNano":1544712661000000002,
             "attributes":[{"key":"s","value":{"stringValue":"v"}},{"key":"i","value":{"intValue":"-7"}},
               {"key":"d","value":{"doubleValue":2.5}},{"key":"b","value":{"boolValue":true}},
               {"key":"raw","value":{"bytesValue":"AQID"}},
               {"key":"arr","value":{"arrayValue":{"values":[{"intValue":1},{"stringValue":"x"}]}}},
               {"key":"map","value":{"kvlistValue":{"values":[{"key":"k","value":{"stringValue":"v"}}]}}}],
             "status":{"code":2,"message":"boom"}}]}]}]}
        """;
    AggregatedHttpResponse posted = WebClient.of(spanloom.httpEndpoint())
        .execute(RequestHeaders.of(HttpMethod.POST, "/v1/traces", "content-type", "application/json"), body)
        .aggregate().join();
    assertThat(posted.status().code()).isEqualTo(200);
    assertThat(posted.contentUtf8()).isEqualTo("{}");

    AggregatedHttpResponse got = spanloom.get("/api/v2/traces/5b8efff798038103d269b633813fc60c");
    assertThat(got.status().code()).isEqualTo(200);
    ObjectNode root = (ObjectNode) JSON.readTree(got.contentUtf8());
    TracesData.Builder data = TracesData.newBuilder();
    JsonFormat.parser().merge(root.get("trace").toString(), data);
    io.opentelemetry.proto.trace.v1.Span span = data.getResourceSpans(0).getScopeSpans(0).getSpans(0);
    ExportTraceServiceRequest.Builder expected = ExportTraceServiceRequest.newBuilder();
    JsonFormat.parser().merge(body.replace("5b8efff798038103d269b633813fc60c", "W47/95gDgQPSabYzgT/GDA==")
        .replace("eee19b7ec3c1b174", "7uGbfsPBsXQ=").replace("eee19b7ec3c1b173", "7uGbfsPBsXM="), expected);
    assertThat(span).isEqualTo(expected.getResourceSpans(0).getScopeSpans(0).getSpans(0));
    assertThat(data.getResourceSpans(0).getResource()).isEqualTo(expected.getResourceSpans(0).getResource());
    assertThat(data.getResourceSpans(0).getScopeSpans(0).getScope()).isEqualTo(expected.getResourceSpans(0).getScopeSpans(0).getScope());
  }

  private void assertRoundTrip(SpanExporter otlpExporter, String label) throws Exception {
    List<SpanData> sent = SdkTraces.exportRichTrace(otlpExporter, label,
        label.equals("grpc") ? "4bf92f3577b34da6a3ce929d0e0e4736" : "4bf92f3577b34da6a3ce929d0e0e4737");
    String traceId = sent.get(0).getTraceId();
    ExportTraceServiceRequest expected = SdkTraces.sdkEncoding(sent);

    AggregatedHttpResponse got = spanloom.get("/api/traces/" + traceId);
    assertThat(got.status().code()).isEqualTo(200);
    TracesData actual = SdkTraces.fromTempoJson(got);

    assertThat(flatten(actual.getResourceSpansList())).isEqualTo(flatten(expected.getResourceSpansList()));
    // And the protobuf flavour of the same answer.
    AggregatedHttpResponse proto = WebClient.of(spanloom.queryEndpoint())
        .execute(HttpRequest.of(RequestHeaders.of(HttpMethod.GET, "/api/traces/" + traceId, "accept", "application/protobuf")))
        .aggregate().join();
    assertThat(proto.contentType()).isEqualTo(MediaType.PROTOBUF);
    assertThat(flatten(TracesData.parseFrom(proto.content().array()).getResourceSpansList()))
        .isEqualTo(flatten(expected.getResourceSpansList()));

    long t0 = SdkTraces.T0;
    SpanData root = sent.stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
    io.opentelemetry.proto.trace.v1.Span rootProto =
        (io.opentelemetry.proto.trace.v1.Span) flatten(actual.getResourceSpansList()).get(root.getSpanId()).get(0);
    assertThat(rootProto.getStartTimeUnixNano()).isEqualTo(t0);
    assertThat(rootProto.getEndTimeUnixNano()).isEqualTo(t0 + 245_000_001L);
    assertThat(rootProto.getTraceState()).isEqualTo("rojo=00f067aa0ba902b7");
    assertThat(rootProto.getStatus().getMessage()).isEqualTo("payment declined");
    assertThat(rootProto.getLinks(0).getTraceState()).isEqualTo("congo=t61rcWkgMzE");
    assertThat(new String(got.content().array(), StandardCharsets.UTF_8)).contains("\"service.name\"");
  }

  private static Map<String, List<Object>> flatten(List<ResourceSpans> batches) {
    return SdkTraces.flatten(batches);
  }
}
