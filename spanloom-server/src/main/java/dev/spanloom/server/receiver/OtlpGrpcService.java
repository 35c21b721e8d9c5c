package dev.spanloom.server.receiver;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import dev.spanloom.otlp.OtlpTranslator;
import dev.spanloom.pipeline.RefusedException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;

/**
 * OTLP/gRPC {@code TraceService/Export}. Refusals follow the OTLP specification's retry rules:
 * {@code RESOURCE_EXHAUSTED} (full queue, memory limit) and {@code UNAVAILABLE} (export failed)
 * both carry a {@code google.rpc.RetryInfo} so SDKs retry after the delay.
 */
public final class OtlpGrpcService extends TraceServiceGrpc.TraceServiceImplBase {
  static final String TRANSPORT = "grpc";

  private final ReceiverIngest ingest;

  public OtlpGrpcService(ReceiverIngest ingest) {
    this.ingest = ingest;
  }

  @Override
  public void export(ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> observer) {
    ingest.export(OtlpTranslator.decode(request), TRANSPORT).whenComplete((response, error) -> {
      if (error == null) {
        observer.onNext(response);
        observer.onCompleted();
        return;
      }
      RefusedException refused = ReceiverIngest.refusal(error);
      Code code = refused.reason() == RefusedException.Reason.EXPORT_FAILED ? Code.UNAVAILABLE : Code.RESOURCE_EXHAUSTED;
      RetryInfo retry = RetryInfo.newBuilder()
          .setRetryDelay(com.google.protobuf.Duration.newBuilder()
              .setSeconds(refused.retryAfter().getSeconds())
              .setNanos(refused.retryAfter().getNano()))
          .build();
      observer.onError(StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
          .setCode(code.getNumber())
          .setMessage(refused.getMessage())
          .addDetails(Any.pack(retry))
          .build()));
    });
  }
}
