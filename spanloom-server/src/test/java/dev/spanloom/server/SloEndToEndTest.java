package dev.spanloom.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import dev.spanloom.server.slo.ManualTicker;
import dev.spanloom.pipeline.metrics.SpanMetricsView;
import dev.spanloom.server.slo.SloFixtures;
import dev.spanloom.server.slo.TestClock;
import dev.spanloom.server.slo.WebhookReceiver;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An SLO end to end: the OpenTelemetry SDK sends spans over OTLP/gRPC to a real Spanloom whose
 * traces pipeline feeds the spanmetrics connector; evaluations run on an injected clock; a real
 * HTTP receiver takes the webhook's firing and resolved notifications; {@code /api/slo} answers
 * on the query and the Jaeger/UI ports and {@code /metrics} carries the SLO series.
 */
class SloEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final TestClock clock = new TestClock(Instant.parse("2026-11-29T12:00:00Z"));
  private final ManualTicker ticker = new ManualTicker();
  private final WebhookReceiver receiver = new WebhookReceiver();
  private RunningSpanloom spanloom;
  private SdkTracerProvider tracing;
  private Tracer tracer;
  private long sent;

  @BeforeEach
  void start() {
    String yaml = SloFixtures.WITH_SPAN_METRICS + """
        slo:
          evaluation_interval: 1m
          webhook: {endpoint: "%s", timeout: 5s, send_resolved: true}
          objectives:
            - name: checkout-latency
              service: order-service
              operation: POST /orders
              sli: {latency: {threshold: 500ms}}
              objective: 99
        """.formatted(receiver.url());
    spanloom = new RunningSpanloom(yaml, r -> r, clock, ticker);
    tracing = SdkTracerProvider.builder()
        .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "order-service")))
        .addSpanProcessor(BatchSpanProcessor.builder(OtlpGrpcSpanExporter.builder()
            .setEndpoint("http://127.0.0.1:" + spanloom.server.receiverPort("receivers.otlp.protocols.grpc")).build()).build())
        .build();
    tracer = tracing.get("slo-test");
  }

  @AfterEach
  void stop() {
    tracing.close();
    spanloom.close();
    receiver.close();
  }

  /** {@code count} POST /orders server spans taking {@code millis}, then one minute and one evaluation. */
  private void minute(int count, long millis) throws InterruptedException {
    long start = System.currentTimeMillis();
    for (int i = 0; i < count; i++) {
      tracer.spanBuilder("POST /orders").setSpanKind(SpanKind.SERVER).setStartTimestamp(start, TimeUnit.MILLISECONDS)
          .startSpan().end(start + millis, TimeUnit.MILLISECONDS);
    }
    assertThat(tracing.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    sent += count;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (counted() < sent && System.nanoTime() < deadline) Thread.sleep(5);
    assertThat(counted()).isEqualTo(sent);
    clock.advance(Duration.ofMinutes(1));
    ticker.tick();
  }

  private long counted() {
    SpanMetricsView spanMetrics = spanloom.server.components(SpanMetricsView.class).get(0);
    return spanMetrics.series().stream().mapToLong(s -> s.calls()).sum();
  }

  private JsonNode slo(String endpoint) throws Exception {
    AggregatedHttpResponse r = WebClient.of(endpoint).get("/api/slo").aggregate().join();
    assertThat(r.status().code()).isEqualTo(200);
    assertThat(r.contentType().toString()).startsWith("application/json");
    return JSON.readTree(r.contentUtf8()).path("slos").get(0);
  }

  @Test
  void slowSpansFireTheBurnRateAlertsAndFastOnesResolveThemNotifyingTheWebhookBothTimes() throws Exception {
    JsonNode before = slo(spanloom.queryEndpoint());
    assertThat(before.path("sli_value").isNull()).isTrue();
    assertThat(before.path("burn_rates").path("5m").isNull()).isTrue();

    minute(20, 800); // every span slower than 500ms: the budget burns 100x

    JsonNode fired = receiver.next();
    assertThat(fired).isNotNull();
    assertThat(fired.path("status").asText()).isEqualTo("firing");
    assertThat(fired.path("alerts")).extracting(a -> a.path("labels").path("long_window").asText())
        .containsExactlyInAnyOrder("1h", "6h");
    JsonNode slo = slo(spanloom.queryEndpoint());
    assertThat(slo.toString()).isEqualTo("{\"name\":\"checkout-latency\",\"service\":\"order-service\","
        + "\"operation\":\"POST /orders\",\"sli\":\"latency\",\"threshold_ms\":500.0,\"objective\":0.99,\"window\":\"30d\","
        + "\"sli_value\":0.0,\"error_budget_remaining\":-99.0,"
        + "\"burn_rates\":{\"5m\":100.0,\"30m\":100.0,\"1h\":100.0,\"6h\":100.0},"
        + "\"alerts\":[{\"alertname\":\"SLOBurnRateHigh\",\"severity\":\"page\",\"long_window\":\"1h\",\"short_window\":\"5m\","
        + "\"burn_rate_threshold\":14.4,\"state\":\"firing\",\"active_at\":\"2026-11-29T12:01:00Z\"},"
        + "{\"alertname\":\"SLOBurnRateHigh\",\"severity\":\"page\",\"long_window\":\"6h\",\"short_window\":\"30m\","
        + "\"burn_rate_threshold\":6.0,\"state\":\"firing\",\"active_at\":\"2026-11-29T12:01:00Z\"}]}");
    assertThat(slo(spanloom.jaegerQueryEndpoint())).isEqualTo(slo);
    String scrape = spanloom.get("/metrics").contentUtf8();
    assertThat(scrape)
        .contains("spanloom_slo_alert_firing{alertname=\"SLOBurnRateHigh\",long_window=\"1h\",severity=\"page\","
            + "short_window=\"5m\",slo=\"checkout-latency\"} 1.0")
        .contains("spanloom_slo_objective{service=\"order-service\",sli=\"latency\",slo=\"checkout-latency\"} 0.99")
        .contains("spanloom_slo_sli{slo=\"checkout-latency\"} 0.0")
        .contains("spanloom_slo_burn_rate{slo=\"checkout-latency\",window=\"5m\"} 100.0");
    // The receiver has the body before the webhook has its answer: wait for the count.
    String sent = "spanloom_slo_webhook_notifications_total{result=\"sent\"} 1.0";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!spanloom.get("/metrics").contentUtf8().contains(sent) && System.nanoTime() < deadline) Thread.sleep(10);
    assertThat(spanloom.get("/metrics").contentUtf8()).contains(sent);

    for (int i = 0; i < 10 && (firing("1h") || firing("6h")); i++) minute(100, 20);
    assertThat(firing("1h")).isFalse();
    assertThat(firing("6h")).isFalse();

    JsonNode resolved = receiver.next();
    while (resolved != null && resolved.path("status").asText().equals("firing")) resolved = receiver.next();
    assertThat(resolved).as("a resolved notification").isNotNull();
    assertThat(resolved.path("alerts")).allSatisfy(a -> {
      assertThat(a.path("status").asText()).isEqualTo("resolved");
      assertThat(a.path("startsAt").asText()).isEqualTo("2026-11-29T12:01:00Z");
    });
    assertThat(slo(spanloom.queryEndpoint()).path("alerts")).isEmpty();
  }

  /** Whether {@code /api/slo} lists the alert of that long window, which it does while it fires. */
  private boolean firing(String longWindow) throws Exception {
    for (JsonNode a : slo(spanloom.queryEndpoint()).path("alerts")) {
      if (a.path("long_window").asText().equals(longWindow)) return a.path("state").asText().equals("firing");
    }
    return false;
  }

  @Test
  void rulesEndpointServesThePrometheusRulesOfTheObjectives() {
    AggregatedHttpResponse r = spanloom.get("/api/slo/rules");

    assertThat(r.status().code()).isEqualTo(200);
    assertThat(r.contentType().toString()).startsWith("application/yaml");
    assertThat(r.contentUtf8()).contains("- name: spanloom-slo-checkout-latency", "record: slo:sli_error:ratio_rate5m",
        "alert: SLOBurnRateHigh");
  }
}
