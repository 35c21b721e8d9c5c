package dev.spanloom.server.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import dev.spanloom.model.TraceId;
import dev.spanloom.pipeline.config.ConfigNode;
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
 * strategies from Spanloom over gRPC (5779 and the collector's 14250); plain HTTP gets the same
 * strategies in Jaeger's JSON (5778 and {@code /api/sampling} on the Jaeger query port 16686);
 * adaptive sampling learns the operations of the root spans ingested over OTLP from the real SDK.
 * (The real SDK's {@code JaegerRemoteSampler} is tested in spanloom-it-jaeger-sampler.)
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
        """.formatted(extension.indent(4).stripTrailing()), "test"));
    server.start();
    return server;
  }

  @Test
  void jaegersGeneratedClientPullsTheFileStrategyOverGrpcAndHttpGetsItAsJson(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("strategies.json");
    Files.writeString(file, STRATEGIES);
    try (SpanloomServer spanloom = start("file: {path: " + file + "}")) {
      // Jaeger's generated api_v2 client stub over grpc-java.
      Sampling.SamplingStrategyResponse response = strategyOverGrpc(spanloom.remoteSampling().grpcPort(), "checkout");
      assertThat(response.getStrategyType()).isEqualTo(Sampling.SamplingStrategyType.PROBABILISTIC);
      assertThat(response.getOperationSampling().getDefaultSamplingProbability()).isEqualTo(0.5);
      assertThat(response.getOperationSampling().getPerOperationStrategies(0).getOperation()).isEqualTo("GET /health");
      assertThat(response.getOperationSampling().getPerOperationStrategies(0).getProbabilisticSampling().getSamplingRate()).isZero();
      Sampling.SamplingStrategyResponse limited = strategyOverGrpc(spanloom.remoteSampling().grpcPort(), "batch-jobs");
      assertThat(limited.getStrategyType()).isEqualTo(Sampling.SamplingStrategyType.RATE_LIMITING);
      assertThat(limited.getRateLimitingSampling().getMaxTracesPerSecond()).isEqualTo(5);

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
  void jaegerCollectorGrpcPortAndJaegerQueryPortServeTheSameStrategies(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("strategies.json");
    Files.writeString(file, STRATEGIES);
    try (SpanloomServer spanloom = start("file: {path: " + file + "}")) {
      for (String service : new String[] {"checkout", "batch-jobs", "unknown"}) {
        assertThat(strategyOverGrpc(spanloom.remoteSampling().collectorGrpcPort(), service))
            .as(service).isEqualTo(strategyOverGrpc(spanloom.remoteSampling().grpcPort(), service));
      }
      WebClient agent = WebClient.of("http://127.0.0.1:" + spanloom.remoteSampling().httpPort());
      WebClient query = WebClient.of("http://127.0.0.1:" + spanloom.jaegerQueryPort());
      for (String service : new String[] {"checkout", "batch-jobs", "unknown"}) {
        AggregatedHttpResponse onQueryPort = query.get("/api/sampling?service=" + service).aggregate().join();
        assertThat(onQueryPort.status().code()).isEqualTo(200);
        assertThat(onQueryPort.contentType().isJson()).isTrue();
        assertThat(onQueryPort.contentUtf8()).as(service).isEqualTo(agent.get("/?service=" + service).aggregate().join().contentUtf8());
      }
      AggregatedHttpResponse noService = query.get("/api/sampling").aggregate().join();
      assertThat(noService.status().code()).isEqualTo(400);
      assertThat(noService.contentUtf8()).isEqualTo("'service' parameter must be provided once");
    }
  }

  @Test
  void apiSamplingOnTheJaegerQueryPortSaysHowToEnableRemoteSamplingWhenItIsOff() {
    try (SamplingServer spanloom = new SamplingServer("", "[]")) {
      assertThat(spanloom.server.remoteSampling()).isNull();
      AggregatedHttpResponse off = WebClient.of("http://127.0.0.1:" + spanloom.server.jaegerQueryPort())
          .get("/api/sampling?service=checkout").aggregate().join();
      assertThat(off.status().code()).isEqualTo(404);
      assertThat(off.contentUtf8()).isEqualTo("{\"data\":null,\"total\":0,\"limit\":0,\"offset\":0,\"errors\":[{\"code\":404,"
          + "\"msg\":\"remote sampling is not enabled (expected: extensions.remote_sampling with file or adaptive, and "
          + "remote_sampling listed in service.extensions; see docs/sampling.md)\"}]}");
    }
  }

  @Test
  void collectorGrpcListensOn14250ByDefaultAndCanBeTurnedOff() {
    RemoteSamplingServer byDefault = RemoteSamplingServer.fromConfig(extension("adaptive: {}"));
    assertThat(byDefault.toString()).endsWith(", http=0.0.0.0:5778, grpc=0.0.0.0:5779, collector_grpc=0.0.0.0:14250}");
    RemoteSamplingServer off = RemoteSamplingServer.fromConfig(extension("adaptive: {}\ncollector_grpc: {enabled: false}"));
    assertThat(off.toString()).endsWith(", collector_grpc=off}");
    assertThatThrownBy(off::collectorGrpcPort).isInstanceOf(IllegalStateException.class).hasMessageContaining("collector_grpc.enabled");
    assertThatThrownBy(() -> RemoteSamplingServer.fromConfig(extension("adaptive: {}\ncollector_grpc: {endpoint: 14250}")))
        .hasMessage("extensions.remote_sampling.collector_grpc.endpoint: \"14250\" (expected: host:port such as 0.0.0.0:4317)");
    assertThatThrownBy(() -> RemoteSamplingServer.fromConfig(extension("adaptive: {}\ncollector_grpc: {endpoint: 0.0.0.0:5779}")))
        .hasMessageStartingWith("extensions.remote_sampling.collector_grpc.endpoint: ")
        .hasMessageEndingWith("(expected: a port other than grpc.endpoint's, or collector_grpc.enabled: false)");
  }

  private static ConfigNode extension(String yaml) {
    return SpanloomConfig.parse("""
        extensions:
          remote_sampling:
        %s
        service:
          extensions: [remote_sampling]
          pipelines:
            traces: {receivers: [otlp], exporters: [store]}
        receivers: {otlp: {protocols: {grpc: {}}}}
        exporters: {store: {}}
        """.formatted(yaml.indent(4).stripTrailing()), "test").root();
  }

  private static Sampling.SamplingStrategyResponse strategyOverGrpc(int port, String service) throws InterruptedException {
    io.grpc.ManagedChannel channel = io.grpc.ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      return SamplingManagerGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
          .getSamplingStrategy(Sampling.SamplingStrategyParameters.newBuilder().setServiceName(service).build());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
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
