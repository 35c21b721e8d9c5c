/**
 * The pipeline graph: processors, exporters and connectors wired from the OpenTelemetry
 * Collector's configuration shape, and the byte-bounded {@link dev.spanloom.pipeline.IngestQueue}
 * in front of it.
 */
package dev.spanloom.pipeline;
