package dev.spanloom.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spanloom.pipeline.config.ConfigException;
import dev.spanloom.server.config.SpanloomConfig;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration fails fast, naming the key; good configurations in both shapes load. */
class ConfigurationTest {

  private static SpanloomServer build(String yaml) {
    return new SpanloomServer(SpanloomConfig.parse(yaml, "test.yaml"));
  }

  @Test
  void builtInDefaultBuildsWithoutBindingAnything() {
    SpanloomServer server = new SpanloomServer(SpanloomConfig.defaults());
    assertThat(server.toString())
        .contains("traces: [otlp, jaeger, zipkin] -> [memory_limiter, batch] -> [store, spanmetrics, servicegraph]");
  }

  @Test
  void builtInDefaultKeepsSpanMetricsForPrometheusAndTheRedApi() {
    SpanloomServer server = new SpanloomServer(SpanloomConfig.defaults());
    assertThat(server.toString()).contains("metrics/spanmetrics: [spanmetrics] -> [] -> [prometheus]")
        .contains("metrics/servicegraph: [servicegraph] -> [] -> [prometheus]");
    assertThat(server.components(dev.spanloom.pipeline.connector.SpanMetricsConnector.class))
        .singleElement().hasToString("spanmetrics{naming=spanloom, namespace=traces.spanmetrics, buckets=[PT0.005S, "
            + "PT0.01S, PT0.025S, PT0.05S, PT0.075S, PT0.1S, PT0.25S, PT0.5S, PT1S, PT2.5S, PT5S], unit=ms, "
            + "dimensions=[], exemplars=true, metrics_expiration=PT1H, aggregation_cardinality_limit=5000}");
  }

  /**
   * The seed's spanmetrics block and pipelines, as written; the seed leaves the otlp receiver, the
   * batch processor and the otlp/jaeger and prometheus exporters to be defined, so this adds them.
   */
  @Test
  void seedSpanMetricsConnectorAndPipelinesLoadAsWritten() {
    String seed = """
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

        service:
          pipelines:
            traces:
              receivers: [otlp]
              processors: [batch]
              exporters: [otlp/jaeger, spanmetrics]
            metrics/spanmetrics:
              receivers: [spanmetrics]
              exporters: [prometheus]
        """;
    String definitions = """
        receivers:
          otlp:
            protocols:
              grpc:
                endpoint: 127.0.0.1:0
        processors:
          batch: {}
        exporters:
          otlp/jaeger:
            endpoint: jaeger:4317
            tls:
              insecure: true
          prometheus:
            endpoint: 127.0.0.1:0
        storage:
          trace:
            backend: memory
        """;
    SpanloomServer server = build(seed + definitions);

    assertThat(server.toString())
        .contains("traces: [otlp] -> [batch] -> [otlp/jaeger, spanmetrics]")
        .contains("metrics/spanmetrics: [spanmetrics] -> [] -> [prometheus]");
    // service.name is a default dimension already: listed again, it adds no second label.
    assertThat(server.components(dev.spanloom.pipeline.connector.SpanMetricsConnector.class).get(0).toString())
        .contains("dimensions=[http.method, http.status_code]", "exemplars=true");
  }

  @Test
  void theDemoRunsWithObjectivesForTheShopsServices() {
    SpanloomServer server = new SpanloomServer(SpanloomConfig.demoDefaults());

    assertThat(server.slo().statuses()).extracting(st -> st.objective().name())
        .containsExactly("storefront-availability", "checkout-latency", "payments-availability");
  }

  @Test
  void unknownTopLevelKeyIsNamed() {
    assertThatThrownBy(() -> build(RunningSpanloom.LOOPBACK_OTLP + "recievers: {}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("recievers: unknown key (expected one of:");
  }

  @Test
  void badDurationNamesItsPath() {
    String yaml = RunningSpanloom.LOOPBACK_OTLP.replace("exporters:\n  store: {}",
        "processors:\n  batch:\n    timeout: soon\nexporters:\n  store: {}");
    assertThatThrownBy(() -> build(yaml))
        .hasMessage("processors.batch.timeout: \"soon\" (expected: a duration such as 200ms, 10s, 5m or 168h)");
  }

  @Test
  void unknownProcessorKeyIsNamed() {
    String yaml = RunningSpanloom.LOOPBACK_OTLP.replace("exporters:\n  store: {}",
        "processors:\n  batch:\n    timout: 1s\nexporters:\n  store: {}");
    assertThatThrownBy(() -> build(yaml)).hasMessageStartingWith("processors.batch.timout: unknown key");
  }

  @Test
  void pipelineNamingAnUndefinedExporterFails() {
    String yaml = RunningSpanloom.LOOPBACK_OTLP.replace("exporters: [store]", "exporters: [store, otlp/jaeger]");
    assertThatThrownBy(() -> build(yaml))
        .hasMessage("service.pipelines.traces.exporters: \"otlp/jaeger\" is not defined under exporters or connectors");
  }

  @Test
  void unknownExporterTypeIsNamed() {
    String yaml = RunningSpanloom.LOOPBACK_OTLP.replace("exporters:\n  store: {}", "exporters:\n  store: {}\n  kafkaa: {}");
    assertThatThrownBy(() -> build(yaml)).hasMessageStartingWith("exporters.kafkaa: unknown type \"kafkaa\"");
  }

  @Test
  void badEndpointIsNamed() {
    String yaml = RunningSpanloom.LOOPBACK_OTLP.replace("endpoint: 127.0.0.1:0\n      http", "endpoint: localhost\n      http");
    assertThatThrownBy(() -> build(yaml))
        .hasMessage("receivers.otlp.protocols.grpc.endpoint: \"localhost\" (expected: host:port such as 0.0.0.0:4317)");
  }

  @Test
  void badQueueBoundIsNamed() {
    String yaml = RunningSpanloom.LOOPBACK_OTLP.replace("service:\n", "service:\n  ingest_queue:\n    max_bytes: lots\n");
    assertThatThrownBy(() -> build(yaml)).hasMessageStartingWith("service.ingest_queue.max_bytes: \"lots\"");
  }

  @Test
  void invalidYamlSaysWhere() {
    assertThatThrownBy(() -> build("receivers: [\n")).hasMessageContaining("test.yaml: not valid YAML at line");
  }

  @Test
  void tempoShapedConfigGetsTheImpliedPipeline() {
    SpanloomServer server = build("""
        server:
          http_listen_port: 0
        distributor:
          receivers:
            otlp:
              protocols:
                grpc:
                  endpoint: 127.0.0.1:0
        storage:
          trace:
            backend: memory
        """);
    assertThat(server.toString()).contains("traces: [otlp] -> [batch] -> [store]");
  }

  /** The seed's tempo.yaml, byte for byte. */
  static final String SEED_TEMPO_YAML = """
      # tempo.yaml — minimal config
      server:
        http_listen_port: 3200

      distributor:
        receivers:
          otlp:
            protocols:
              grpc:
                endpoint: 0.0.0.0:4317
              http:
                endpoint: 0.0.0.0:4318
          jaeger:
            protocols:
              thrift_http:
                endpoint: 0.0.0.0:14268

      storage:
        trace:
          backend: local
          local:
            path: /tmp/tempo/blocks
          wal:
            path: /tmp/tempo/wal

      compactor:
        compaction:
          block_retention: 168h  # 7 days

      query_frontend:
        search:
          duration_slo: 5s
          throughput_bytes_slo: 1.073741824e+09
      """;

  @Test
  void seedTempoYamlLoadsAndMeansWhatItSays() {
    SpanloomServer server = build(SEED_TEMPO_YAML);
    assertThat(server.toString())
        .contains("traces: [otlp, jaeger] -> [batch] -> [store]")
        .contains("storage.trace.local.path=/tmp/tempo/blocks")
        .contains("storage.trace.wal.path=/tmp/tempo/wal")
        .contains("compactor.compaction.block_retention=168h");
    assertThat(server.searchSettings().durationSlo()).isEqualTo(java.time.Duration.ofSeconds(5));
    assertThat(server.searchSettings().throughputBytesSlo()).isEqualTo(1.073741824e+09);
  }

  @Test
  void searchSloCountsFastOrHighThroughputSearches() {
    dev.spanloom.server.api.SearchSettings slo =
        new dev.spanloom.server.api.SearchSettings(20, 100, java.time.Duration.ofSeconds(5), 1e9);
    assertThat(slo.withinSlo(4_000_000_000L, 0)).isTrue();
    assertThat(slo.withinSlo(6_000_000_000L, 7_000_000_000L)).isTrue(); // 1.17 GB/s
    assertThat(slo.withinSlo(6_000_000_000L, 1_000_000_000L)).isFalse();
  }

  @Test
  void badSearchLimitIsNamed() {
    String yaml = RunningSpanloom.LOOPBACK_OTLP + "query_frontend:\n  search:\n    default_result_limit: 50\n    max_result_limit: 10\n";
    assertThatThrownBy(() -> build(yaml))
        .hasMessage("query_frontend.search.default_result_limit: 50 (expected: > 0 and <= max_result_limit 10)");
  }

  @Test
  void mainExitsWithStatus2AndNamesTheKey(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("bad.yaml");
    Files.writeString(config, RunningSpanloom.LOOPBACK_OTLP.replace("http_listen_port: 0", "http_listen_port: 99999"));
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Spanloom.class.getName(), "--config", config.toString())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(stderr).contains("spanloom: configuration error: server.http_listen_port: 99999 (expected: 0 to 65535)");
  }

  @Test
  void mainExitsWithStatus2ForAMissingFile() throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Spanloom.class.getName(), "--config",
        "no-such-dir" + File.separator + "spanloom.yaml")
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)).contains("does not exist");
  }
}
