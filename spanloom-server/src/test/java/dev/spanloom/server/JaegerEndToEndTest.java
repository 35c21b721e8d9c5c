package dev.spanloom.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import io.jaegertracing.internal.JaegerSpan;
import io.jaegertracing.internal.JaegerTracer;
import io.jaegertracing.internal.reporters.InMemoryReporter;
import io.jaegertracing.internal.samplers.ConstSampler;
import io.jaegertracing.thrift.internal.senders.HttpSender;
import io.opentracing.References;
import io.opentracing.tag.Tags;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import zipkin2.codec.SpanBytesDecoder;

/**
 * jaeger-client 1.8.1 records spans of two services and its HttpSender posts them as thrift to
 * a running Spanloom; they are read back through the Jaeger API (JSON and api_v3), the Tempo API
 * and the Zipkin API.
 */
class JaegerEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static RunningSpanloom spanloom;
  static JaegerSpan root;
  static JaegerSpan query;
  static JaegerSpan reserve;
  static String traceId;

  @BeforeAll
  static void start() throws Exception {
    spanloom = new RunningSpanloom(RunningSpanloom.LOOPBACK_ALL);
    InMemoryReporter checkoutSpans = new InMemoryReporter();
    InMemoryReporter inventorySpans = new InMemoryReporter();
    try (JaegerTracer checkout = tracer("checkout", checkoutSpans);
        JaegerTracer inventory = tracer("inventory", inventorySpans)) {
      root = checkout.buildSpan("GET /checkout").withTag(Tags.SPAN_KIND.getKey(), Tags.SPAN_KIND_SERVER).start();
      root.setTag("http.method", "GET").setTag("http.status_code", 503).setTag("error", true);
      root.log(Map.of("event", "cache miss", "retries", 3));
      query = checkout.buildSpan("SELECT orders").asChildOf(root)
          .withTag(Tags.SPAN_KIND.getKey(), Tags.SPAN_KIND_CLIENT).withTag("peer.service", "postgres")
          .withTag("db.statement", "SELECT * FROM orders").start();
      query.finish();
      // Another service, reached over the network: a child of the checkout server span.
      reserve = inventory.buildSpan("reserve").addReference(References.CHILD_OF, root.context())
          .addReference(References.FOLLOWS_FROM, query.context())
          .withTag(Tags.SPAN_KIND.getKey(), Tags.SPAN_KIND_SERVER).start();
      reserve.finish();
      root.finish();
    }
    send(checkoutSpans.getSpans());
    send(inventorySpans.getSpans());
    traceId = root.context().getTraceId();
  }

  static JaegerTracer tracer(String service, InMemoryReporter reporter) {
    return new JaegerTracer.Builder(service).withReporter(reporter).withSampler(new ConstSampler(true))
        .withTag("deployment.environment", "test").build();
  }

  // The sender jaeger-client's RemoteReporter uses; flush() posts and throws unless answered 2xx.
  static void send(List<JaegerSpan> spans) throws Exception {
    HttpSender sender = new HttpSender.Builder(spanloom.jaegerThriftEndpoint() + "/api/traces").build();
    for (JaegerSpan s : spans) sender.append(s);
    assertThat(sender.flush()).isEqualTo(spans.size());
    sender.close();
  }

  @AfterAll
  static void stop() {
    spanloom.close();
  }

  static JsonNode jaeger(String path) throws Exception {
    AggregatedHttpResponse r = WebClient.of(spanloom.jaegerQueryEndpoint()).get(path).aggregate().join();
    assertThat(r.status().code()).as(r.contentUtf8()).isEqualTo(200);
    return JSON.readTree(r.contentUtf8());
  }

  static AggregatedHttpResponse jaegerResponse(String path) {
    return WebClient.of(spanloom.jaegerQueryEndpoint()).get(path).aggregate().join();
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static JsonNode span(JsonNode trace, String operation) {
    for (JsonNode s : trace.get("spans")) {
      if (s.get("operationName").asText().equals(operation)) return s;
    }
    throw new AssertionError("no span " + operation + " in " + trace);
  }

  static List<String> tags(JsonNode array) {
    List<String> out = new ArrayList<>();
    for (JsonNode t : array) out.add(t.get("key").asText() + ":" + t.get("type").asText() + "=" + t.get("value").asText());
    return out;
  }

  @Test
  void traceReadsBackWithIdsTimesTagsLogsAndProcesses() throws Exception {
    JsonNode body = jaeger("/api/traces/" + traceId);
    assertThat(body.get("errors").isNull()).isTrue();
    JsonNode trace = body.get("data").get(0);

    assertThat(trace.get("traceID").asText()).isEqualTo(traceId).hasSize(16);
    assertThat(trace.get("spans")).hasSize(3);
    JsonNode server = span(trace, "GET /checkout");
    assertThat(server.get("spanID").asText()).isEqualTo(root.context().toSpanId());
    assertThat(server.get("startTime").asLong()).isEqualTo(root.getStart());
    assertThat(server.get("duration").asLong()).isEqualTo(root.getDuration());
    assertThat(server.get("flags").asInt()).isEqualTo(1);
    assertThat(server.get("references")).isEmpty();
    assertThat(tags(server.get("tags"))).contains("http.method:string=GET", "http.status_code:int64=503",
        "span.kind:string=server", "error:bool=true", "sampler.type:string=const");
    assertThat(tags(server.get("logs").get(0).get("fields"))).containsExactlyInAnyOrder(
        "event:string=cache miss", "retries:int64=3");
    assertThat(server.get("logs").get(0).get("timestamp").asLong()).isBetween(root.getStart(), root.getStart() + root.getDuration());

    JsonNode client = span(trace, "SELECT orders");
    assertThat(client.get("references").toString()).isEqualTo("[{\"refType\":\"CHILD_OF\",\"traceID\":\"" + traceId
        + "\",\"spanID\":\"" + root.context().toSpanId() + "\"}]");
    assertThat(tags(client.get("tags"))).contains("peer.service:string=postgres", "span.kind:string=client");

    JsonNode remote = span(trace, "reserve");
    assertThat(remote.get("references").toString()).isEqualTo("[{\"refType\":\"CHILD_OF\",\"traceID\":\"" + traceId
        + "\",\"spanID\":\"" + root.context().toSpanId() + "\"},{\"refType\":\"FOLLOWS_FROM\",\"traceID\":\"" + traceId
        + "\",\"spanID\":\"" + query.context().toSpanId() + "\"}]");
    assertThat(remote.get("processID").asText()).isNotEqualTo(server.get("processID").asText());

    JsonNode process = trace.get("processes").get(server.get("processID").asText());
    assertThat(process.get("serviceName").asText()).isEqualTo("checkout");
    assertThat(tags(process.get("tags"))).contains("deployment.environment:string=test", "jaeger.version:string=Java-1.8.1");
    assertThat(trace.get("processes").get(remote.get("processID").asText()).get("serviceName").asText()).isEqualTo("inventory");
  }

  @Test
  void servicesAndOperations() throws Exception {
    assertThat(jaeger("/api/services").get("data").toString()).isEqualTo("[\"checkout\",\"inventory\"]");
    JsonNode ops = jaeger("/api/services/checkout/operations");
    assertThat(ops.get("data").toString()).isEqualTo("[\"GET /checkout\",\"SELECT orders\"]");
    assertThat(ops.get("total").asInt()).isEqualTo(2);
    assertThat(jaeger("/api/operations?service=checkout&spanKind=client").get("data").toString())
        .isEqualTo("[{\"name\":\"SELECT orders\",\"spanKind\":\"client\"}]");
    assertThat(jaeger("/api/operations?service=checkout").get("data")).hasSize(2);
  }

  @Test
  void searchesByServiceOperationTagsAndDuration() throws Exception {
    String window = "&start=" + (root.getStart() - 1_000_000) + "&end=" + (root.getStart() + 60_000_000);
    assertThat(found("/api/traces?service=checkout" + window)).containsExactly(traceId);
    assertThat(found("/api/traces?service=checkout&tags=" + enc("{\"error\":\"true\"}") + window)).containsExactly(traceId);
    assertThat(found("/api/traces?service=checkout&tags=" + enc("{\"http.status_code\":\"503\",\"span.kind\":\"server\"}") + window))
        .containsExactly(traceId);
    assertThat(found("/api/traces?service=checkout&tag=" + enc("event:cache miss") + window)).containsExactly(traceId);
    assertThat(found("/api/traces?service=checkout&tag=" + enc("deployment.environment:test") + window)).containsExactly(traceId);
    assertThat(found("/api/traces?service=checkout&operation=" + enc("SELECT orders") + window)).containsExactly(traceId);
    assertThat(found("/api/traces?service=checkout&tags=" + enc("{\"http.status_code\":\"200\"}") + window)).isEmpty();
    assertThat(found("/api/traces?service=checkout&minDuration=1h" + window)).isEmpty();
    assertThat(found("/api/traces?service=checkout&maxDuration=1h&minDuration=1us" + window)).containsExactly(traceId);
    assertThat(found("/api/traces?service=checkout&lookback=1h")).containsExactly(traceId);
    assertThat(found("/api/traces?service=checkout&end=" + (root.getStart() - 10_000_000) + "&start=" + (root.getStart() - 20_000_000)))
        .isEmpty();
    assertThat(found("/api/traces?traceID=" + traceId + "&traceID=123")).containsExactly(traceId);
  }

  @Test
  void badSearchParametersAre400WithErrors() throws Exception {
    AggregatedHttpResponse noService = jaegerResponse("/api/traces");
    assertThat(noService.status().code()).isEqualTo(400);
    assertThat(JSON.readTree(noService.contentUtf8()).get("errors").get(0).get("msg").asText())
        .isEqualTo("parameter 'service' is required");
    assertThat(jaegerResponse("/api/traces?service=checkout&minDuration=fast").contentUtf8())
        .contains("minDuration: \\\"fast\\\" (expected: a duration such as 100ms");
    assertThat(jaegerResponse("/api/traces?service=checkout&tags=notjson").status().code()).isEqualTo(400);
    assertThat(jaegerResponse("/api/traces/xyz").status().code()).isEqualTo(400);
    AggregatedHttpResponse unknown = jaegerResponse("/api/traces/1234");
    assertThat(unknown.status().code()).isEqualTo(404);
    assertThat(unknown.contentUtf8()).contains("\"errors\":[{\"code\":404,\"msg\":\"trace not found\"}]");
  }

  @Test
  void dependenciesLinkServicesThroughParentSpansAndPeerServices() throws Exception {
    JsonNode deps = jaeger("/api/dependencies?endTs=" + System.currentTimeMillis() + "&lookback=3600000");
    // inventory's server span is a child of checkout's server span; the query's client span names its peer.
    assertThat(deps.get("data").toString()).isEqualTo("["
        + "{\"parent\":\"checkout\",\"child\":\"inventory\",\"callCount\":1,\"source\":\"jaeger\"},"
        + "{\"parent\":\"checkout\",\"child\":\"postgres\",\"callCount\":1,\"source\":\"jaeger\"}]");
  }

  @Test
  void dependenciesRejectANonPositiveLookback() throws Exception {
    assertThat(jaegerResponse("/api/dependencies?lookback=0").status().code()).isEqualTo(400);
  }

  @Test
  void apiV3ReturnsOtlpJsonWithHexIdsAndNumericEnums() throws Exception {
    JsonNode result = jaeger("/api/v3/traces/" + traceId).get("result");

    List<String> spanIds = new ArrayList<>();
    for (JsonNode rs : result.get("resourceSpans")) {
      for (JsonNode ss : rs.get("scopeSpans")) {
        for (JsonNode s : ss.get("spans")) {
          assertThat(s.get("traceId").asText()).isEqualTo("0000000000000000" + traceId);
          spanIds.add(s.get("spanId").asText());
          if (s.get("name").asText().equals("GET /checkout")) {
            assertThat(s.get("kind").asInt()).isEqualTo(2);
            assertThat(s.get("status").get("code").asInt()).isEqualTo(2);
            assertThat(s.get("startTimeUnixNano").asText()).isEqualTo(Long.toString(root.getStart() * 1000));
          }
        }
      }
    }
    assertThat(spanIds).contains(root.context().toSpanId(), query.context().toSpanId(), reserve.context().toSpanId());
  }

  @Test
  void apiV3SearchServicesAndOperations() throws Exception {
    String min = Instant.ofEpochSecond(0, (root.getStart() - 1_000_000) * 1000).toString();
    String max = Instant.ofEpochSecond(0, (root.getStart() + 60_000_000) * 1000).toString();
    String window = "&query.start_time_min=" + enc(min) + "&query.start_time_max=" + enc(max);

    assertThat(jaeger("/api/v3/traces?query.service_name=inventory" + window).toString()).contains(reserve.context().toSpanId());
    assertThat(jaeger("/api/v3/traces?query.service_name=checkout&query.attributes=" + enc("{\"db.statement\":\"SELECT * FROM orders\"}")
        + "&query.duration_min=1ns" + window).toString()).contains(query.context().toSpanId());
    assertThat(jaegerResponse("/api/v3/traces?query.service_name=nobody" + window).status().code()).isEqualTo(404);
    AggregatedHttpResponse noTime = jaegerResponse("/api/v3/traces?query.service_name=checkout");
    assertThat(noTime.status().code()).isEqualTo(400);
    assertThat(noTime.contentUtf8()).startsWith("{\"error\":{\"httpCode\":400,\"message\":\"query.start_time_min is required");
    assertThat(jaeger("/api/v3/services").toString()).isEqualTo("{\"services\":[\"checkout\",\"inventory\"]}");
    assertThat(jaeger("/api/v3/operations?service=inventory").toString())
        .isEqualTo("{\"operations\":[{\"name\":\"reserve\",\"spanKind\":\"server\"}]}");
    assertThat(jaegerResponse("/api/v3/traces/1234").status().code()).isEqualTo(404);
  }

  @Test
  void tempoAndZipkinApisShowTheSameTrace() throws Exception {
    AggregatedHttpResponse tempo = spanloom.get("/api/traces/" + traceId);
    assertThat(tempo.status().code()).isEqualTo(200);
    assertThat(tempo.contentUtf8()).contains("\"stringValue\":\"checkout\"", "\"stringValue\":\"inventory\"", "SPAN_KIND_CLIENT");

    AggregatedHttpResponse zipkin = WebClient.of(spanloom.zipkinQueryEndpoint()).get("/api/v2/trace/" + traceId).aggregate().join();
    List<zipkin2.Span> spans = SpanBytesDecoder.JSON_V2.decodeList(zipkin.content().array());
    zipkin2.Span server = spans.stream().filter(s -> s.name().equals("get /checkout")).findFirst().orElseThrow();
    assertThat(server.traceId()).isEqualTo(traceId);
    assertThat(server.id()).isEqualTo(root.context().toSpanId());
    assertThat(server.kind()).isEqualTo(zipkin2.Span.Kind.SERVER);
    assertThat(server.localServiceName()).isEqualTo("checkout");
    assertThat(server.timestampAsLong()).isEqualTo(root.getStart());
    assertThat(server.tags()).containsEntry("error", "").containsEntry("http.status_code", "503");
    assertThat(server.annotations().get(0).value()).isEqualTo("cache miss|{\"retries\":3}|0");
  }

  @Test
  void garbageThriftIs400AndCounted() throws Exception {
    AggregatedHttpResponse r = postThrift("not thrift".getBytes(StandardCharsets.UTF_8), MediaType.parse("application/x-thrift"));

    assertThat(r.status().code()).isEqualTo(400);
    assertThat(r.contentUtf8()).startsWith("Malformed:");
    assertThat(spanloom.get("/metrics").contentUtf8()).contains(
        "spanloom_receiver_refused_requests_total{reason=\"malformed\",receiver=\"jaeger\",transport=\"thrift_http\"}");
  }

  @Test
  void otherMediaTypeIs415() {
    AggregatedHttpResponse r = postThrift(new byte[] {0}, MediaType.JSON);

    assertThat(r.status().code()).isEqualTo(415);
    assertThat(r.contentUtf8()).contains("application/x-thrift");
  }

  @Test
  void acceptedSpansAreCounted() {
    assertThat(spanloom.get("/metrics").contentUtf8()).contains(
        "spanloom_receiver_accepted_spans_total{receiver=\"jaeger\",transport=\"thrift_http\"} 3.0");
  }

  static AggregatedHttpResponse postThrift(byte[] body, MediaType type) {
    return WebClient.of(spanloom.jaegerThriftEndpoint())
        .execute(RequestHeaders.builder(HttpMethod.POST, "/api/traces").contentType(type).build(), body)
        .aggregate().join();
  }

  static List<String> found(String path) throws Exception {
    List<String> ids = new ArrayList<>();
    for (JsonNode t : jaeger(path).get("data")) ids.add(t.get("traceID").asText());
    return ids;
  }
}
