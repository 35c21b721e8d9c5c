package dev.spanloom.it.jaeger;

import dev.spanloom.server.SpanloomServer;
import dev.spanloom.server.config.SpanloomConfig;
import io.opentelemetry.sdk.extension.trace.jaeger.sampler.JaegerRemoteSampler;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A real Spanloom on loopback ephemeral ports — OTLP/gRPC in, memory storage, the {@code
 * remote_sampling} extension with the given strategy source — and the real SDK samplers that
 * pull from it.
 */
final class SpanloomWithRemoteSampling implements AutoCloseable {
  /** The sampler a JaegerRemoteSampler applies until its first pull; no strategy Spanloom serves prints so. */
  static final Sampler BEFORE_FIRST_PULL = Sampler.alwaysOff();

  final SpanloomServer server;

  /** {@code source} is the extension's {@code file: {...}} or {@code adaptive: {...}} entry. */
  SpanloomWithRemoteSampling(String source) {
    server = new SpanloomServer(SpanloomConfig.parse("""
        receivers:
          otlp:
            protocols:
              grpc: {endpoint: 127.0.0.1:0}
        exporters:
          store: {}
        extensions:
          remote_sampling:
            %s
            http: {endpoint: 127.0.0.1:0}
            grpc: {endpoint: 127.0.0.1:0}
            collector_grpc: {endpoint: 127.0.0.1:0}
        service:
          extensions: [remote_sampling]
          pipelines:
            traces: {receivers: [otlp], exporters: [store]}
        server: {http_listen_address: 127.0.0.1, http_listen_port: 0}
        query:
          jaeger: {endpoint: 127.0.0.1:0}
          zipkin: {endpoint: 127.0.0.1:0}
        storage: {trace: {backend: memory}}
        """.formatted(source), "test"));
    server.start();
  }

  String otlpGrpcEndpoint() {
    return "http://127.0.0.1:" + server.receiverPort("receivers.otlp.protocols.grpc");
  }

  /** The SDK's sampler for {@code service}, polling Spanloom's SamplingManager on {@code port} every 100 ms. */
  static JaegerRemoteSampler sampler(int port, String service) {
    return JaegerRemoteSampler.builder()
        .setEndpoint("http://127.0.0.1:" + port)
        .setServiceName(service)
        .setPollingInterval(Duration.ofMillis(100))
        .setInitialSampler(BEFORE_FIRST_PULL)
        .build();
  }

  /** {@link #sampler(int, String)} on the remote_sampling gRPC port (5779), once it has pulled its first strategy. */
  JaegerRemoteSampler pulledSampler(String service) throws InterruptedException {
    return pulled(sampler(server.remoteSampling().grpcPort(), service));
  }

  static JaegerRemoteSampler pulled(JaegerRemoteSampler sampler) throws InterruptedException {
    String before = "JaegerRemoteSampler{" + BEFORE_FIRST_PULL.getDescription() + "}";
    await(Duration.ofSeconds(20), () -> !sampler.getDescription().equals(before), sampler::getDescription);
    return sampler;
  }

  /** Waits at most {@code limit} for {@code condition}; only the outcome is asserted, never the time it took. */
  static void await(Duration limit, BooleanSupplier condition, Supplier<String> state) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) throw new AssertionError("not reached within " + limit + "; " + state.get());
      Thread.sleep(50);
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
