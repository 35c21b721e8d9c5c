package dev.spanloom.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Runs the generator against an OTLP gRPC server on a loopback port that refuses every third export. */
class OtlpLoadGeneratorTest {
  final AtomicInteger exports = new AtomicInteger();
  Server server;

  @BeforeEach
  void startServer() throws Exception {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new TraceServiceGrpc.TraceServiceImplBase() {
          @Override
          public void export(ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> response) {
            int n = exports.incrementAndGet();
            if (n % 3 == 0) {
              response.onError(Status.RESOURCE_EXHAUSTED.withDescription("queue full").asRuntimeException());
              return;
            }
            response.onNext(ExportTraceServiceResponse.newBuilder()
                .setPartialSuccess(ExportTracePartialSuccess.newBuilder().setRejectedSpans(n % 3 == 1 ? 1 : 0))
                .build());
            response.onCompleted();
          }
        })
        .build()
        .start();
  }

  @AfterEach
  void stopServer() throws Exception {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void countsAcceptedSpansBackpressureAndPartialRejections() throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    LoadGeneratorOptions options = LoadGeneratorOptions.parse("--target", "127.0.0.1:" + server.getPort(),
        "--concurrency", "4", "--spans-per-request", "16", "--warmup", "1s", "--duration", "1s");

    ExportStats.Window measured =
        new OtlpLoadGenerator(options, new PrintStream(printed, true, StandardCharsets.UTF_8)).run();

    assertThat(measured.okRequests()).isPositive();
    assertThat(measured.acceptedSpans()).isEqualTo(measured.okRequests() * 16 - measured.rejectedSpans());
    assertThat(measured.rejectedSpans()).isPositive();
    assertThat(measured.backpressure()).isPositive();
    assertThat(measured.errors()).isZero();
    assertThat(measured.nanos()).isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(1));
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("warmup", "measure", "=== summary", "backpressure", "p99.9");
  }

  @Test
  void acceptsNothingWhenNoServerListens() throws Exception {
    int port = server.getPort();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    LoadGeneratorOptions options = LoadGeneratorOptions.parse("--target", "127.0.0.1:" + port,
        "--concurrency", "2", "--spans-per-request", "8", "--warmup", "0s", "--duration", "1s");

    ExportStats.Window measured = new OtlpLoadGenerator(options, new PrintStream(new ByteArrayOutputStream(), true,
        StandardCharsets.UTF_8)).run();

    assertThat(measured.acceptedSpans()).isZero();
    assertThat(measured.errorsByCode()).contains("UNAVAILABLE=");
  }
}
