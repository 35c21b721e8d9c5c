package dev.spanloom.server.receiver;

import dev.spanloom.model.Span;
import dev.spanloom.otlp.OtlpTranslator;
import dev.spanloom.pipeline.IngestQueue;
import dev.spanloom.pipeline.RefusedException;
import dev.spanloom.pipeline.SpanConsumer;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * What every receiver (OTLP, Jaeger, Zipkin) does with a decoded request: count it, hand the
 * valid spans to the ingest queue, and answer success with partial-success details for the
 * invalid ones once the pipeline has them. A refusal comes back as a failed future holding a
 * {@link RefusedException}.
 */
public final class ReceiverIngest {
  private final String receiverId;
  private final IngestQueue queue;
  private final SpanConsumer entry;
  private final ReceiverMetrics metrics;

  public ReceiverIngest(String receiverId, IngestQueue queue, SpanConsumer entry, ReceiverMetrics metrics) {
    this.receiverId = receiverId;
    this.queue = queue;
    this.entry = entry;
    this.metrics = metrics;
  }

  public CompletableFuture<ExportTraceServiceResponse> export(OtlpTranslator.Decoded decoded, String transport) {
    int valid = decoded.spans().size();
    metrics.received(receiverId, transport, valid + decoded.rejected());
    metrics.refused(receiverId, transport, ReceiverMetrics.INVALID, decoded.rejected());
    ExportTraceServiceResponse response = response(decoded);
    if (valid == 0) return CompletableFuture.completedFuture(response);
    long bytes = 0;
    for (Span s : decoded.spans()) bytes += s.estimatedSizeBytes();
    return queue.offer(entry, decoded.spans(), bytes).handle((v, error) -> {
      if (error == null) {
        metrics.accepted(receiverId, transport, valid);
        return response;
      }
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      RefusedException refused = cause instanceof RefusedException r ? r
          : new RefusedException(RefusedException.Reason.EXPORT_FAILED, "export failed: " + cause.getMessage(),
              java.time.Duration.ofSeconds(1));
      metrics.refused(receiverId, transport, refused.reason().label(), valid);
      throw new CompletionException(refused);
    });
  }

  private static ExportTraceServiceResponse response(OtlpTranslator.Decoded decoded) {
    if (decoded.rejected() == 0) return ExportTraceServiceResponse.getDefaultInstance();
    return ExportTraceServiceResponse.newBuilder()
        .setPartialSuccess(ExportTracePartialSuccess.newBuilder()
            .setRejectedSpans(decoded.rejected())
            .setErrorMessage(decoded.errorMessage()))
        .build();
  }

  ReceiverMetrics metrics() {
    return metrics;
  }

  String receiverId() {
    return receiverId;
  }

  /** The refusal inside a failed export future. */
  static RefusedException refusal(Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    return (RefusedException) cause;
  }
}
