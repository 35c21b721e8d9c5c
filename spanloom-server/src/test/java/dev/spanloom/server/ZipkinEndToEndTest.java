package dev.spanloom.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import zipkin2.Endpoint;
import zipkin2.Span;
import zipkin2.codec.SpanBytesDecoder;
import zipkin2.reporter.AsyncReporter;
import zipkin2.reporter.CheckResult;
import zipkin2.reporter.Encoding;
import zipkin2.reporter.urlconnection.URLConnectionSender;

/**
 * zipkin-reporter's URLConnectionSender (gzip JSON, and proto3) posts spans to a running
 * Spanloom; they are read back through the Zipkin, Tempo and Jaeger APIs.
 */
class ZipkinEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final long NOW_MICROS = System.currentTimeMillis() * 1000 - 60_000_000L;
  static final String TRACE_ID = "463ac35c9f6413ad48485a3953bb6124";
  static final Endpoint FRONTEND = Endpoint.newBuilder().serviceName("frontend").ip("172.17.0.13").port(8080).build();
  static final Endpoint BACKEND = Endpoint.newBuilder().serviceName("backend").ip("172.17.0.14").port(9000).build();

  private static RunningSpanloom spanloom;
  static List<Span> sent;

  @BeforeAll
  static void start() {
    spanloom = new RunningSpanloom(RunningSpanloom.LOOPBACK_ALL);
    Span root = Span.newBuilder().traceId(TRACE_ID).id("a2fb4a1d1a96d312").name("get /")
        .kind(Span.Kind.SERVER).localEndpoint(FRONTEND).timestamp(NOW_MICROS).duration(50_000)
        .putTag("http.method", "GET").putTag("http.path", "/").build();
    Span client = Span.newBuilder().traceId(TRACE_ID).parentId("a2fb4a1d1a96d312").id("0020000000000001")
        .name("get /api").kind(Span.Kind.CLIENT).localEndpoint(FRONTEND).remoteEndpoint(BACKEND)
        .timestamp(NOW_MICROS + 1_000).duration(30_000)
        .addAnnotation(NOW_MICROS + 1_100, "wire send").putTag("http.path", "/api").build();
    // The server half of a B3 shared span: same ID as the client span.
    Span shared = Span.newBuilder().traceId(TRACE_ID).parentId("a2fb4a1d1a96d312").id("0020000000000001")
        .name("get /api").kind(Span.Kind.SERVER).shared(true).localEndpoint(BACKEND)
        .timestamp(NOW_MICROS + 2_000).duration(20_000).putTag("http.status_code", "500")
        .putTag("error", "database down").build();
    sent = List.of(root, client, shared);
    try (URLConnectionSender sender = URLConnectionSender.create(spanloom.zipkinEndpoint() + "/api/v2/spans");
        AsyncReporter<Span> reporter = reporter(sender)) {
      sent.forEach(reporter::report);
      reporter.flush(); // synchronous: returns after Spanloom answered, which it does once stored
    }
  }

  // No background flush thread: flush() sends synchronously and close() has nothing to wait for.
  static AsyncReporter<Span> reporter(URLConnectionSender sender) {
    return AsyncReporter.builder(sender).messageTimeout(0, TimeUnit.MILLISECONDS).build();
  }

  @AfterAll
  static void stop() {
    spanloom.close();
  }

  static AggregatedHttpResponse zipkinGet(String path) {
    return WebClient.of(spanloom.zipkinQueryEndpoint()).get(path).aggregate().join();
  }

  static JsonNode json(AggregatedHttpResponse r) throws Exception {
    assertThat(r.status().code()).as(r.contentUtf8()).isEqualTo(200);
    return JSON.readTree(r.contentUtf8());
  }

  @Test
  void receiverAndReadApiShareOnePort() {
    assertThat(spanloom.zipkinEndpoint()).isEqualTo(spanloom.zipkinQueryEndpoint());
  }

  @Test
  void spansWithoutErrorsReadBackExactlyAsSent() {
    AggregatedHttpResponse r = zipkinGet("/api/v2/trace/" + TRACE_ID);

    List<Span> back = SpanBytesDecoder.JSON_V2.decodeList(r.content().array());
    assertThat(back).hasSize(3).contains(sent.get(0), sent.get(1));
  }

  @Test
  void sharedServerSpanKeepsItsFlagAndItsErrorBecomesStatusTags() {
    List<Span> back = SpanBytesDecoder.JSON_V2.decodeList(zipkinGet("/api/v2/trace/" + TRACE_ID).content().array());

    Span shared = back.stream().filter(s -> s.kind() == Span.Kind.SERVER && "backend".equals(s.localServiceName()))
        .findFirst().orElseThrow();
    assertThat(shared.shared()).isTrue();
    assertThat(shared.parentId()).isEqualTo("a2fb4a1d1a96d312");
    assertThat(shared.timestampAsLong()).isEqualTo(NOW_MICROS + 2_000);
    assertThat(shared.durationAsLong()).isEqualTo(20_000);
    assertThat(shared.localEndpoint()).isEqualTo(BACKEND);
    assertThat(shared.tags()).containsEntry("error", "database down").containsEntry("otel.status_code", "ERROR")
        .containsEntry("http.status_code", "500");
  }

  @Test
  void sixteenDigitTraceIdFindsTheTraceByItsLowHalfOnlyWhenHighIsZero() {
    assertThat(zipkinGet("/api/v2/trace/48485a3953bb6124").status().code()).isEqualTo(404);
    assertThat(zipkinGet("/api/v2/trace/" + TRACE_ID.toUpperCase()).status().code()).isEqualTo(200);
  }

  @Test
  void servicesSpanNamesAndRemoteServices() throws Exception {
    assertThat(strings(json(zipkinGet("/api/v2/services")))).contains("backend", "frontend");
    assertThat(strings(json(zipkinGet("/api/v2/spans?serviceName=frontend")))).containsExactly("get /", "get /api");
    assertThat(strings(json(zipkinGet("/api/v2/remoteServices?serviceName=frontend")))).containsExactly("backend");
    assertThat(zipkinGet("/api/v2/spans").status().code()).isEqualTo(400);
  }

  @Test
  void searchesByServiceSpanNameAnnotationQueryAndDuration() throws Exception {
    long endTs = System.currentTimeMillis();
    assertThat(traceIds(json(zipkinGet("/api/v2/traces?serviceName=backend&endTs=" + endTs)))).containsExactly(TRACE_ID);
    assertThat(traceIds(json(zipkinGet("/api/v2/traces?serviceName=frontend&spanName=get%20/api&endTs=" + endTs))))
        .containsExactly(TRACE_ID);
    assertThat(traceIds(json(zipkinGet("/api/v2/traces?annotationQuery=error%20and%20http.status_code=500"))))
        .containsExactly(TRACE_ID);
    assertThat(traceIds(json(zipkinGet("/api/v2/traces?annotationQuery=wire%20send&serviceName=frontend"))))
        .containsExactly(TRACE_ID);
    assertThat(traceIds(json(zipkinGet("/api/v2/traces?serviceName=frontend&minDuration=40000"))))
        .containsExactly(TRACE_ID);
    assertThat(traceIds(json(zipkinGet("/api/v2/traces?serviceName=frontend&minDuration=60000")))).isEmpty();
    assertThat(traceIds(json(zipkinGet("/api/v2/traces?serviceName=nobody")))).isEmpty();
    // Outside the time window.
    assertThat(traceIds(json(zipkinGet("/api/v2/traces?endTs=" + (NOW_MICROS / 1000 - 10_000) + "&lookback=1000")))).isEmpty();
    assertThat(zipkinGet("/api/v2/traces?limit=0").status().code()).isEqualTo(400);
  }

  @Test
  void traceManyAndDependencies() throws Exception {
    JsonNode many = json(zipkinGet("/api/v2/traceMany?traceIds=" + TRACE_ID + ",1234"));
    assertThat(many).hasSize(1);
    assertThat(many.get(0)).hasSize(3);

    JsonNode deps = json(zipkinGet("/api/v2/dependencies?endTs=" + System.currentTimeMillis()));
    assertThat(deps.toString()).contains("{\"parent\":\"frontend\",\"child\":\"backend\",\"callCount\":1,\"errorCount\":1}");
    assertThat(zipkinGet("/api/v2/dependencies").status().code()).isEqualTo(400);
  }

  @Test
  void tempoApiShowsTheSpansWithTheirServices() throws Exception {
    JsonNode trace = json(spanloom.get("/api/v2/traces/" + TRACE_ID));

    Set<String> services = new HashSet<>();
    List<String> kinds = new ArrayList<>();
    for (JsonNode rs : trace.get("trace").get("resourceSpans")) {
      for (JsonNode a : rs.get("resource").get("attributes")) {
        if (a.get("key").asText().equals("service.name")) services.add(a.get("value").get("stringValue").asText());
      }
      for (JsonNode ss : rs.get("scopeSpans")) {
        for (JsonNode s : ss.get("spans")) kinds.add(s.get("kind").asText());
      }
    }
    assertThat(services).containsExactlyInAnyOrder("frontend", "backend");
    assertThat(kinds).containsExactlyInAnyOrder("SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "SPAN_KIND_SERVER");
    assertThat(trace.toString()).contains("\"key\":\"peer.service\",\"value\":{\"stringValue\":\"backend\"}");
  }

  @Test
  void protoThreeSenderIsAccepted() throws Exception {
    Span span = Span.newBuilder().traceId("00000000000000000000000000000abc").id("0000000000000def").name("proto")
        .localEndpoint(Endpoint.newBuilder().serviceName("proto-sender").build()).timestamp(NOW_MICROS).duration(5).build();
    try (URLConnectionSender sender = URLConnectionSender.newBuilder().encoding(Encoding.PROTO3)
            .endpoint(spanloom.zipkinEndpoint() + "/api/v2/spans").build();
        AsyncReporter<Span> reporter = reporter(sender)) {
      reporter.report(span);
      reporter.flush();
    }
    List<Span> back = SpanBytesDecoder.JSON_V2.decodeList(zipkinGet("/api/v2/trace/abc").content().array());
    assertThat(back).containsExactly(span);
  }

  @Test
  void senderCheckPostsAnEmptyListAndGets202() {
    try (URLConnectionSender sender = URLConnectionSender.create(spanloom.zipkinEndpoint() + "/api/v2/spans")) {
      assertThat(sender.check()).isEqualTo(CheckResult.OK);
    }
  }

  @Test
  void badJsonIs400WithAMessage() {
    AggregatedHttpResponse r = post("{\"traceId\":", MediaType.JSON);

    assertThat(r.status().code()).isEqualTo(400);
    assertThat(r.contentUtf8()).startsWith("Malformed: not a list of Zipkin v2 spans (json)");
  }

  @Test
  void otherMediaTypeIs415() {
    AggregatedHttpResponse r = post("<spans/>", MediaType.XML_UTF_8);

    assertThat(r.status().code()).isEqualTo(415);
    assertThat(r.contentUtf8()).contains("expected: application/json or application/x-protobuf");
  }

  @Test
  void spanWithoutTimestampIsCountedAndTheOthersStored() {
    AggregatedHttpResponse r = post("[{\"traceId\":\"77\",\"id\":\"1\",\"name\":\"late\"},"
        + "{\"traceId\":\"77\",\"id\":\"2\",\"timestamp\":" + NOW_MICROS + "}]", MediaType.JSON);

    assertThat(r.status().code()).isEqualTo(202);
    assertThat(r.contentUtf8()).isEqualTo(
        "1 of 2 spans rejected; first: span 0 (name \"late\"): start_time_unix_nano: 0 (expected: > 0)");
    assertThat(zipkinGet("/api/v2/trace/77").status().code()).isEqualTo(200);
    assertThat(spanloom.get("/metrics").contentUtf8()).contains(
        "spanloom_receiver_refused_spans_total{reason=\"invalid\",receiver=\"zipkin\",transport=\"zipkin_http\"} 1.0");
  }

  static AggregatedHttpResponse post(String body, MediaType type) {
    return WebClient.of(spanloom.zipkinEndpoint())
        .execute(RequestHeaders.builder(HttpMethod.POST, "/api/v2/spans").contentType(type).build(), body)
        .aggregate().join();
  }

  static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  static List<String> traceIds(JsonNode traces) {
    List<String> out = new ArrayList<>();
    traces.forEach(t -> out.add(t.get(0).get("traceId").asText()));
    return out;
  }
}
