package dev.spanloom.server.slo;

import dev.spanloom.pipeline.ComponentRegistry;
import dev.spanloom.pipeline.metrics.MetricsExporter;

/** Configurations of the SLO tests. */
public final class SloTestConfigs {
  private SloTestConfigs() {}

  /** A Spanloom whose traces pipeline feeds a span-metrics connector, plus the given slo section. */
  public static final String WITH_SPAN_METRICS = """
      receivers:
        otlp:
          protocols:
            grpc: {endpoint: 127.0.0.1:0}
      connectors:
        recordingspanmetrics: {}
      exporters:
        store: {}
        nop: {}
      service:
        pipelines:
          traces: {receivers: [otlp], exporters: [store, recordingspanmetrics]}
          metrics: {receivers: [recordingspanmetrics], exporters: [nop]}
      server: {http_listen_address: 127.0.0.1, http_listen_port: 0}
      storage: {trace: {backend: memory}}
      query: {jaeger: {endpoint: "127.0.0.1:0"}, zipkin: {endpoint: "127.0.0.1:0"}}
      """;

  /** The test connector and a metrics exporter that reads nothing, as the Collector's nop exporter. */
  public static ComponentRegistry withRecordingSpanMetrics(ComponentRegistry registry, RecordingSpanMetrics connector) {
    return registry
        .metricsConnector(RecordingSpanMetrics.TYPE, node -> connector)
        .metricsExporter("nop", (node, producer) -> new MetricsExporter() {});
  }
}
