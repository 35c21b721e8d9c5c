package dev.spanloom.server.exporter;

import com.google.protobuf.Any;
import com.google.rpc.RetryInfo;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.grpc.GrpcService;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real OTLP endpoint on loopback (gRPC and HTTP on one port) that answers from a script, so
 * tests can make a destination refuse, throttle or partly accept. When the script runs out it
 * accepts everything. It records each request's headers and decoded body.
 */
final class ScriptedOtlpServer implements AutoCloseable {
  /** One scripted answer, for either protocol. */
  record Answer(Status grpcStatus, Duration retryInfo, long rejectedSpans, int httpStatus, String retryAfter) {
    static Answer grpcError(Status status, Duration retryInfo) {
      return new Answer(status, retryInfo, 0, 0, null);
    }

    static Answer partialSuccess(long rejected) {
      return new Answer(null, null, rejected, 200, null);
    }

    static Answer httpError(int status, String retryAfter) {
      return new Answer(null, null, 0, status, retryAfter);
    }
  }

  private final Queue<Answer> script = new ConcurrentLinkedQueue<>();
  final List<RequestHeaders> headers = new CopyOnWriteArrayList<>();
  final List<ExportTraceServiceRequest> requests = new CopyOnWriteArrayList<>();
  private final Server server;

  ScriptedOtlpServer(Answer... answers) {
    script.addAll(List.of(answers));
    server = Server.builder()
        .http(new java.net.InetSocketAddress("127.0.0.1", 0))
        .gracefulShutdownTimeout(Duration.ZERO, Duration.ZERO)
        .service(GrpcService.builder().addService(new TraceServiceGrpc.TraceServiceImplBase() {
          @Override
          public void export(ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> observer) {
            headers.add(ServiceRequestContext.current().request().headers());
            requests.add(request);
            Answer a = script.poll();
            if (a != null && a.grpcStatus() != null) {
              com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder()
                  .setCode(a.grpcStatus().getCode().value()).setMessage("scripted");
              if (a.retryInfo() != null) {
                status.addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(com.google.protobuf.Duration.newBuilder()
                    .setSeconds(a.retryInfo().getSeconds()).setNanos(a.retryInfo().getNano())).build()));
              }
              observer.onError(StatusProto.toStatusRuntimeException(status.build()));
              return;
            }
            observer.onNext(response(a));
            observer.onCompleted();
          }
        }).build())
        .service("/v1/traces", (ctx, req) -> HttpResponse.of(req.aggregate().thenApply(body -> {
          headers.add(req.headers());
          try {
            byte[] raw = body.content().array();
            if ("gzip".equals(req.headers().get("content-encoding"))) {
              raw = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(raw)).readAllBytes();
            }
            requests.add(ExportTraceServiceRequest.parseFrom(raw));
          } catch (java.io.IOException e) {
            return HttpResponse.of(HttpStatus.BAD_REQUEST);
          }
          Answer a = script.poll();
          if (a != null && a.httpStatus() != 200) {
            com.linecorp.armeria.common.ResponseHeadersBuilder h = ResponseHeaders.builder(a.httpStatus());
            if (a.retryAfter() != null) h.set("retry-after", a.retryAfter());
            return HttpResponse.of(h.contentType(MediaType.PLAIN_TEXT_UTF_8).build(),
                com.linecorp.armeria.common.HttpData.ofUtf8("scripted"));
          }
          return HttpResponse.of(HttpStatus.OK, MediaType.PROTOBUF, response(a).toByteArray());
        })))
        .build();
    server.start().join();
  }

  private static ExportTraceServiceResponse response(Answer a) {
    if (a == null || a.rejectedSpans() == 0) return ExportTraceServiceResponse.getDefaultInstance();
    return ExportTraceServiceResponse.newBuilder().setPartialSuccess(ExportTracePartialSuccess.newBuilder()
        .setRejectedSpans(a.rejectedSpans()).setErrorMessage("scripted rejection")).build();
  }

  int port() {
    return server.activeLocalPort();
  }

  @Override
  public void close() {
    server.stop().join();
  }
}
