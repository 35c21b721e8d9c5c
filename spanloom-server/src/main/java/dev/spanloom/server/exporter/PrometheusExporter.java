package dev.spanloom.server.exporter;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import dev.spanloom.pipeline.config.ConfigException;
import dev.spanloom.pipeline.config.ConfigNode;
import dev.spanloom.pipeline.metrics.MetricsExporter;
import dev.spanloom.pipeline.metrics.MetricsProducer;
import dev.spanloom.server.config.Endpoint;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;

/**
 * The Collector's {@code prometheus} exporter: serves what its metrics pipelines receive on
 * {@code endpoint}, path {@code /metrics}, read afresh per scrape. The Prometheus text format by
 * default; OpenMetrics, with exemplars, when the scraper's {@code Accept} asks for it (Prometheus
 * does) and {@code enable_open_metrics} is on.
 */
public final class PrometheusExporter implements MetricsExporter {
  public static final String TYPE = "prometheus";

  private final Endpoint endpoint;
  private final boolean openMetrics;
  private final MetricsProducer producer;
  private Server server;

  PrometheusExporter(Endpoint endpoint, boolean openMetrics, MetricsProducer producer) {
    this.endpoint = requireNonNull(endpoint, "endpoint");
    this.openMetrics = openMetrics;
    this.producer = requireNonNull(producer, "producer");
  }

  public static PrometheusExporter fromConfig(ConfigNode config, MetricsProducer producer) {
    config.requireKnownKeys(Set.of("endpoint", "enable_open_metrics", "namespace", "const_labels",
        "send_timestamps", "resource_to_telemetry_conversion"));
    if (!config.has("endpoint")) {
      throw new ConfigException(config.pathOf("endpoint") + ": missing (expected: host:port such as 0.0.0.0:8889)");
    }
    // Keys of the Collector's exporter that would change the series; Spanloom names them at the connector.
    if (config.has("namespace")) {
      throw config.invalid("namespace", config.string("namespace", ""),
          "unset; set the prefix with the connector's namespace or naming");
    }
    if (!config.child("const_labels").isEmpty()) {
      throw new ConfigException(config.pathOf("const_labels")
          + ": not supported (expected: unset; add labels with Prometheus' relabelling or the connector's dimensions)");
    }
    if (config.bool("send_timestamps", false)) throw config.invalid("send_timestamps", true, "false");
    if (config.child("resource_to_telemetry_conversion").bool("enabled", false)) {
      throw new ConfigException(config.child("resource_to_telemetry_conversion").pathOf("enabled")
          + ": true (expected: false; use the connector's dimensions to keep resource attributes)");
    }
    Endpoint endpoint = Endpoint.parse(config.pathOf("endpoint"), config.string("endpoint", ""));
    return new PrometheusExporter(endpoint, config.bool("enable_open_metrics", true), producer);
  }

  @Override
  public synchronized void start() {
    if (server != null) return;
    server = Server.builder()
        .http(endpoint.address())
        .gracefulShutdownTimeout(Duration.ZERO, Duration.ofSeconds(5))
        .service("/metrics", (ctx, req) -> HttpResponse.of(
            java.util.concurrent.CompletableFuture.supplyAsync(() -> scrape(req.headers().get("accept")),
                ctx.blockingTaskExecutor())))
        .build();
    server.start().join();
  }

  /** The exposition of what the pipelines hold now, in the format {@code accept} asks for. */
  HttpResponse scrape(String accept) {
    ExpositionFormatWriter writer = openMetrics
        ? ExpositionFormats.init().findWriter(accept)
        : PrometheusTextFormatWriter.create();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writer.write(out, producer.collect());
    } catch (IOException | RuntimeException e) {
      return HttpResponse.of(HttpStatus.INTERNAL_SERVER_ERROR, MediaType.PLAIN_TEXT_UTF_8,
          "cannot render metrics: " + e.getMessage());
    }
    return HttpResponse.of(HttpStatus.OK, MediaType.parse(writer.getContentType()), out.toByteArray());
  }

  /** The port it listens on, once started (useful with port 0). */
  public synchronized int port() {
    if (server == null) throw new IllegalStateException("not started");
    return server.activeLocalPort();
  }

  @Override
  public synchronized boolean isReady() {
    return server != null && !server.isClosing();
  }

  @Override
  public synchronized void close() {
    if (server != null) server.stop().join();
  }

  @Override
  public String toString() {
    return "prometheus{endpoint=" + endpoint + ", enable_open_metrics=" + openMetrics + "}";
  }
}
