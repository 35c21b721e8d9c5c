package dev.spanloom.server.exporter;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.RetryInfo;
import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.grpc.GrpcClientBuilder;
import com.linecorp.armeria.client.grpc.GrpcClients;
import io.grpc.Codec;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * OTLP/gRPC {@code TraceService/Export} through Armeria's gRPC client. Retryable codes are the
 * OTLP specification's; {@code RESOURCE_EXHAUSTED} only when the server sent a {@code RetryInfo}
 * (without one it means "too large", which no retry fixes), as the Collector does.
 */
final class OtlpGrpcTransport implements OtlpTransport {
  private static final Set<Status.Code> RETRYABLE = EnumSet.of(Status.Code.CANCELLED, Status.Code.DEADLINE_EXCEEDED,
      Status.Code.ABORTED, Status.Code.OUT_OF_RANGE, Status.Code.UNAVAILABLE, Status.Code.DATA_LOSS);

  private final TraceServiceGrpc.TraceServiceStub stub;

  OtlpGrpcTransport(OtlpExporterSettings settings, ClientFactory factory) {
    GrpcClientBuilder builder = GrpcClients.builder(settings.target())
        .factory(factory)
        .responseTimeout(settings.timeout());
    if (settings.gzip()) builder.compressor(new Codec.Gzip());
    settings.headers().forEach(builder::setHeader);
    stub = builder.build(TraceServiceGrpc.TraceServiceStub.class);
  }

  @Override
  public CompletableFuture<ExportOutcome> export(ExportTraceServiceRequest request) {
    CompletableFuture<ExportOutcome> outcome = new CompletableFuture<>();
    try {
      stub.export(request, new StreamObserver<>() {
        private ExportTraceServiceResponse response = ExportTraceServiceResponse.getDefaultInstance();

        @Override
        public void onNext(ExportTraceServiceResponse value) {
          response = value;
        }

        @Override
        public void onError(Throwable t) {
          outcome.complete(classify(t));
        }

        @Override
        public void onCompleted() {
          outcome.complete(ExportOutcome.accepted(response.getPartialSuccess().getRejectedSpans(),
              response.getPartialSuccess().getErrorMessage()));
        }
      });
    } catch (RuntimeException e) {
      outcome.complete(classify(e));
    }
    return outcome;
  }

  static ExportOutcome classify(Throwable t) {
    Status status = Status.fromThrowable(t);
    String detail = status.getDescription() != null ? status.getDescription()
        : status.getCause() != null ? String.valueOf(rootCause(status.getCause())) : null;
    String message = status.getCode() + (detail == null ? "" : ": " + detail);
    Duration retryAfter = retryDelay(t);
    if (RETRYABLE.contains(status.getCode())) return ExportOutcome.retryable(retryAfter, message);
    if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED && retryAfter != null) {
      return ExportOutcome.retryable(retryAfter, message);
    }
    return ExportOutcome.permanent(message);
  }

  private static Throwable rootCause(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) c = c.getCause();
    return c;
  }

  /** The delay of a {@code google.rpc.RetryInfo} in the status details, or null when there is none. */
  private static Duration retryDelay(Throwable t) {
    com.google.rpc.Status details = StatusProto.fromThrowable(t);
    if (details == null) return null;
    for (Any any : details.getDetailsList()) {
      if (!any.is(RetryInfo.class)) continue;
      try {
        com.google.protobuf.Duration d = any.unpack(RetryInfo.class).getRetryDelay();
        return Duration.ofSeconds(d.getSeconds(), d.getNanos());
      } catch (InvalidProtocolBufferException e) {
        return null;
      }
    }
    return null;
  }
}
