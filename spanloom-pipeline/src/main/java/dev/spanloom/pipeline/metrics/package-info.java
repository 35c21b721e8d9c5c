/**
 * Metrics pipelines: connectors turn spans into series ({@link MetricsConnector}), exporters read
 * them when asked ({@link MetricsExporter}). Pull, as Prometheus scrapes: a series is kept as a
 * cumulative value by its producer and read as a snapshot, so nothing is queued between them.
 */
package dev.spanloom.pipeline.metrics;
