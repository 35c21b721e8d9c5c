package dev.spanloom.server.exporter;

import dev.spanloom.pipeline.PipelineGraph;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The network exporters' counters in {@code /metrics}, named after the Collector's ({@code
 * otelcol_exporter_sent_spans} becomes {@code spanloom_exporter_sent_spans_total}), labelled by
 * the exporter's ID in the configuration ({@code exporter="otlp/jaeger"}). Every span handed to
 * an exporter ends in exactly one of sent, send_failed (by reason) or enqueue_failed.
 */
public final class ExporterMetrics {
  private ExporterMetrics() {}

  public static void register(PrometheusRegistry registry, PipelineGraph graph) {
    List<OtlpExporter> exporters = graph.components(OtlpExporter.class);
    if (exporters.isEmpty()) return;
    counter(registry, "spanloom_exporter_sent_spans", "Spans the remote endpoint accepted.", exporters, OtlpExporter::sentSpans);
    CounterWithCallback.builder().name("spanloom_exporter_send_failed_spans")
        .help("Spans dropped, by reason: permanent (refused for good), retries_exhausted, rejected (partial success), shutdown.")
        .labelNames("exporter", "reason")
        .callback(cb -> {
          for (OtlpExporter e : exporters) {
            for (OtlpExporter.DropReason r : OtlpExporter.DropReason.values()) cb.call(e.failedSpans(r), e.id(), r.label());
          }
        }).register(registry);
    counter(registry, "spanloom_exporter_enqueue_failed_spans",
        "Spans refused to the pipeline because the sending queue was full (the client was told to retry).",
        exporters, OtlpExporter::enqueueFailedSpans);
    counter(registry, "spanloom_exporter_retries", "Export attempts made again after a retryable failure.",
        exporters, OtlpExporter::retries);
    gauge(registry, "spanloom_exporter_queue_size", "Batches waiting in the sending queue.", exporters, OtlpExporter::queueSize);
    gauge(registry, "spanloom_exporter_queue_capacity", "The sending queue's bound in batches (sending_queue.queue_size).",
        exporters, OtlpExporter::queueCapacity);
  }

  private static void counter(PrometheusRegistry registry, String name, String help, List<OtlpExporter> exporters,
      ToLongFunction<OtlpExporter> f) {
    CounterWithCallback.builder().name(name).help(help).labelNames("exporter")
        .callback(cb -> {
          for (OtlpExporter e : exporters) cb.call(f.applyAsLong(e), e.id());
        }).register(registry);
  }

  private static void gauge(PrometheusRegistry registry, String name, String help, List<OtlpExporter> exporters,
      ToLongFunction<OtlpExporter> f) {
    GaugeWithCallback.builder().name(name).help(help).labelNames("exporter")
        .callback(cb -> {
          for (OtlpExporter e : exporters) cb.call(f.applyAsLong(e), e.id());
        }).register(registry);
  }
}
