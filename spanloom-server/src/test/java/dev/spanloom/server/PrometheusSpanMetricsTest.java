package dev.spanloom.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.RequestHeaders;
import dev.spanloom.server.exporter.PrometheusExporter;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.io.File;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The seed's "Trace-Based SLOs" end to end: the real OpenTelemetry SDK sends a known latency
 * distribution for a fast and a slow service; the real Prometheus scrapes Spanloom's prometheus
 * exporter and evaluates the seed's recording rule and alert, copied as written (only
 * {@code for:} shortened).
 */
class PrometheusSpanMetricsTest {
  /** The seed's rules, verbatim but for {@code for: 5m}. */
  private static final String SEED_RULES = """
      # Prometheus recording rule from trace-derived metrics
      # (OTel Collector generates metrics from spans)
      - record: service:request_duration_seconds:p99
        expr: |
          histogram_quantile(0.99,
            sum(rate(traces_spanmetrics_duration_milliseconds_bucket[5m])) by (service, le)
          ) / 1000

      - alert: ServiceLatencySLOBreach
        expr: service:request_duration_seconds:p99 > 0.5
        for: 5m
        labels:
          severity: warning
          slo: latency
        annotations:
          summary: "{{ $labels.service }} p99 latency exceeding 500ms SLO"
      """;

  /** The seed's connector block, verbatim. */
  private static final String SEED_CONNECTOR = """
      connectors:
        spanmetrics:
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

  private static final String CONFIG = RunningSpanloom.LOOPBACK_OTLP
      .replace("exporters:\n  store: {}", "exporters:\n  store: {}\n  prometheus:\n    endpoint: 127.0.0.1:0\n"
          + SEED_CONNECTOR.stripTrailing())
      .replace("exporters: [store]", "exporters: [store, spanmetrics]\n    metrics/spanmetrics:\n"
          + "      receivers: [spanmetrics]\n      exporters: [prometheus]");

  private static final double[] BOUNDS_MS = {5, 10, 25, 50, 75, 100, 250, 500, 1000, 2500, 5000};
  private static final Duration DEADLINE = Duration.ofSeconds(40);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Durations in ms sent after Prometheus' first scrape, so that rate() sees every one of them. */
  private static final Map<String, List<Long>> DISTRIBUTION = Map.of(
      "fast-service", fast(),
      "slow-service", slow());

  private static RunningSpanloom spanloom;
  private static Process prometheus;
  private static WebClient prometheusApi;
  private static WebClient exporter;
  private static Path dir;

  private static List<Long> fast() {
    List<Long> d = new ArrayList<>();
    for (int i = 0; i < 200; i++) d.add((long) (i % 40) + 1); // 1..40 ms, five times each
    return d;
  }

  private static List<Long> slow() {
    List<Long> d = new ArrayList<>();
    for (int i = 0; i < 190; i++) d.add(100L + i); // 100..289 ms
    for (int i = 0; i < 10; i++) d.add(600L + 100L * i); // a tail from 600 ms to 1.5 s
    return d;
  }

  @BeforeAll
  static void startSpanloomAndPrometheus() throws Exception {
    spanloom = new RunningSpanloom(CONFIG);
    int exporterPort = spanloom.server.components(PrometheusExporter.class).get(0).port();
    exporter = WebClient.of("http://127.0.0.1:" + exporterPort);

    dir = Files.createTempDirectory("spanloom-prometheus");
    Files.writeString(dir.resolve("rules.yml"),
        "groups:\n  - name: seed\n    rules:\n" + SEED_RULES.replace("for: 5m", "for: 5s").indent(6));
    Files.writeString(dir.resolve("prometheus.yml"), """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        rule_files: [rules.yml]
        scrape_configs:
          - job_name: spanloom
            static_configs:
              - targets: ['127.0.0.1:%d']
        """.formatted(exporterPort));
    int port = freePort();
    prometheus = new ProcessBuilder("prometheus",
        "--config.file=" + dir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port,
        "--enable-feature=exemplar-storage")
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("prometheus.log").toFile())
        .start();
    prometheusApi = WebClient.of("http://127.0.0.1:" + port);

    // One span per service first: rate() counts only what grows after a series' first scrape.
    send(Map.of("fast-service", List.of(1L), "slow-service", List.of(1L)));
    poll("Prometheus to scrape both services", () -> {
      JsonNode r = query("sum by (service) (traces_spanmetrics_calls_total)");
      return r != null && r.size() == 2 ? true : null;
    });
    send(DISTRIBUTION);
    poll("the exporter to count every span", () -> {
      String text = exporter.get("/metrics").aggregate().join().contentUtf8();
      return text.contains("service=\"fast-service\",span_kind=\"SPAN_KIND_SERVER\",span_name=\"GET /fast\","
          + "status_code=\"STATUS_CODE_UNSET\"} 201.0") ? true : null;
    });
  }

  @AfterAll
  static void stop() throws Exception {
    if (prometheus != null) {
      prometheus.destroy(); // by its PID, which only this test knows
      if (!prometheus.waitFor(10, TimeUnit.SECONDS)) prometheus.destroyForcibly().waitFor();
    }
    if (spanloom != null) spanloom.close();
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  /** Sends spans of the given durations (ms) per service through the real SDK over OTLP/gRPC. */
  private static void send(Map<String, List<Long>> durations) {
    for (Map.Entry<String, List<Long>> e : durations.entrySet()) {
      String service = e.getKey();
      try (SdkTracerProvider provider = SdkTracerProvider.builder()
          .setResource(Resource.getDefault().merge(Resource.create(
              Attributes.of(AttributeKey.stringKey("service.name"), service))))
          .addSpanProcessor(BatchSpanProcessor.builder(
              OtlpGrpcSpanExporter.builder().setEndpoint(spanloom.grpcEndpoint()).build()).build())
          .build()) {
        Tracer tracer = provider.get("prometheus-test");
        long end = System.currentTimeMillis() * 1_000_000L;
        for (long ms : e.getValue()) {
          Span span = tracer.spanBuilder(service.equals("fast-service") ? "GET /fast" : "GET /slow")
              .setSpanKind(SpanKind.SERVER)
              .setAttribute("http.method", "GET")
              .setAttribute("http.status_code", 200L)
              .setStartTimestamp(end - ms * 1_000_000L, TimeUnit.NANOSECONDS)
              .startSpan();
          span.setStatus(StatusCode.UNSET);
          span.end(end, TimeUnit.NANOSECONDS);
        }
        provider.forceFlush().join(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void theSeedsRecordingRuleGivesEachServicesP99WithinOneBucket() throws Exception {
    Map<String, Double> p99 = poll("the recording rule to see every span", () -> {
      Map<String, Double> values = recorded();
      for (String service : DISTRIBUTION.keySet()) {
        Double v = values.get(service);
        if (v == null || Math.abs(v * 1000 - exactP99(DISTRIBUTION.get(service))) > bucketWidth(exactP99(DISTRIBUTION.get(service)))) {
          return null;
        }
      }
      return values;
    });

    // Exact p99s: 40 ms (fast), 1.3 s (slow); the interpolated ones lie in the same buckets.
    assertThat(p99.get("fast-service")).isBetween(0.025, 0.050);
    assertThat(p99.get("slow-service")).isBetween(1.0, 2.5);
  }

  @Test
  void theSeedsLatencyAlertFiresForTheSlowServiceAndNotTheFastOne() throws Exception {
    JsonNode alerts = poll("ServiceLatencySLOBreach to fire", () -> {
      JsonNode all = api("/api/v1/alerts").get("data").get("alerts");
      for (JsonNode a : all) {
        if (a.get("labels").get("service").asText().equals("slow-service") && a.get("state").asText().equals("firing")) {
          return all;
        }
      }
      return null;
    });

    assertThat(alerts).allSatisfy(a -> {
      assertThat(a.get("labels").get("alertname").asText()).isEqualTo("ServiceLatencySLOBreach");
      assertThat(a.get("labels").get("service").asText()).isEqualTo("slow-service");
      assertThat(a.get("labels").get("severity").asText()).isEqualTo("warning");
      assertThat(a.get("annotations").get("summary").asText()).isEqualTo("slow-service p99 latency exceeding 500ms SLO");
    });
  }

  @Test
  void exemplarsInTheOpenMetricsOutputLeadToStoredTraces() {
    RequestHeaders headers = RequestHeaders.builder(HttpMethod.GET, "/metrics")
        .add("accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5").build();
    String text = exporter.execute(headers).aggregate().join().contentUtf8();

    Matcher m = Pattern.compile("traces_spanmetrics_duration_milliseconds_bucket\\{[^}]*service=\"slow-service\"[^}]*\\} "
        + "\\d+ # \\{span_id=\"([0-9a-f]{16})\",trace_id=\"([0-9a-f]{32})\"\\}").matcher(text);
    Set<String> traceIds = new LinkedHashSet<>();
    while (m.find()) traceIds.add(m.group(2));
    assertThat(traceIds).isNotEmpty();
    for (String traceId : traceIds) {
      AggregatedHttpResponse r = spanloom.get("/api/traces/" + traceId);
      assertThat(r.status().code()).as("trace %s", traceId).isEqualTo(200);
      assertThat(r.contentUtf8()).contains("slow-service");
    }
  }

  @Test
  void prometheusStoresTheExemplarsItScrapes() throws Exception {
    JsonNode stored = poll("Prometheus to store exemplars", () -> {
      long now = System.currentTimeMillis() / 1000;
      JsonNode data = api("/api/v1/query_exemplars?query="
          + URLEncoder.encode("traces_spanmetrics_duration_milliseconds_bucket{service=\"slow-service\"}", StandardCharsets.UTF_8)
          + "&start=" + (now - 600) + "&end=" + (now + 60)).get("data");
      return data != null && data.size() > 0 ? data : null;
    });

    assertThat(stored.get(0).get("exemplars").get(0).get("labels").get("trace_id").asText()).matches("[0-9a-f]{32}");
  }

  @Test
  void theRedApiAnswersOnTheQueryAndJaegerPorts() throws Exception {
    for (String base : List.of(spanloom.queryEndpoint(), spanloom.jaegerQueryEndpoint())) {
      AggregatedHttpResponse r = WebClient.of(base).get("/api/red").aggregate().join();
      assertThat(r.status().code()).isEqualTo(200);
      JsonNode services = JSON.readTree(r.contentUtf8()).get("services");
      assertThat(services).extracting(s -> s.get("service").asText()).containsExactly("fast-service", "slow-service");
      assertThat(services.get(0).get("requests").asLong()).isEqualTo(201);
    }
  }

  @Test
  void withoutASpanmetricsConnectorTheRedApiSaysToConfigureOne() {
    try (RunningSpanloom plain = new RunningSpanloom(RunningSpanloom.LOOPBACK_OTLP)) {
      for (String base : List.of(plain.queryEndpoint(), plain.jaegerQueryEndpoint())) {
        AggregatedHttpResponse r = WebClient.of(base).get("/api/red").aggregate().join();
        assertThat(r.status().code()).isEqualTo(404);
        assertThat(r.contentUtf8()).contains("configure a spanmetrics connector");
      }
    }
  }

  /** The recorded p99 per service, in seconds; NaN values left out. */
  private static Map<String, Double> recorded() throws Exception {
    Map<String, Double> out = new HashMap<>();
    JsonNode result = query("service:request_duration_seconds:p99");
    if (result == null) return out;
    for (JsonNode r : result) {
      double v = Double.parseDouble(r.get("value").get(1).asText());
      if (!Double.isNaN(v)) out.put(r.get("metric").get("service").asText(), v);
    }
    return out;
  }

  /** Nearest-rank p99 in ms. */
  private static double exactP99(List<Long> durations) {
    List<Long> sorted = new ArrayList<>(durations);
    sorted.sort(null);
    return sorted.get((int) Math.ceil(0.99 * sorted.size()) - 1);
  }

  /** Width of the bucket holding {@code ms}. */
  private static double bucketWidth(double ms) {
    double lower = 0;
    for (double b : BOUNDS_MS) {
      if (ms <= b) return b - lower;
      lower = b;
    }
    return Double.MAX_VALUE;
  }

  private static JsonNode query(String promql) throws Exception {
    JsonNode r = api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    return r == null ? null : r.get("data").get("result");
  }

  private static JsonNode api(String path) throws Exception {
    AggregatedHttpResponse r;
    try {
      r = prometheusApi.get(path).aggregate().join();
    } catch (RuntimeException notUpYet) {
      return null;
    }
    return r.status().code() == 200 ? JSON.readTree(r.contentUtf8()) : null;
  }

  @FunctionalInterface
  private interface Check<T> {
    T get() throws Exception;
  }

  /** Polls {@code check} until it answers non-null; fails after the deadline with Prometheus' log. */
  private static <T> T poll(String what, Check<T> check) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (System.nanoTime() < deadline) {
      T t = check.get();
      if (t != null) return t;
      if (!prometheus.isAlive()) break;
      Thread.sleep(100); // between polls only
    }
    throw new AssertionError("gave up waiting for " + what + "; prometheus.log:\n"
        + Files.readString(dir.resolve("prometheus.log")));
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
