package dev.spanloom.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.RequestHeaders;
import dev.spanloom.model.Span;
import dev.spanloom.pipeline.ComponentRegistry;
import dev.spanloom.pipeline.config.ConfigException;
import dev.spanloom.pipeline.metrics.MetricsConnector;
import dev.spanloom.server.config.SpanloomConfig;
import dev.spanloom.server.exporter.PrometheusExporter;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The prometheus exporter serves a metrics pipeline over real HTTP, as Prometheus scrapes it. */
class PrometheusExporterTest {
  private static final String CONFIG = RunningSpanloom.LOOPBACK_OTLP
      .replace("exporters:\n  store: {}", "exporters:\n  store: {}\n  prometheus:\n    endpoint: 127.0.0.1:0\n"
          + "connectors:\n  counting: {}")
      .replace("exporters: [store]", "exporters: [store, counting]\n    metrics:\n      receivers: [counting]\n"
          + "      exporters: [prometheus]");

  private static RunningSpanloom spanloom;
  private static WebClient scraper;
  private static String lastTraceId;

  @BeforeAll
  static void sendOneSpanThroughTheRealSdk() throws Exception {
    spanloom = new RunningSpanloom(CONFIG, PrometheusExporterTest::withCountingConnector);
    scraper = WebClient.of("http://127.0.0.1:" + spanloom.server.components(PrometheusExporter.class).get(0).port());
    try (SdkTracerProvider provider = SdkTracerProvider.builder()
        .addSpanProcessor(SimpleSpanProcessor.create(
            OtlpGrpcSpanExporter.builder().setEndpoint(spanloom.grpcEndpoint()).build()))
        .build()) {
      Tracer tracer = provider.get("test");
      io.opentelemetry.api.trace.Span span = tracer.spanBuilder("GET /").startSpan();
      lastTraceId = span.getSpanContext().getTraceId();
      span.end();
      provider.forceFlush().join(10, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stop() {
    spanloom.close();
  }

  @Test
  void servesThePrometheusTextFormatByDefault() {
    AggregatedHttpResponse r = scraper.get("/metrics").aggregate().join();

    assertThat(r.status().code()).isEqualTo(200);
    assertThat(r.headers().contentType().toString()).startsWith("text/plain; version=0.0.4");
    assertThat(r.contentUtf8()).contains("spans_seen_total 1.0").doesNotContain("trace_id");
  }

  @Test
  void servesOpenMetricsWithExemplarsWhenTheScraperAsksForIt() {
    // The Accept header Prometheus 2.x sends.
    RequestHeaders headers = RequestHeaders.builder(HttpMethod.GET, "/metrics")
        .add("accept", "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
            + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1")
        .build();
    AggregatedHttpResponse r = scraper.execute(headers).aggregate().join();

    assertThat(r.headers().contentType().toString()).startsWith("application/openmetrics-text");
    assertThat(r.contentUtf8())
        .contains("spans_seen_total 1.0 # {span_id=\"")
        .contains("trace_id=\"" + lastTraceId + "\"")
        .endsWith("# EOF\n");
  }

  @Test
  void refusesAMissingEndpoint() {
    String yaml = CONFIG.replace("  prometheus:\n    endpoint: 127.0.0.1:0\n", "  prometheus: {}\n");
    assertThatThrownBy(() -> new SpanloomServer(SpanloomConfig.parse(yaml, "test"), PrometheusExporterTest::withCountingConnector))
        .isInstanceOf(ConfigException.class)
        .hasMessage("exporters.prometheus.endpoint: missing (expected: host:port such as 0.0.0.0:8889)");
  }

  @Test
  void refusesANamespaceItWouldNotApply() {
    String yaml = CONFIG.replace("prometheus:\n    endpoint: 127.0.0.1:0\n",
        "prometheus:\n    endpoint: 127.0.0.1:0\n    namespace: shop\n");
    assertThatThrownBy(() -> new SpanloomServer(SpanloomConfig.parse(yaml, "test"), PrometheusExporterTest::withCountingConnector))
        .isInstanceOf(ConfigException.class)
        .hasMessage("exporters.prometheus.namespace: \"shop\" (expected: unset; set the prefix with the connector's "
            + "namespace or naming)");
  }

  @Test
  void printsItsConfiguration() {
    assertThat(spanloom.server.components(PrometheusExporter.class).get(0))
        .hasToString("prometheus{endpoint=127.0.0.1:0, enable_open_metrics=true}");
  }

  private static ComponentRegistry withCountingConnector(ComponentRegistry registry) {
    return registry.metricsConnector("counting", node -> new CountingConnector());
  }

  /** Counts spans, with the last one as the exemplar. */
  private static final class CountingConnector implements MetricsConnector {
    private final AtomicLong seen = new AtomicLong();
    private final AtomicReference<Span> last = new AtomicReference<>();

    @Override
    public CompletableFuture<Void> consume(List<Span> spans) {
      seen.addAndGet(spans.size());
      last.set(spans.get(spans.size() - 1));
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public MetricSnapshots collect() {
      CounterSnapshot.CounterDataPointSnapshot.Builder point = CounterSnapshot.CounterDataPointSnapshot.builder()
          .value(seen.get());
      Span span = last.get();
      if (span != null) {
        point.exemplar(Exemplar.builder().value(1).traceId(span.traceId().toHex()).spanId(span.spanId().toHex())
            .timestampMillis(span.endEpochNanos() / 1_000_000).build());
      }
      return new MetricSnapshots(CounterSnapshot.builder().name("spans_seen").dataPoint(point.build()).build());
    }
  }
}
