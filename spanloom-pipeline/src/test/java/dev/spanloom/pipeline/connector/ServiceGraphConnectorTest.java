package dev.spanloom.pipeline.connector;

import static dev.spanloom.pipeline.TestConfigs.yaml;
import static dev.spanloom.pipeline.servicegraph.GraphSpans.client;
import static dev.spanloom.pipeline.servicegraph.GraphSpans.failed;
import static dev.spanloom.pipeline.servicegraph.GraphSpans.server;
import static dev.spanloom.pipeline.servicegraph.GraphSpans.span;
import static dev.spanloom.pipeline.servicegraph.GraphSpans.withAttributes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spanloom.model.Span;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.TraceId;
import dev.spanloom.pipeline.ComponentRegistry;
import dev.spanloom.pipeline.PipelineGraph;
import dev.spanloom.pipeline.config.ConfigException;
import dev.spanloom.pipeline.metrics.MetricsConnector;
import dev.spanloom.pipeline.metrics.MetricsExporter;
import dev.spanloom.pipeline.metrics.MetricsProducer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ServiceGraphConnectorTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  private ServiceGraphConnector connector(String config) {
    return ServiceGraphConnector.fromConfig(yaml(config).child("servicegraph"), nanos::get);
  }

  private void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  static String exposition(MetricsProducer producer) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, producer.collect());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static List<Span> gatewayCallsOrders() {
    return List.of(server("api-gateway", 1, 0, 50), client("api-gateway", 2, 1, 30), server("order-service", 3, 2, 20));
  }

  @Test
  void countsATraceOnlyOnceItWasHeldForTheStoreTtl() {
    ServiceGraphConnector c = connector("servicegraph: {store: {ttl: 2s}}");
    c.consume(gatewayCallsOrders());

    advance(Duration.ofMillis(1999));
    c.expire();
    assertThat(exposition(c)).isEmpty();
    assertThat(c.heldSpans()).isEqualTo(3);

    advance(Duration.ofMillis(1));
    c.expire();
    assertThat(exposition(c)).contains(
        "traces_service_graph_request_total{client=\"api-gateway\",connection_type=\"\",server=\"order-service\"} 1.0\n");
    assertThat(c.heldSpans()).isZero();
  }

  @Test
  void expositionHasCountersAndBothLatencyHistogramsWithTheConfiguredBuckets() {
    ServiceGraphConnector c = connector("servicegraph: {latency_histogram_buckets: [10ms, 25ms, 1s]}");
    c.consume(gatewayCallsOrders());
    c.consume(List.of(
        failed(client("api-gateway", 12, 11, 30).toBuilder().traceId(TraceId.fromHex("0af7651916cd43dd8448eb211c80319c")).build()),
        server("order-service", 13, 12, 8).toBuilder().traceId(TraceId.fromHex("0af7651916cd43dd8448eb211c80319c")).build()));
    advance(Duration.ofSeconds(2));
    c.expire();

    String labels = "client=\"api-gateway\",connection_type=\"\",server=\"order-service\"";
    assertThat(exposition(c)).contains(
        "# TYPE traces_service_graph_request_total counter\n",
        "traces_service_graph_request_total{" + labels + "} 2.0\n",
        "traces_service_graph_request_failed_total{" + labels + "} 1.0\n",
        "# TYPE traces_service_graph_request_server_seconds histogram\n",
        "traces_service_graph_request_server_seconds_bucket{" + labels + ",le=\"0.01\"} 1\n",
        "traces_service_graph_request_server_seconds_bucket{" + labels + ",le=\"0.025\"} 2\n",
        "traces_service_graph_request_server_seconds_bucket{" + labels + ",le=\"+Inf\"} 2\n",
        "traces_service_graph_request_server_seconds_count{" + labels + "} 2\n",
        "traces_service_graph_request_server_seconds_sum{" + labels + "} 0.028\n",
        "traces_service_graph_request_client_seconds_bucket{" + labels + ",le=\"0.025\"} 0\n",
        "traces_service_graph_request_client_seconds_bucket{" + labels + ",le=\"1.0\"} 2\n",
        "traces_service_graph_request_client_seconds_sum{" + labels + "} 0.06\n");
  }

  @Test
  void unansweredClientSpanWithPeerServiceBecomesAVirtualNodeEdgeWhenItExpires() {
    ServiceGraphConnector c = connector("servicegraph: {}");
    c.consume(List.of(withAttributes(span("order-service", SpanKind.CLIENT, 2, 1, 120), "peer.service", "stripe")));
    c.expire();
    assertThat(exposition(c)).isEmpty();

    advance(Duration.ofSeconds(2));
    c.expire();

    assertThat(exposition(c)).contains(
        "traces_service_graph_request_total{client=\"order-service\",connection_type=\"virtual_node\",server=\"stripe\"} 1.0\n",
        // No server span, no server latency.
        "traces_service_graph_request_server_seconds_count{client=\"order-service\",connection_type=\"virtual_node\",server=\"stripe\"} 0\n");
  }

  @Test
  void spansWithoutPartnerAreCountedAsUnpairedOnTheirSide() {
    ServiceGraphConnector c = connector("servicegraph: {}");
    c.consume(List.of(client("api-gateway", 2, 1, 30), server("order-service", 5, 4, 20)));
    advance(Duration.ofSeconds(2));
    c.expire();

    assertThat(exposition(c)).contains(
        "traces_service_graph_unpaired_spans_total{client=\"api-gateway\",server=\"\"} 1.0\n",
        "traces_service_graph_unpaired_spans_total{client=\"\",server=\"order-service\"} 1.0\n")
        .doesNotContain("traces_service_graph_request_total");
  }

  @Test
  void holdsAtMostMaxItemsSpansAndCountsTheDroppedOnes() {
    ServiceGraphConnector c = connector("servicegraph: {store: {max_items: 2}}");
    c.consume(gatewayCallsOrders());

    assertThat(c.heldSpans()).isEqualTo(2);
    assertThat(exposition(c)).contains("traces_service_graph_dropped_spans_total{client=\"\",server=\"order-service\"} 1.0\n");

    advance(Duration.ofSeconds(2));
    c.expire();
    assertThat(c.heldSpans()).isZero();
    c.consume(List.of(server("order-service", 3, 2, 20)));
    assertThat(c.heldSpans()).isEqualTo(1);
  }

  @Test
  void internalSpansAreNotHeld() {
    ServiceGraphConnector c = connector("servicegraph: {store: {max_items: 1}}");
    c.consume(List.of(span("api-gateway", SpanKind.INTERNAL, 1, 0, 5).build(), client("api-gateway", 2, 1, 30)));

    assertThat(c.heldSpans()).isEqualTo(1);
    assertThat(exposition(c)).isEmpty();
  }

  @Test
  void dimensionsBecomeClientAndServerLabelsFromEachSidesSpanOrResource() {
    ServiceGraphConnector c = connector("servicegraph: {dimensions: [http.method, deployment.environment]}");
    c.consume(List.of(withAttributes(span("api-gateway", SpanKind.CLIENT, 2, 1, 30), "http.method", "POST"),
        withAttributes(span("order-service", SpanKind.SERVER, 3, 2, 20), "http.method", "POST", "deployment.environment", "prod")));
    advance(Duration.ofSeconds(2));
    c.expire();

    assertThat(exposition(c)).contains("traces_service_graph_request_total{client=\"api-gateway\",client_http_method=\"POST\","
        + "connection_type=\"\",server=\"order-service\",server_deployment_environment=\"prod\",server_http_method=\"POST\"} 1.0\n");
  }

  @Test
  void seriesNotUpdatedForFifteenMinutesAreForgotten() {
    ServiceGraphConnector c = connector("servicegraph: {}");
    c.consume(gatewayCallsOrders());
    advance(Duration.ofSeconds(2));
    c.expire();

    advance(Duration.ofMinutes(15).minusNanos(1));
    c.forgetStaleSeries();
    assertThat(exposition(c)).contains("traces_service_graph_request_total");

    advance(Duration.ofNanos(1));
    c.forgetStaleSeries();
    assertThat(exposition(c)).doesNotContain("traces_service_graph_request_total");
  }

  @Test
  void closeCountsWhatIsStillHeld() {
    ServiceGraphConnector c = connector("servicegraph: {}");
    c.start();
    c.consume(gatewayCallsOrders());

    c.close();

    assertThat(exposition(c)).contains("traces_service_graph_request_total{client=\"api-gateway\",connection_type=\"\",server=\"order-service\"} 1.0\n");
    assertThat(c.heldSpans()).isZero();
  }

  @Test
  void theStoreLoopExpiresTracesOnItsOwn() throws Exception {
    ServiceGraphConnector c = ServiceGraphConnector.fromConfig(
        yaml("servicegraph: {store: {ttl: 1ms}, store_expiration_loop: 1ms}").child("servicegraph"));
    c.start();
    try {
      c.consume(gatewayCallsOrders());
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!exposition(c).contains("traces_service_graph_request_total") && System.nanoTime() < deadline) Thread.sleep(5);
      assertThat(exposition(c)).contains("traces_service_graph_request_total");
    } finally {
      c.close();
    }
  }

  @Test
  void theCollectorsKeysLoadAndPrintAsConfigured() {
    ServiceGraphConnector c = connector("""
        servicegraph:
          latency_histogram_buckets: [100ms, 250ms, 1s]
          dimensions: [http.method]
          store: {ttl: 5s, max_items: 500}
          cache_loop: 2m
          store_expiration_loop: 1s
          virtual_node_peer_attributes: [peer.service, server.address]
          database_name_attributes: [db.system]
          metrics_flush_interval: 15s
        """);

    assertThat(c).hasToString("servicegraph{latency_histogram_buckets=[0.1, 0.25, 1.0]s, dimensions=[http.method], "
        + "store={ttl=PT5S, max_items=500}, cache_loop=PT2M, store_expiration_loop=PT1S, "
        + "virtual_node_peer_attributes=[peer.service, server.address], database_name_attributes=[db.system], "
        + "metrics_flush_interval=PT15S (unused: series are read when scraped)}");
    assertThat(ServiceGraphConnector.edgesFromConfig(yaml("x: {database_name_attribute: db.instance}").child("x"))
        .databaseNameAttributes()).containsExactly("db.instance");
  }

  @Test
  void badConfigurationFailsWithThePathOfTheKey() {
    assertThatThrownBy(() -> connector("servicegraph: {latency_histogram_buckets: [1s, 100ms]}"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("servicegraph.latency_histogram_buckets[1]: \"100ms\" (expected: greater than the bucket before it)");
    assertThatThrownBy(() -> connector("servicegraph: {latency_histogram_buckets: [fast]}"))
        .hasMessage("servicegraph.latency_histogram_buckets[0]: \"fast\" (expected: a duration such as 2ms, 100ms or 1.5s)");
    assertThatThrownBy(() -> connector("servicegraph: {store: {ttl: 0s}}"))
        .hasMessage("servicegraph.store.ttl: \"0s\" (expected: > 0s)");
    assertThatThrownBy(() -> connector("servicegraph: {store: {max_items: 0}}"))
        .hasMessage("servicegraph.store.max_items: 0 (expected: > 0)");
    assertThatThrownBy(() -> connector("servicegraph: {store: {size: 3}}"))
        .hasMessage("servicegraph.store.size: unknown key (expected one of: max_items, ttl)");
    assertThatThrownBy(() -> connector("servicegraph: {flush: 3}"))
        .hasMessageStartingWith("servicegraph.flush: unknown key (expected one of: cache_loop, database_name_attribute, ");
  }

  @Test
  void isABuiltInConnectorOfMetricsPipelines() {
    AtomicReference<MetricsProducer> exported = new AtomicReference<>();
    ComponentRegistry registry = ComponentRegistry.withBuiltins()
        .receiver("otlp")
        .metricsExporter("capture", (node, producer) -> {
          exported.set(producer);
          return new MetricsExporter() {};
        });
    PipelineGraph graph = PipelineGraph.build(yaml("""
        receivers: {otlp: {}}
        exporters: {capture: {}}
        connectors: {servicegraph: {store: {ttl: 1ms}}}
        service:
          pipelines:
            traces: {receivers: [otlp], exporters: [servicegraph]}
            metrics/servicegraph: {receivers: [servicegraph], exporters: [capture]}
        """), registry);
    try {
      graph.receiverEntry("otlp").consume(gatewayCallsOrders()).join();
      assertThat(graph.components(MetricsConnector.class)).singleElement().isInstanceOf(ServiceGraphConnector.class);
      graph.close(); // counts what is held

      assertThat(exposition(exported.get())).contains(
          "traces_service_graph_request_total{client=\"api-gateway\",connection_type=\"\",server=\"order-service\"} 1.0\n");
    } finally {
      graph.close();
    }
  }
}
