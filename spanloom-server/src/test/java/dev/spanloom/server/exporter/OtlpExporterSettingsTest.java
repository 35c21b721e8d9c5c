package dev.spanloom.server.exporter;

import static dev.spanloom.server.exporter.OtlpExporterOutcomesTest.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spanloom.pipeline.config.ConfigException;
import dev.spanloom.server.SpanloomServer;
import dev.spanloom.server.config.SpanloomConfig;
import dev.spanloom.server.exporter.OtlpExporterSettings.Protocol;
import dev.spanloom.server.exporter.OtlpExporterSettings.QueueSettings;
import dev.spanloom.server.exporter.OtlpExporterSettings.RetrySettings;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The exporters' configuration: the Collector's keys and defaults, and errors that name the key. */
class OtlpExporterSettingsTest {

  private static OtlpExporterSettings grpc(Map<String, Object> config) {
    return OtlpExporterSettings.fromConfig(node("otlp/jaeger", config), Protocol.GRPC);
  }

  private static OtlpExporterSettings http(Map<String, Object> config) {
    return OtlpExporterSettings.fromConfig(node("otlphttp/jaeger", config), Protocol.HTTP);
  }

  @Test
  void defaultsAreTheCollectors() {
    OtlpExporterSettings s = grpc(Map.of("endpoint", "jaeger:4317"));

    assertThat(s.gzip()).isTrue();
    assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.queue()).isEqualTo(new QueueSettings(true, 10, 1000));
    assertThat(s.retry()).isEqualTo(new RetrySettings(true, Duration.ofSeconds(5), Duration.ofSeconds(30),
        Duration.ofSeconds(300), 1.5, 0.5));
  }

  @Test
  void grpcEndpointWithoutSchemeUsesTlsUnlessInsecure() {
    assertThat(grpc(Map.of("endpoint", "jaeger:4317")).target()).isEqualTo(URI.create("https://jaeger:4317"));
    assertThat(grpc(Map.of("endpoint", "jaeger:4317", "tls", Map.of("insecure", true))).target())
        .isEqualTo(URI.create("http://jaeger:4317"));
  }

  @Test
  void grpcEndpointSchemeDecidesPlainTextOrTls() {
    assertThat(grpc(Map.of("endpoint", "http://jaeger:4317")).tls()).isFalse();
    assertThat(grpc(Map.of("endpoint", "https://jaeger:4317", "tls", Map.of("insecure", true))).tls()).isTrue();
  }

  @Test
  void otlphttpPostsToV1TracesBelowTheEndpoint() {
    assertThat(http(Map.of("endpoint", "http://jaeger:4318")).target()).isEqualTo(URI.create("http://jaeger:4318/v1/traces"));
    assertThat(http(Map.of("endpoint", "https://collector.example/otlp/")).target())
        .isEqualTo(URI.create("https://collector.example/otlp/v1/traces"));
  }

  @Test
  void otlphttpTracesEndpointIsTheWholeUrl() {
    assertThat(http(Map.of("endpoint", "http://jaeger:4318", "traces_endpoint", "http://other:9999/custom")).target())
        .isEqualTo(URI.create("http://other:9999/custom"));
  }

  @Test
  void grpcEndpointWithoutPortIsRefused() {
    assertThatThrownBy(() -> grpc(Map.of("endpoint", "jaeger")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("exporters.otlp/jaeger.endpoint: \"jaeger\" (expected: host:port such as jaeger:4317");
  }

  @Test
  void missingEndpointIsNamed() {
    assertThatThrownBy(() -> grpc(Map.of())).hasMessageStartingWith("exporters.otlp/jaeger.endpoint: \"\" (expected: host:port");
    assertThatThrownBy(() -> http(Map.of())).hasMessageStartingWith("exporters.otlphttp/jaeger.endpoint: \"\" (expected: a URL");
  }

  @Test
  void otlphttpEndpointMustBeAnHttpUrl() {
    assertThatThrownBy(() -> http(Map.of("endpoint", "jaeger:4318")))
        .hasMessage("exporters.otlphttp/jaeger.endpoint: \"jaeger:4318\" (expected: a URL such as http://jaeger:4318)");
  }

  @Test
  void unknownKeyIsNamedWithItsPath() {
    assertThatThrownBy(() -> grpc(Map.of("endpoint", "jaeger:4317", "balancer_name", "round_robin")))
        .hasMessageStartingWith("exporters.otlp/jaeger.balancer_name: unknown key (expected one of: compression, endpoint,");
    assertThatThrownBy(() -> grpc(Map.of("endpoint", "jaeger:4317", "sending_queue", Map.of("sizer", "items"))))
        .hasMessage("exporters.otlp/jaeger.sending_queue.sizer: unknown key (expected one of: enabled, num_consumers, queue_size)");
  }

  @Test
  void tracesEndpointBelongsToOtlphttpOnly() {
    assertThatThrownBy(() -> grpc(Map.of("endpoint", "jaeger:4317", "traces_endpoint", "http://x:1/v1/traces")))
        .hasMessageStartingWith("exporters.otlp/jaeger.traces_endpoint: unknown key");
  }

  @Test
  void tlsSettingsBeyondInsecureAreRefusedRatherThanIgnored() {
    assertThatThrownBy(() -> grpc(Map.of("endpoint", "jaeger:4317", "tls", Map.of("ca_file", "/etc/ca.pem"))))
        .hasMessage("exporters.otlp/jaeger.tls.ca_file: not supported (expected: insecure; TLS trusts the system's CAs)");
  }

  @Test
  void compressionIsGzipOrNone() {
    assertThat(grpc(Map.of("endpoint", "jaeger:4317", "compression", "none")).gzip()).isFalse();
    assertThatThrownBy(() -> grpc(Map.of("endpoint", "jaeger:4317", "compression", "zstd")))
        .hasMessage("exporters.otlp/jaeger.compression: \"zstd\" (expected: gzip or none)");
  }

  @Test
  void timeoutMustBePositive() {
    assertThatThrownBy(() -> grpc(Map.of("endpoint", "jaeger:4317", "timeout", "0s")))
        .hasMessage("exporters.otlp/jaeger.timeout: \"0s\" (expected: > 0s)");
  }

  @Test
  void queueBoundsMustBePositive() {
    assertThatThrownBy(() -> grpc(Map.of("endpoint", "jaeger:4317", "sending_queue", Map.of("queue_size", 0))))
        .hasMessage("exporters.otlp/jaeger.sending_queue.queue_size: 0 (expected: > 0 batches)");
    assertThatThrownBy(() -> grpc(Map.of("endpoint", "jaeger:4317", "sending_queue", Map.of("num_consumers", -1))))
        .hasMessage("exporters.otlp/jaeger.sending_queue.num_consumers: -1 (expected: > 0)");
  }

  @Test
  void retrySettingsAreChecked() {
    assertThatThrownBy(() -> grpc(Map.of("endpoint", "jaeger:4317", "retry_on_failure",
        Map.of("initial_interval", "10s", "max_interval", "1s"))))
        .hasMessage("exporters.otlp/jaeger.retry_on_failure.max_interval: \"1s\" (expected: >= initial_interval 10s)");
    assertThatThrownBy(() -> grpc(Map.of("endpoint", "jaeger:4317", "retry_on_failure", Map.of("multiplier", 0.5))))
        .hasMessage("exporters.otlp/jaeger.retry_on_failure.multiplier: 0.5 (expected: >= 1)");
    assertThatThrownBy(() -> grpc(Map.of("endpoint", "jaeger:4317", "retry_on_failure", Map.of("randomization_factor", 2))))
        .hasMessage("exporters.otlp/jaeger.retry_on_failure.randomization_factor: 2.0 (expected: 0 to 1)");
  }

  @Test
  void toStringPrintsTheEffectiveConfigurationWithHeaderValuesMasked() {
    OtlpExporterSettings s = grpc(Map.of("endpoint", "jaeger:4317", "headers", Map.of("authorization", "Bearer s3cret")));

    assertThat(s.toString())
        .contains("endpoint=https://jaeger:4317", "tls=true", "headers={authorization=***}", "compression=gzip",
            "num_consumers=10", "queue_size=1000", "max_elapsed_time=PT5M")
        .doesNotContain("s3cret");
  }

  @Test
  void backoffGrowsByTheMultiplierUpToMaxInterval() {
    RetrySettings r = new RetrySettings(true, Duration.ofSeconds(1), Duration.ofSeconds(4), Duration.ZERO, 2, 0);

    assertThat(r.backoff(0, 0.3)).isEqualTo(Duration.ofSeconds(1));
    assertThat(r.backoff(1, 0.3)).isEqualTo(Duration.ofSeconds(2));
    assertThat(r.backoff(2, 0.3)).isEqualTo(Duration.ofSeconds(4));
    assertThat(r.backoff(30, 0.3)).isEqualTo(Duration.ofSeconds(4));
  }

  @Test
  void backoffIsSpreadByTheRandomizationFactor() {
    RetrySettings r = new RetrySettings(true, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ZERO, 1.5, 0.5);

    assertThat(r.backoff(0, 0)).isEqualTo(Duration.ofSeconds(5));
    assertThat(r.backoff(0, 0.5)).isEqualTo(Duration.ofSeconds(10));
    assertThat(r.backoff(0, 0.999999)).isBetween(Duration.ofMillis(14_999), Duration.ofSeconds(15));
  }

  @Test
  void theSeedsPipelineWithAnOtlpJaegerExporterBuildsWithoutConnecting() {
    String yaml = """
        receivers:
          otlp:
            protocols:
              grpc: {endpoint: 127.0.0.1:0}
        processors:
          batch: {}
        exporters:
          otlp/jaeger:
            endpoint: jaeger:4317
            tls: {insecure: true}
          otlphttp:
            endpoint: http://jaeger:4318
        service:
          pipelines:
            traces:
              receivers: [otlp]
              processors: [batch]
              exporters: [otlp/jaeger]
        storage:
          trace: {backend: memory}
        """;
    SpanloomServer server = new SpanloomServer(SpanloomConfig.parse(yaml, "seed.yaml"));

    assertThat(server.toString()).contains("traces: [otlp] -> [batch] -> [otlp/jaeger]");
  }
}
