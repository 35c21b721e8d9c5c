package dev.spanloom.server.exporter;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.util.concurrent.CompletableFuture;

/** One way of sending an OTLP request to a remote endpoint. The future never fails: errors are outcomes. */
interface OtlpTransport {
  CompletableFuture<ExportOutcome> export(ExportTraceServiceRequest request);
}
