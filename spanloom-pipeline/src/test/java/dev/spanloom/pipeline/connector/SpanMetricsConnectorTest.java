package dev.spanloom.pipeline.connector;

import static dev.spanloom.pipeline.TestConfigs.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Attributes;
import dev.spanloom.model.Resource;
import dev.spanloom.model.Span;
import dev.spanloom.model.SpanId;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.Status;
import dev.spanloom.model.StatusCode;
import dev.spanloom.model.TraceId;
import dev.spanloom.pipeline.ComponentRegistry;
import dev.spanloom.pipeline.PipelineGraph;
import dev.spanloom.pipeline.config.ConfigException;
import dev.spanloom.pipeline.config.ConfigNode;
import dev.spanloom.pipeline.metrics.MetricsExporter;
import dev.spanloom.pipeline.metrics.MetricsProducer;
import dev.spanloom.pipeline.metrics.SpanMetricsView;
import dev.spanloom.pipeline.metrics.SpanSeries;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SpanMetricsConnectorTest {
  static final long T0 = 1_764_400_000_000_000_000L;
  static final TraceId TRACE = TraceId.fromHex("4bf92f3577b34da6a3ce929d0e0e4736");

  /** The seed's connectors.spanmetrics block, as written. */
  static final String SEED = """
      histogram:
        explicit:
          buckets: [5ms, 10ms, 25ms, 50ms, 75ms, 100ms, 250ms, 500ms, 1s, 2.5s, 5s]
      dimensions:
        - name: http.method
        - name: http.status_code
        - name: service.name
      exemplars:
        enabled: true  # Links metrics back to trace IDs
      """;

  final AtomicLong clock = new AtomicLong(T0);

  SpanMetricsConnector connector(String yaml) {
    return new SpanMetricsConnector(SpanMetricsConfig.fromConfig(node(yaml)), clock::get);
  }

  static ConfigNode node(String yaml) {
    ConfigNode root = yaml("connectors:\n  spanmetrics:\n" + yaml.indent(4));
    return root.child("connectors").child("spanmetrics");
  }

  static Span span(String service, String name, long durationMillis, long spanId) {
    return span(service, name, SpanKind.SERVER, StatusCode.UNSET, durationMillis, spanId,
        Attributes.builder().put("http.method", "POST").put("http.status_code", 200L).build());
  }

  static Span span(String service, String name, SpanKind kind, StatusCode status, long durationMillis, long spanId,
      Attributes attributes) {
    return Span.builder().traceId(TRACE).spanId(new SpanId(spanId)).name(name).kind(kind)
        .startEpochNanos(T0).endEpochNanos(T0 + durationMillis * 1_000_000)
        .status(Status.of(status, "")).attributes(attributes)
        .resource(Resource.of(Attributes.builder().put(Resource.SERVICE_NAME, service).put("region", "eu-1").build()))
        .build();
  }

  static String text(MetricsProducer producer, ExpositionFormatWriter writer) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writer.write(out, producer.collect());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  static List<String> prometheusLines(MetricsProducer producer) {
    return text(producer, PrometheusTextFormatWriter.create()).lines().toList();
  }

  static List<String> openMetricsLines(MetricsProducer producer) {
    return text(producer, OpenMetricsTextFormatWriter.create()).lines().toList();
  }

  @Nested
  class SeedConfiguration {
    @Test
    void writesTheCallsCounterAndMillisecondHistogramTheSeedsRecordingRuleReads() {
      SpanMetricsConnector c = connector(SEED);
      c.consume(List.of(span("order-service", "POST /orders", 30, 1), span("order-service", "POST /orders", 700, 2)));

      String labels = "http_method=\"POST\",http_status_code=\"200\",service=\"order-service\","
          + "span_kind=\"SPAN_KIND_SERVER\",span_name=\"POST /orders\",status_code=\"STATUS_CODE_UNSET\"";
      assertThat(prometheusLines(c)).contains(
          "# TYPE traces_spanmetrics_calls_total counter",
          "traces_spanmetrics_calls_total{" + labels + "} 2.0",
          "# TYPE traces_spanmetrics_duration_milliseconds histogram",
          "traces_spanmetrics_duration_milliseconds_bucket{" + labels + ",le=\"25.0\"} 0",
          "traces_spanmetrics_duration_milliseconds_bucket{" + labels + ",le=\"50.0\"} 1",
          "traces_spanmetrics_duration_milliseconds_bucket{" + labels + ",le=\"500.0\"} 1",
          "traces_spanmetrics_duration_milliseconds_bucket{" + labels + ",le=\"1000.0\"} 2",
          "traces_spanmetrics_duration_milliseconds_bucket{" + labels + ",le=\"2500.0\"} 2",
          "traces_spanmetrics_duration_milliseconds_bucket{" + labels + ",le=\"+Inf\"} 2",
          "traces_spanmetrics_duration_milliseconds_count{" + labels + "} 2",
          "traces_spanmetrics_duration_milliseconds_sum{" + labels + "} 730.0");
    }

    @Test
    void serviceNameListedAgainAsADimensionIsOneLabel() {
      SpanMetricsConnector c = connector(SEED);
      c.consume(List.of(span("order-service", "GET /", 3, 1)));

      assertThat(prometheusLines(c)).filteredOn(l -> l.startsWith("traces_spanmetrics_calls_total"))
          .singleElement().satisfies(l -> {
            assertThat(l).contains("service=\"order-service\"");
            assertThat(l).doesNotContain("service_name");
          });
    }

    @Test
    void exemplarsInOpenMetricsCarryTraceAndSpanIds() {
      SpanMetricsConnector c = connector(SEED);
      c.consume(List.of(span("order-service", "POST /orders", 30, 0xabcL)));

      // The exemplar's value is the duration in ms, its timestamp the span's end.
      assertThat(openMetricsLines(c)).contains("traces_spanmetrics_duration_milliseconds_bucket{http_method=\"POST\","
          + "http_status_code=\"200\",service=\"order-service\",span_kind=\"SPAN_KIND_SERVER\",span_name=\"POST /orders\","
          + "status_code=\"STATUS_CODE_UNSET\",le=\"50.0\"} 1 # {span_id=\"0000000000000abc\","
          + "trace_id=\"4bf92f3577b34da6a3ce929d0e0e4736\"} 30.0 1764400000.030");
      assertThat(openMetricsLines(c)).anySatisfy(l -> assertThat(l)
          .startsWith("traces_spanmetrics_calls_total{")
          .contains("} 1.0 # {span_id=\"0000000000000abc\",trace_id=\"4bf92f3577b34da6a3ce929d0e0e4736\"} 30.0 "));
    }

    @Test
    void loadsWithTheSeedsPipelines() {
      AtomicReference<MetricsProducer> read = new AtomicReference<>();
      PipelineGraph graph = PipelineGraph.build(yaml("""
          receivers: {otlp: {}}
          exporters: {prometheus: {}}
          connectors:
            spanmetrics:
          """ + SEED.indent(4) + """
          service:
            pipelines:
              traces: {receivers: [otlp], exporters: [spanmetrics]}
              metrics/spanmetrics: {receivers: [spanmetrics], exporters: [prometheus]}
          """), ComponentRegistry.withBuiltins().receiver("otlp")
          .metricsExporter("prometheus", (node, producer) -> {
            read.set(producer);
            return new MetricsExporter() {};
          }));
      graph.receiverEntry("otlp").consume(List.of(span("order-service", "GET /", 3, 1))).join();

      assertThat(prometheusLines(read.get())).anySatisfy(l -> assertThat(l).startsWith("traces_spanmetrics_calls_total{"));
      assertThat(graph.components(SpanMetricsView.class)).hasSize(1);
    }
  }

  @Nested
  class Naming {
    @Test
    void collectorNamingWritesTheNamesJaegersMonitorTabQueries() {
      SpanMetricsConnector c = connector("naming: collector\nexemplars: {enabled: true}");
      c.consume(List.of(span("order-service", "GET /", 3, 1)));

      String labels = "service_name=\"order-service\",span_kind=\"SPAN_KIND_SERVER\",span_name=\"GET /\","
          + "status_code=\"STATUS_CODE_UNSET\"";
      assertThat(prometheusLines(c)).contains(
          "traces_span_metrics_calls_total{" + labels + "} 1.0",
          "traces_span_metrics_duration_milliseconds_bucket{" + labels + ",le=\"2.0\"} 0",
          "traces_span_metrics_duration_milliseconds_bucket{" + labels + ",le=\"4.0\"} 1",
          "traces_span_metrics_duration_milliseconds_bucket{" + labels + ",le=\"15000.0\"} 1",
          "traces_span_metrics_duration_milliseconds_count{" + labels + "} 1");
    }

    @Test
    void tempoNamingWritesLatencyInSecondsAndSize() {
      SpanMetricsConnector c = connector("naming: tempo\nhistogram: {explicit: {buckets: [100ms, 1s]}}");
      c.consume(List.of(span("order-service", "GET /", 250, 1)));

      String labels = "service=\"order-service\",span_kind=\"SPAN_KIND_SERVER\",span_name=\"GET /\","
          + "status_code=\"STATUS_CODE_UNSET\"";
      assertThat(prometheusLines(c)).contains(
          "traces_spanmetrics_calls_total{" + labels + "} 1.0",
          "traces_spanmetrics_latency_bucket{" + labels + ",le=\"0.1\"} 0",
          "traces_spanmetrics_latency_bucket{" + labels + ",le=\"1.0\"} 1",
          "traces_spanmetrics_latency_sum{" + labels + "} 0.25",
          "# TYPE traces_spanmetrics_size_total counter");
      assertThat(prometheusLines(c)).anySatisfy(l -> assertThat(l).startsWith("traces_spanmetrics_size_total{" + labels + "} "));
    }

    @Test
    void unitSecondsAndANamespaceNameTheHistogram() {
      SpanMetricsConnector c = connector("namespace: shop.spans\nhistogram: {unit: s, explicit: {buckets: [2.5s]}}");
      c.consume(List.of(span("order-service", "GET /", 250, 1)));

      assertThat(prometheusLines(c)).anySatisfy(l -> assertThat(l).startsWith("shop_spans_calls_total{"))
          .anySatisfy(l -> assertThat(l).startsWith("shop_spans_duration_seconds_bucket{").endsWith("le=\"2.5\"} 1"));
    }

    @Test
    void errorStatusAndClientKindAreWrittenAsTheCollectorWritesThem() {
      SpanMetricsConnector c = connector("dimensions: []");
      c.consume(List.of(span("api", "call", SpanKind.CLIENT, StatusCode.ERROR, 5, 1, Attributes.EMPTY)));

      assertThat(prometheusLines(c)).contains("traces_spanmetrics_calls_total{service=\"api\","
          + "span_kind=\"SPAN_KIND_CLIENT\",span_name=\"call\",status_code=\"STATUS_CODE_ERROR\"} 1.0");
    }
  }

  @Nested
  class Dimensions {
    @Test
    void areLookedUpOnTheSpanThenTheResourceThenTheDefault() {
      SpanMetricsConnector c = connector("""
          dimensions:
            - {name: region}
            - {name: tier, default: gold}
            - {name: http.route}
          """);
      c.consume(List.of(span("api", "GET /", SpanKind.SERVER, StatusCode.UNSET, 1, 1,
          Attributes.builder().put("region", "us-2").build())));
      c.consume(List.of(span("api", "GET /", SpanKind.SERVER, StatusCode.UNSET, 1, 2, Attributes.EMPTY)));

      assertThat(prometheusLines(c)).contains(
          "traces_spanmetrics_calls_total{region=\"us-2\",service=\"api\",span_kind=\"SPAN_KIND_SERVER\","
              + "span_name=\"GET /\",status_code=\"STATUS_CODE_UNSET\",tier=\"gold\"} 1.0",
          "traces_spanmetrics_calls_total{region=\"eu-1\",service=\"api\",span_kind=\"SPAN_KIND_SERVER\","
              + "span_name=\"GET /\",status_code=\"STATUS_CODE_UNSET\",tier=\"gold\"} 1.0");
      assertThat(prometheusLines(c)).noneSatisfy(l -> assertThat(l).contains("http_route"));
    }

    @Test
    void excludedDefaultDimensionsAreNotLabels() {
      SpanMetricsConnector c = connector("exclude_dimensions: [status.code]");
      c.consume(List.of(span("api", "x", SpanKind.SERVER, StatusCode.ERROR, 1, 1, Attributes.EMPTY),
          span("api", "x", SpanKind.SERVER, StatusCode.OK, 1, 2, Attributes.EMPTY)));

      assertThat(prometheusLines(c)).contains(
          "traces_spanmetrics_calls_total{service=\"api\",span_kind=\"SPAN_KIND_SERVER\",span_name=\"x\"} 2.0");
    }

    @Test
    void theViewSumsOverConfiguredDimensions() {
      SpanMetricsConnector c = connector(SEED);
      c.consume(List.of(span("api", "GET /", SpanKind.SERVER, StatusCode.UNSET, 3, 1, Attributes.of("http.status_code", AttributeValue.of(200L))),
          span("api", "GET /", SpanKind.SERVER, StatusCode.UNSET, 30, 2, Attributes.of("http.status_code", AttributeValue.of(404L)))));

      assertThat(c.series()).singleElement().satisfies(s -> {
        assertThat(s.service()).isEqualTo("api");
        assertThat(s.calls()).isEqualTo(2);
        assertThat(s.bucketCounts()).containsExactly(1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0);
        assertThat(s.durationSumNanos()).isEqualTo(33e6);
        assertThat(s.exemplars()).extracting(e -> e.spanId().value()).containsExactlyInAnyOrder(1L, 2L);
      });
      assertThat(c.bucketBoundsNanos()).startsWith(5_000_000L, 10_000_000L).endsWith(5_000_000_000L);
    }
  }

  @Nested
  class Bounds {
    @Test
    void seriesIdleLongerThanMetricsExpirationAreDropped() {
      SpanMetricsConnector c = connector("metrics_expiration: 5m");
      c.consume(List.of(span("old", "x", 1, 1)));
      clock.addAndGet(4 * 60_000_000_000L);
      c.consume(List.of(span("new", "x", 1, 2)));
      clock.addAndGet(2 * 60_000_000_000L);

      assertThat(c.series()).extracting(SpanSeries::service).containsExactly("new");
      assertThat(prometheusLines(c)).noneSatisfy(l -> assertThat(l).contains("service=\"old\""));
    }

    @Test
    void seriesNeverExpireByDefault() {
      SpanMetricsConnector c = connector("{}");
      c.consume(List.of(span("old", "x", 1, 1)));
      clock.addAndGet(24 * 3_600_000_000_000L);

      assertThat(c.series()).extracting(SpanSeries::service).containsExactly("old");
    }

    @Test
    void seriesBeyondTheCardinalityLimitGoToOneOverflowSeries() {
      SpanMetricsConnector c = connector("aggregation_cardinality_limit: 2");
      List<Span> spans = new ArrayList<>();
      for (int i = 0; i < 5; i++) spans.add(span("svc-" + i, "x", 1, i + 1));
      c.consume(spans);

      assertThat(c.seriesCount()).isEqualTo(3);
      assertThat(prometheusLines(c)).contains("traces_spanmetrics_calls_total{otel_metric_overflow=\"true\"} 3.0")
          .filteredOn(l -> l.startsWith("traces_spanmetrics_calls_total{")).hasSize(3);
    }

    @Test
    void histogramDisableLeavesOnlyTheCallsCounter() {
      SpanMetricsConnector c = connector("histogram: {disable: true}");
      c.consume(List.of(span("a", "x", 1, 1)));

      assertThat(prometheusLines(c)).noneSatisfy(l -> assertThat(l).contains("duration"))
          .anySatisfy(l -> assertThat(l).startsWith("traces_spanmetrics_calls_total{"));
    }
  }

  @Nested
  class Configuration {
    @Test
    void bucketsDefaultToTheCollectors() {
      assertThat(connector("{}").bucketBoundsNanos()).containsExactly(2_000_000L, 4_000_000L, 6_000_000L,
          8_000_000L, 10_000_000L, 50_000_000L, 100_000_000L, 200_000_000L, 400_000_000L, 800_000_000L,
          1_000_000_000L, 1_400_000_000L, 2_000_000_000L, 5_000_000_000L, 10_000_000_000L, 15_000_000_000L);
    }

    @Test
    void acceptsEveryCollectorKeyItSupports() {
      SpanMetricsConnector c = connector("""
          histogram: {unit: ms, explicit: {buckets: [1ms]}}
          dimensions: [{name: a, default: b}]
          exclude_dimensions: [span.kind]
          namespace: x
          exemplars: {enabled: true, max_per_data_point: 3}
          metrics_expiration: 10m
          aggregation_cardinality_limit: 100
          dimensions_cache_size: 500
          resource_metrics_cache_size: 500
          resource_metrics_key_attributes: [service.name]
          aggregation_temporality: AGGREGATION_TEMPORALITY_CUMULATIVE
          metrics_flush_interval: 15s
          events: {enabled: false}
          """);
      assertThat(c).hasToString("spanmetrics{naming=spanloom, namespace=x, buckets=[PT0.001S], unit=ms, "
          + "dimensions=[a], exclude_dimensions=[span.kind], exemplars=true, metrics_expiration=PT10M, "
          + "aggregation_cardinality_limit=100}");
    }

    @Test
    void rejectsAnUnknownKeyWithItsPath() {
      assertThatThrownBy(() -> connector("histogram: {explicit: {bucket: [1ms]}}"))
          .isInstanceOf(ConfigException.class)
          .hasMessage("connectors.spanmetrics.histogram.explicit.bucket: unknown key (expected one of: buckets)");
    }

    @Test
    void rejectsDeltaTemporality() {
      assertThatThrownBy(() -> connector("aggregation_temporality: AGGREGATION_TEMPORALITY_DELTA"))
          .hasMessage("connectors.spanmetrics.aggregation_temporality: \"AGGREGATION_TEMPORALITY_DELTA\" (expected: "
              + "AGGREGATION_TEMPORALITY_CUMULATIVE; Prometheus scrapes cumulative series, delta is not supported)");
    }

    @Test
    void rejectsBucketsNotAscending() {
      assertThatThrownBy(() -> connector("histogram: {explicit: {buckets: [10ms, 5ms]}}"))
          .hasMessage("connectors.spanmetrics.histogram.explicit.buckets[1]: PT0.005S (expected: > 0 and greater than the bucket before)");
    }

    @Test
    void rejectsABucketThatIsNoDuration() {
      assertThatThrownBy(() -> connector("histogram: {explicit: {buckets: [5, 10ms]}}"))
          .hasMessage("connectors.spanmetrics.histogram.explicit.buckets[0]: 5 (expected: a duration such as 5ms or 2.5s)");
    }

    @Test
    void rejectsADimensionWhoseLabelIsTaken() {
      assertThatThrownBy(() -> connector("dimensions: [{name: le}]"))
          .hasMessage("connectors.spanmetrics.dimensions[0].name: \"le\" (expected: a name whose label le is not "
              + "a default label, le, quantile, otel_metric_overflow or another dimension's)");
    }

    @Test
    void rejectsAnUnknownNaming() {
      assertThatThrownBy(() -> connector("naming: grafana"))
          .hasMessage("connectors.spanmetrics.naming: \"grafana\" (expected: spanloom, collector or tempo)");
    }

    @Test
    void rejectsExponentialHistograms() {
      assertThatThrownBy(() -> connector("histogram: {exponential: {max_size: 160}}"))
          .hasMessageStartingWith("connectors.spanmetrics.histogram.exponential: not supported");
    }
  }
}
