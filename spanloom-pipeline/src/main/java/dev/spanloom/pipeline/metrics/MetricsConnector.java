package dev.spanloom.pipeline.metrics;

import dev.spanloom.pipeline.SpanExporter;

/**
 * A connector from traces to metrics (spanmetrics, servicegraph): the exporter of traces
 * pipelines and the receiver of metrics pipelines, which read its series by {@link #collect()}.
 */
public interface MetricsConnector extends SpanExporter, MetricsProducer {}
