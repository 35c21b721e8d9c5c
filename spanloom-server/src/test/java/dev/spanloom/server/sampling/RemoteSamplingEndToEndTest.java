package dev.spanloom.server.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import dev.spanloom.model.TraceId;
import dev.spanloom.server.SpanloomServer;
import dev.spanloom.server.config.SpanloomConfig;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.extension.trace.jaeger.proto.api_v2.Sampling;
import io.opentelemetry.sdk.extension.trace.jaeger.proto.api_v2.SamplingManagerGrpc;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remote sampling against real clients: Jaeger's generated {@code SamplingManager} client pulls
 * strategies from Spanloom over gRPC; plain HTTP gets the same strategies in Jaeger's JSON;
 * adaptive sampling learns the operations of the root spans ingested over OTLP from the real SDK.
 */
class RemoteSamplingEndToEndTest {
  private static final String STRATEGIES = """
      {
        "service_strategies": [
          {"service": "checkout", "type": "probabilistic", "param": 0.5,
           "operation_strategies": [{"operation": "GET /health", "type": "probabilistic", "param": 0.0}]},
          {"service": "batch-jobs", "type": "ratelimiting", "param": 5}
        ],
        "default_strategy": {"type": "probabilistic", "param": 0.25}
      }
      """;

  private static SpanloomServer start(String extension) {
    SpanloomServer server = new SpanloomServer(SpanloomConfig.parse("""
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
        service:
          extensions: [remote_sampling]
          pipelines:
            traces: {receivers: [otlp], exporters: [store]}
        server: {http_listen_address: 127.0.0.1, http_listen_port: 0}
        query:
          jaeger: {endpoint: 127.0.0.1:0}
          zipkin: {endpoint: 127.0.0.1:0}
        storage: {trace: {backend: memory}}
        """.formatted(extension.indent(4).stripTrailing()), "test"));
    server.start();
    return server;
  }

  @Test
  void jaegersGeneratedClientPullsTheFileStrategyOverGrpcAndHttpGetsItAsJson(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("strategies.json");
    Files.writeString(file, STRATEGIES);
    try (SpanloomServer spanloom = start("file: {path: " + file + "}")) {
      // Jaeger's generated api_v2 client stub over grpc-java. (The SDK's JaegerRemoteSampler itself needs
      // the exporter internals of its own release, 1.60.1, which clash with the 1.68 SDK on this classpath.)
      io.grpc.ManagedChannel channel = io.grpc.ManagedChannelBuilder.forAddress("127.0.0.1", spanloom.remoteSampling().grpcPort())
          .usePlaintext().build();
      try {
        Sampling.SamplingStrategyResponse response = SamplingManagerGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .getSamplingStrategy(Sampling.SamplingStrategyParameters.newBuilder().setServiceName("checkout").build());
        assertThat(response.getStrategyType()).isEqualTo(Sampling.SamplingStrategyType.PROBABILISTIC);
        assertThat(response.getOperationSampling().getDefaultSamplingProbability()).isEqualTo(0.5);
        assertThat(response.getOperationSampling().getPerOperationStrategies(0).getOperation()).isEqualTo("GET /health");
        assertThat(response.getOperationSampling().getPerOperationStrategies(0).getProbabilisticSampling().getSamplingRate()).isZero();
        Sampling.SamplingStrategyResponse limited = SamplingManagerGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
            .getSamplingStrategy(Sampling.SamplingStrategyParameters.newBuilder().setServiceName("batch-jobs").build());
        assertThat(limited.getStrategyType()).isEqualTo(Sampling.SamplingStrategyType.RATE_LIMITING);
        assertThat(limited.getRateLimitingSampling().getMaxTracesPerSecond()).isEqualTo(5);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }

      WebClient http = WebClient.of("http://127.0.0.1:" + spanloom.remoteSampling().httpPort());
      AggregatedHttpResponse checkout = http.get("/?service=checkout").aggregate().join();
      assertThat(checkout.status().code()).isEqualTo(200);
      assertThat(checkout.contentUtf8()).isEqualTo("{\"strategyType\":\"PROBABILISTIC\",\"probabilisticSampling\":{\"samplingRate\":0.5},"
          + "\"operationSampling\":{\"defaultSamplingProbability\":0.5,\"defaultLowerBoundTracesPerSecond\":0.0,"
          + "\"perOperationStrategies\":[{\"operation\":\"GET /health\",\"probabilisticSampling\":{\"samplingRate\":0.0}}]}}");
      assertThat(http.get("/sampling?service=batch-jobs").aggregate().join().contentUtf8())
          .isEqualTo("{\"strategyType\":\"RATE_LIMITING\",\"rateLimitingSampling\":{\"maxTracesPerSecond\":5}}");
      assertThat(http.get("/?service=unknown").aggregate().join().contentUtf8())
          .isEqualTo("{\"strategyType\":\"PROBABILISTIC\",\"probabilisticSampling\":{\"samplingRate\":0.25}}");
      assertThat(http.get("/").aggregate().join().status().code()).isEqualTo(400);
    }
  }

  @Test
  void adaptiveSamplingLearnsOperationsFromIngestedRootSpansAndServesThem() throws Exception {
    try (SpanloomServer spanloom = start("adaptive: {target_samples_per_second: 1, calculation_interval: 200ms}")) {
      SdkTracerProvider provider = SdkTracerProvider.builder()
          .setResource(io.opentelemetry.sdk.resources.Resource.create(io.opentelemetry.api.common.Attributes.of(
              io.opentelemetry.api.common.AttributeKey.stringKey("service.name"), "checkout")))
          .addSpanProcessor(SimpleSpanProcessor.create(OtlpGrpcSpanExporter.builder()
              .setEndpoint("http://127.0.0.1:" + spanloom.receiverPort("receivers.otlp.protocols.grpc")).build()))
          .build();
      Tracer tracer = provider.get("adaptive");
      WebClient http = WebClient.of("http://127.0.0.1:" + spanloom.remoteSampling().httpPort());
      SamplingServer.await(Duration.ofSeconds(20), () -> {
        // Root spans that say, in th, that their SDK sampled them at 50 %.
        Span s = tracer.spanBuilder("GET /a").setParent(Context.root().with(Span.wrap(SpanContext.create(
            TraceId.INVALID.toHex(), "0000000000000000", TraceFlags.getSampled(), TraceState.builder().put("ot", "th:8").build()))))
            .startSpan();
        s.end();
        return http.get("/?service=checkout").aggregate().join().contentUtf8().contains("\"operation\":\"GET /a\"");
      }, () -> http.get("/?service=checkout").aggregate().join().contentUtf8());
      provider.shutdown().join(10, TimeUnit.SECONDS);
    }
  }
}
