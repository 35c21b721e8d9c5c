package dev.spanloom.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import dev.spanloom.server.exporter.PrometheusExporter;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The seed's topology, sent by the real OpenTelemetry SDK — one tracer provider per service, the
 * trace context carried between them in W3C {@code traceparent} headers — is one service graph in
 * the servicegraph connector's metrics (scraped from the prometheus exporter), in Jaeger's and
 * Zipkin's dependency APIs and in {@code /api/servicegraph}: api-gateway calls auth-service and
 * order-service; order-service writes to postgresql, publishes to kafka, which
 * notification-service consumes, and calls the uninstrumented stripe.
 */
class ServiceGraphEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
  private static final TextMapGetter<Map<String, String>> HEADERS = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };
  private static final int TRACES = 3;
  /** When the first trace started, in epoch milliseconds: a minute ago, inside every default window. */
  private static final long START_MILLIS = System.currentTimeMillis() - 60_000;

  private static RunningSpanloom spanloom;
  private static WebClient scraper;

  @BeforeAll
  static void start() {
    String yaml = RunningSpanloom.LOOPBACK_ALL
        .replace("exporters:\n  store: {}", "exporters:\n  store: {}\n  prometheus:\n    endpoint: 127.0.0.1:0\n"
            + "connectors:\n  servicegraph:\n    store: {ttl: 1s}\n    store_expiration_loop: 50ms\n"
            + "    database_name_attributes: [db.system]")
        .replace("      exporters: [store]", "      exporters: [store, servicegraph]\n"
            + "    metrics/servicegraph:\n      receivers: [servicegraph]\n      exporters: [prometheus]");
    spanloom = new RunningSpanloom(yaml);
    scraper = WebClient.of("http://127.0.0.1:" + spanloom.server.components(PrometheusExporter.class).get(0).port());
    Map<String, SdkTracerProvider> providers = new LinkedHashMap<>();
    for (String service : List.of("api-gateway", "auth-service", "order-service", "notification-service")) {
      providers.put(service, SdkTracerProvider.builder()
          .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
              io.opentelemetry.api.common.AttributeKey.stringKey("service.name"), service))))
          .addSpanProcessor(BatchSpanProcessor.builder(
              OtlpGrpcSpanExporter.builder().setEndpoint(spanloom.grpcEndpoint()).build()).build())
          .build());
    }
    for (int i = 0; i < TRACES; i++) {
      checkout(providers, START_MILLIS + i * 1_000, i);
    }
    for (SdkTracerProvider p : providers.values()) {
      assertThat(p.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
      p.close();
    }
  }

  /**
   * One checkout: the server and consumer sides start from the headers the client and producer
   * sides injected. Trace {@code i}'s auth-service answers in {@code 10 * (i + 1)} ms; the first fails.
   */
  private static void checkout(Map<String, SdkTracerProvider> providers, long t0, int i) {
    Tracer gateway = providers.get("api-gateway").get("gateway");
    Tracer auth = providers.get("auth-service").get("auth");
    Tracer orders = providers.get("order-service").get("orders");
    Tracer notifications = providers.get("notification-service").get("notifications");

    Span root = span(gateway, "GET /checkout", SpanKind.SERVER, Context.root(), t0);
    Span authCall = span(gateway, "POST /auth", SpanKind.CLIENT, Context.root().with(root), t0 + 1);
    Span authServer = span(auth, "POST /auth", SpanKind.SERVER, received(authCall), t0 + 2);
    if (i == 0) authServer.setStatus(StatusCode.ERROR, "token expired");
    authServer.end(t0 + 2 + 10L * (i + 1), TimeUnit.MILLISECONDS);
    authCall.end(t0 + 4 + 10L * (i + 1), TimeUnit.MILLISECONDS);

    Span orderCall = span(gateway, "POST /orders", SpanKind.CLIENT, Context.root().with(root), t0 + 40);
    Span orderServer = span(orders, "POST /orders", SpanKind.SERVER, received(orderCall), t0 + 41);
    Context inOrders = Context.root().with(orderServer);
    Span insert = orders.spanBuilder("INSERT orders").setSpanKind(SpanKind.CLIENT).setParent(inOrders)
        .setAttribute("db.system", "postgresql").setAttribute("db.name", "orders")
        .setStartTimestamp(t0 + 42, TimeUnit.MILLISECONDS).startSpan();
    insert.end(t0 + 47, TimeUnit.MILLISECONDS);
    Span publish = orders.spanBuilder("orders publish").setSpanKind(SpanKind.PRODUCER).setParent(inOrders)
        .setAttribute("messaging.system", "kafka").setAttribute("messaging.destination.name", "orders")
        .setStartTimestamp(t0 + 48, TimeUnit.MILLISECONDS).startSpan();
    publish.end(t0 + 50, TimeUnit.MILLISECONDS);
    Span charge = orders.spanBuilder("POST /v1/charges").setSpanKind(SpanKind.CLIENT).setParent(inOrders)
        .setAttribute("peer.service", "stripe").setStartTimestamp(t0 + 51, TimeUnit.MILLISECONDS).startSpan();
    charge.end(t0 + 81, TimeUnit.MILLISECONDS);
    orderServer.end(t0 + 85, TimeUnit.MILLISECONDS);
    orderCall.end(t0 + 86, TimeUnit.MILLISECONDS);
    root.end(t0 + 90, TimeUnit.MILLISECONDS);

    Span consume = notifications.spanBuilder("orders process").setSpanKind(SpanKind.CONSUMER).setParent(received(publish))
        .setAttribute("messaging.system", "kafka").setStartTimestamp(t0 + 100, TimeUnit.MILLISECONDS).startSpan();
    consume.end(t0 + 125, TimeUnit.MILLISECONDS);
  }

  private static Span span(Tracer tracer, String name, SpanKind kind, Context parent, long startMillis) {
    return tracer.spanBuilder(name).setSpanKind(kind).setParent(parent)
        .setStartTimestamp(startMillis, TimeUnit.MILLISECONDS).startSpan();
  }

  /** The context a server receives from {@code caller}: injected into headers, extracted from them. */
  private static Context received(Span caller) {
    Map<String, String> headers = new HashMap<>();
    W3C.inject(Context.root().with(caller), headers, Map::put);
    assertThat(headers).containsKey("traceparent");
    return W3C.extract(Context.root(), headers, HEADERS);
  }

  @AfterAll
  static void stop() {
    spanloom.close();
  }

  /** What Prometheus scrapes from the metrics pipeline's prometheus exporter. */
  private static String exposition() {
    AggregatedHttpResponse r = scraper.get("/metrics").aggregate().join();
    assertThat(r.status().code()).isEqualTo(200);
    return r.contentUtf8();
  }

  private static JsonNode json(String endpoint, String path) throws Exception {
    AggregatedHttpResponse r = WebClient.of(endpoint).get(path).aggregate().join();
    assertThat(r.status().code()).as(r.contentUtf8()).isEqualTo(200);
    return JSON.readTree(r.contentUtf8());
  }

  @Test
  void connectorCountsEveryEdgeOfTheTopology() throws Exception {
    String[] expected = {
        "traces_service_graph_request_total{client=\"api-gateway\",connection_type=\"\",server=\"auth-service\"} 3.0\n",
        "traces_service_graph_request_failed_total{client=\"api-gateway\",connection_type=\"\",server=\"auth-service\"} 1.0\n",
        "traces_service_graph_request_total{client=\"api-gateway\",connection_type=\"\",server=\"order-service\"} 3.0\n",
        "traces_service_graph_request_failed_total{client=\"api-gateway\",connection_type=\"\",server=\"order-service\"} 0.0\n",
        "traces_service_graph_request_total{client=\"order-service\",connection_type=\"database\",server=\"postgresql\"} 3.0\n",
        "traces_service_graph_request_total{client=\"order-service\",connection_type=\"messaging_system\",server=\"kafka\"} 3.0\n",
        "traces_service_graph_request_total{client=\"kafka\",connection_type=\"messaging_system\",server=\"notification-service\"} 3.0\n",
        "traces_service_graph_request_total{client=\"order-service\",connection_type=\"virtual_node\",server=\"stripe\"} 3.0\n",
        // 10, 20 and 30 ms on the server side: the first two within 25 ms.
        "traces_service_graph_request_server_seconds_bucket{client=\"api-gateway\",connection_type=\"\",server=\"auth-service\",le=\"0.05\"} 3\n",
        "traces_service_graph_request_server_seconds_sum{client=\"api-gateway\",connection_type=\"\",server=\"auth-service\"} 0.06\n",
    };
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    String text = exposition();
    while (!containsAll(text, expected) && System.nanoTime() < deadline) {
      Thread.sleep(50);
      text = exposition();
    }
    assertThat(text).contains(expected);
    assertThat(text.lines().filter(l -> l.startsWith("traces_service_graph_request_total{"))).hasSize(6);
    assertThat(text).doesNotContain("traces_service_graph_unpaired_spans_total");
  }

  private static boolean containsAll(String text, String[] parts) {
    for (String p : parts) {
      if (!text.contains(p)) return false;
    }
    return true;
  }

  @Test
  void jaegerDependenciesAreTheSameEdges() throws Exception {
    JsonNode deps = json(spanloom.jaegerQueryEndpoint(),
        "/api/dependencies?endTs=" + System.currentTimeMillis() + "&lookback=3600000");

    assertThat(deps.get("data").toString()).isEqualTo("["
        + "{\"parent\":\"api-gateway\",\"child\":\"auth-service\",\"callCount\":3,\"source\":\"jaeger\"},"
        + "{\"parent\":\"api-gateway\",\"child\":\"order-service\",\"callCount\":3,\"source\":\"jaeger\"},"
        + "{\"parent\":\"kafka\",\"child\":\"notification-service\",\"callCount\":3,\"source\":\"jaeger\"},"
        + "{\"parent\":\"order-service\",\"child\":\"kafka\",\"callCount\":3,\"source\":\"jaeger\"},"
        + "{\"parent\":\"order-service\",\"child\":\"postgresql\",\"callCount\":3,\"source\":\"jaeger\"},"
        + "{\"parent\":\"order-service\",\"child\":\"stripe\",\"callCount\":3,\"source\":\"jaeger\"}]");
  }

  @Test
  void jaegerDependenciesCountOnlyRequestsInTheLookback() throws Exception {
    // From 100 ms before the third trace started to 600 ms after: that trace alone.
    long endTs = START_MILLIS + 2 * 1_000 + 600;
    JsonNode deps = json(spanloom.jaegerQueryEndpoint(), "/api/dependencies?endTs=" + endTs + "&lookback=700");

    assertThat(deps.get("data").findValues("callCount")).extracting(JsonNode::asInt).containsOnly(1);
  }

  @Test
  void zipkinDependenciesAreTheSameEdgesWithErrorCounts() throws Exception {
    JsonNode deps = json(spanloom.zipkinQueryEndpoint(), "/api/v2/dependencies?endTs=" + System.currentTimeMillis());

    assertThat(deps.toString()).isEqualTo("["
        + "{\"parent\":\"api-gateway\",\"child\":\"auth-service\",\"callCount\":3,\"errorCount\":1},"
        + "{\"parent\":\"api-gateway\",\"child\":\"order-service\",\"callCount\":3},"
        + "{\"parent\":\"kafka\",\"child\":\"notification-service\",\"callCount\":3},"
        + "{\"parent\":\"order-service\",\"child\":\"kafka\",\"callCount\":3},"
        + "{\"parent\":\"order-service\",\"child\":\"postgresql\",\"callCount\":3},"
        + "{\"parent\":\"order-service\",\"child\":\"stripe\",\"callCount\":3}]");
  }

  @Test
  void serviceGraphApiShowsNodesByKindAndEdgesWithRatesAndLatencies() throws Exception {
    long start = START_MILLIS / 1000 - 10;
    long end = start + 100;
    JsonNode graph = json(spanloom.queryEndpoint(), "/api/servicegraph?start=" + start + "&end=" + end);

    assertThat(graph.get("nodes").toString()).isEqualTo("["
        + "{\"id\":\"api-gateway\",\"kind\":\"service\"},"
        + "{\"id\":\"auth-service\",\"kind\":\"service\"},"
        + "{\"id\":\"kafka\",\"kind\":\"messaging\"},"
        + "{\"id\":\"notification-service\",\"kind\":\"service\"},"
        + "{\"id\":\"order-service\",\"kind\":\"service\"},"
        + "{\"id\":\"postgresql\",\"kind\":\"database\"},"
        + "{\"id\":\"stripe\",\"kind\":\"peer\"}]");
    assertThat(graph.get("edges")).hasSize(6);
    assertThat(graph.get("edges").get(0).toString()).isEqualTo("{\"client\":\"api-gateway\",\"server\":\"auth-service\","
        + "\"connection_type\":\"\",\"requests\":3,\"failed\":1,\"request_rate\":0.03,\"error_rate\":0.3333333333333333,"
        + "\"p50_ms\":20.0,\"p95_ms\":30.0,\"p99_ms\":30.0}");
    assertThat(graph.get("edges").findValues("connection_type")).extracting(JsonNode::asText)
        .containsExactly("", "", "messaging_system", "messaging_system", "database", "virtual_node");
  }

  @Test
  void serviceGraphApiIsAlsoServedOnTheJaegerUiPortAndDefaultsToTheLastHour() throws Exception {
    JsonNode graph = json(spanloom.jaegerQueryEndpoint(), "/api/servicegraph");

    assertThat(graph.get("edges").findValues("requests")).extracting(JsonNode::asInt).containsOnly(3);
    assertThat(graph.get("edges").get(0).get("request_rate").asDouble()).isEqualTo(3 / 3600.0);
  }

  @Test
  void serviceGraphApiRejectsBadParameters() {
    AggregatedHttpResponse reversed = spanloom.get("/api/servicegraph?start=200&end=100");
    assertThat(reversed.status().code()).isEqualTo(400);
    assertThat(reversed.contentUtf8()).isEqualTo("start: 200 (expected: before end 100, both Unix seconds)");

    AggregatedHttpResponse notANumber = spanloom.get("/api/servicegraph?start=yesterday");
    assertThat(notANumber.status().code()).isEqualTo(400);
    assertThat(notANumber.contentUtf8()).isEqualTo("start: \"yesterday\" (expected: Unix seconds, an integer >= 0)");
  }
}
