package dev.spanloom.it.jaeger;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.extension.trace.jaeger.sampler.JaegerRemoteSampler;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real OpenTelemetry Java {@code JaegerRemoteSampler} (1.55.0, its own OkHttp gRPC client)
 * pulls strategies from a Jaeger strategies file that Spanloom serves, and its decisions follow
 * them: probability 0 drops every root span, 1 keeps every one, a per-operation strategy decides
 * by span name with the SDK's own {@code TraceIdRatioBased} for the default.
 */
class JaegerRemoteSamplerFileStrategyTest {
  private static final String STRATEGIES = """
      {
        "service_strategies": [
          {"service": "never", "type": "probabilistic", "param": 0.0},
          {"service": "always", "type": "probabilistic", "param": 1.0},
          {"service": "checkout", "type": "probabilistic", "param": 0.5,
           "operation_strategies": [
             {"operation": "GET /health", "type": "probabilistic", "param": 0.0},
             {"operation": "POST /pay", "type": "probabilistic", "param": 1.0}]},
          {"service": "batch-jobs", "type": "ratelimiting", "param": 5}
        ],
        "default_strategy": {"type": "probabilistic", "param": 0.25}
      }
      """;
  private static final int ROOTS = 2_000;
  private static final String RATIO_PARENT_BASED_SUFFIX = ",remoteParentSampled:AlwaysOnSampler,remoteParentNotSampled:AlwaysOffSampler,"
      + "localParentSampled:AlwaysOnSampler,localParentNotSampled:AlwaysOffSampler}}";

  @TempDir static Path dir;
  private static SpanloomWithRemoteSampling spanloom;

  @BeforeAll
  static void start() throws Exception {
    Path file = dir.resolve("strategies.json");
    Files.writeString(file, STRATEGIES);
    spanloom = new SpanloomWithRemoteSampling("file: {path: " + file + "}");
  }

  @AfterAll
  static void stop() {
    if (spanloom != null) spanloom.close();
  }

  @Test
  void probabilityZeroDropsEveryRootSpan() throws Exception {
    try (JaegerRemoteSampler sampler = spanloom.pulledSampler("never")) {
      assertThat(sampler.getDescription())
          .isEqualTo("JaegerRemoteSampler{ParentBased{root:TraceIdRatioBased{0.000000}" + RATIO_PARENT_BASED_SUFFIX);
      assertThat(sampledRoots(sampler, "GET /anything")).isZero();
    }
  }

  @Test
  void probabilityOneSamplesEveryRootSpan() throws Exception {
    try (JaegerRemoteSampler sampler = spanloom.pulledSampler("always")) {
      assertThat(sampler.getDescription())
          .isEqualTo("JaegerRemoteSampler{ParentBased{root:TraceIdRatioBased{1.000000}" + RATIO_PARENT_BASED_SUFFIX);
      assertThat(sampledRoots(sampler, "GET /anything")).isEqualTo(ROOTS);
    }
  }

  @Test
  void perOperationStrategyDecidesBySpanNameInARealTracer() throws Exception {
    try (JaegerRemoteSampler sampler = spanloom.pulledSampler("checkout")) {
      assertThat(sampler.getDescription()).startsWith("JaegerRemoteSampler{ParentBased{root:PerOperationSampler{"
          + "default=TraceIdRatioBased{0.500000}, perOperation={GET /health=TraceIdRatioBased{0.000000}, "
          + "POST /pay=TraceIdRatioBased{1.000000}}}");
      SdkTracerProvider provider = SdkTracerProvider.builder()
          .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "checkout")))
          .setSampler(sampler)
          .build();
      try {
        Tracer tracer = provider.get("dev.spanloom.it.jaeger");
        int health = 0;
        int pay = 0;
        int other = 0;
        for (int i = 0; i < ROOTS; i++) {
          if (startAndEndRoot(tracer, "GET /health")) health++;
          if (startAndEndRoot(tracer, "POST /pay")) pay++;
          if (startAndEndRoot(tracer, "GET /cart")) other++;
        }
        assertThat(health).isZero();
        assertThat(pay).isEqualTo(ROOTS);
        // 0.5 of 2,000: mean 1,000, sigma 22; six sigma either way.
        assertThat(other).isBetween(866, 1134);
      } finally {
        provider.shutdown();
      }
    }
  }

  @Test
  void defaultOperationsDecideExactlyAsTheSdksTraceIdRatioBased() throws Exception {
    try (JaegerRemoteSampler sampler = spanloom.pulledSampler("checkout")) {
      Sampler half = Sampler.traceIdRatioBased(0.5);
      for (int i = 0; i < ROOTS; i++) {
        String traceId = IdGenerator.random().generateTraceId();
        assertThat(decision(sampler, traceId, "GET /cart")).as(traceId).isEqualTo(decision(half, traceId, "GET /cart"));
      }
    }
  }

  @Test
  void rateLimitingStrategyAndTheDefaultStrategyArePulledToo() throws Exception {
    try (JaegerRemoteSampler limited = spanloom.pulledSampler("batch-jobs");
        JaegerRemoteSampler unknown = spanloom.pulledSampler("not-in-the-file")) {
      assertThat(limited.getDescription()).startsWith("JaegerRemoteSampler{ParentBased{root:RateLimitingSampler{5.00}");
      // A token bucket of 5 per second, full at start: a burst of 2,000 roots keeps only a handful.
      assertThat(sampledRoots(limited, "nightly")).isBetween(1, 10);
      assertThat(unknown.getDescription())
          .isEqualTo("JaegerRemoteSampler{ParentBased{root:TraceIdRatioBased{0.250000}" + RATIO_PARENT_BASED_SUFFIX);
    }
  }

  @Test
  void pullsTheSameStrategyFromTheJaegerCollectorPort() throws Exception {
    try (JaegerRemoteSampler on5779 = spanloom.pulledSampler("checkout");
        JaegerRemoteSampler on14250 = SpanloomWithRemoteSampling.pulled(
            SpanloomWithRemoteSampling.sampler(spanloom.server.remoteSampling().collectorGrpcPort(), "checkout"))) {
      assertThat(on14250.getDescription()).isEqualTo(on5779.getDescription());
    }
  }

  private static int sampledRoots(Sampler sampler, String name) {
    int sampled = 0;
    for (int i = 0; i < ROOTS; i++) {
      if (decision(sampler, IdGenerator.random().generateTraceId(), name) == SamplingDecision.RECORD_AND_SAMPLE) sampled++;
    }
    return sampled;
  }

  private static SamplingDecision decision(Sampler sampler, String traceId, String name) {
    return sampler.shouldSample(Context.root(), traceId, name, SpanKind.SERVER, Attributes.empty(), List.of()).getDecision();
  }

  private static boolean startAndEndRoot(Tracer tracer, String name) {
    io.opentelemetry.api.trace.Span span = tracer.spanBuilder(name).setNoParent().setSpanKind(SpanKind.SERVER).startSpan();
    span.end();
    return span.getSpanContext().isSampled();
  }
}
