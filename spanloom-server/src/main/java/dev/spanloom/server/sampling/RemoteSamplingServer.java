package dev.spanloom.server.sampling;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.grpc.GrpcService;
import dev.spanloom.model.Span;
import dev.spanloom.model.context.OtelTraceState;
import dev.spanloom.model.context.TraceState;
import dev.spanloom.pipeline.SpanConsumer;
import dev.spanloom.pipeline.config.ConfigException;
import dev.spanloom.pipeline.config.ConfigNode;
import dev.spanloom.sampling.remote.AdaptiveSamplingCalculator;
import dev.spanloom.sampling.remote.SamplingStrategy;
import dev.spanloom.server.config.Endpoint;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.sdk.extension.trace.jaeger.proto.api_v2.Sampling;
import io.opentelemetry.sdk.extension.trace.jaeger.proto.api_v2.SamplingManagerGrpc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jaeger remote sampling, served to SDKs: HTTP {@code GET /?service=} (any path, as Jaeger's agent
 * on 5778) answering the {@code api_v2} JSON, and gRPC {@code
 * jaeger.api_v2.SamplingManager/GetSamplingStrategy} (5779, and 14250 where Jaeger's collector
 * serves it), which the OpenTelemetry SDK's {@code JaegerRemoteSampler} calls. The same HTTP
 * handler ({@link #strategiesService()}) is mounted on the Jaeger query port as {@code
 * /api/sampling}. Strategies come from a file in Jaeger's format or from the {@link
 * AdaptiveSamplingCalculator}, which learns from the root spans ingest hands to {@link #observing}.
 *
 * <p>Configured as Jaeger v2's {@code remote_sampling} extension: {@code extensions.remote_sampling}
 * with {@code file} or {@code adaptive}, {@code http.endpoint}, {@code grpc.endpoint} and
 * Spanloom's {@code collector_grpc} ({@code endpoint}, {@code enabled}), enabled when listed in
 * {@code service.extensions}. Sockets open in {@link #start()}.
 */
public final class RemoteSamplingServer implements AutoCloseable {
  public static final String TYPE = "remote_sampling";
  private static final Logger LOG = LoggerFactory.getLogger(RemoteSamplingServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SamplingStrategiesFile file; // null when adaptive
  private final AdaptiveSamplingCalculator adaptive; // null when from a file
  private final Endpoint httpEndpoint;
  private final Endpoint grpcEndpoint;
  private final Endpoint collectorGrpcEndpoint; // null when collector_grpc.enabled is false
  private final Server http;
  private final Server grpc;
  private final Server collectorGrpc; // null when collector_grpc.enabled is false
  private ScheduledExecutorService timer;

  private RemoteSamplingServer(SamplingStrategiesFile file, AdaptiveSamplingCalculator adaptive, Endpoint httpEndpoint,
      Endpoint grpcEndpoint, Endpoint collectorGrpcEndpoint) {
    this.file = file;
    this.adaptive = adaptive;
    this.httpEndpoint = httpEndpoint;
    this.grpcEndpoint = grpcEndpoint;
    this.collectorGrpcEndpoint = collectorGrpcEndpoint;
    this.http = Server.builder().http(httpEndpoint.address())
        .gracefulShutdownTimeout(Duration.ZERO, Duration.ofSeconds(2))
        .serviceUnder("/", strategiesService()).build();
    this.grpc = samplingManagerServer(grpcEndpoint);
    // Its own server, not a second port of the 5779 one, so each port is known and a Jaeger gRPC span
    // receiver on 14250 could later share this server as the Zipkin read API shares the receiver's.
    this.collectorGrpc = collectorGrpcEndpoint == null ? null : samplingManagerServer(collectorGrpcEndpoint);
  }

  private Server samplingManagerServer(Endpoint endpoint) {
    return Server.builder().http(endpoint.address())
        .gracefulShutdownTimeout(Duration.ZERO, Duration.ofSeconds(2))
        .service(GrpcService.builder().addService(new SamplingManagerGrpc.SamplingManagerImplBase() {
          @Override
          public void getSamplingStrategy(Sampling.SamplingStrategyParameters request,
              StreamObserver<Sampling.SamplingStrategyResponse> response) {
            response.onNext(proto(strategy(request.getServiceName())));
            response.onCompleted();
          }
        }).build()).build();
  }

  /**
   * {@code GET ?service=NAME} (any path) answering Jaeger's api_v2 JSON strategy, or 400 when
   * {@code service} is not given exactly once: served on 5778 and mounted on the Jaeger query
   * port as {@code /api/sampling}.
   */
  public HttpService strategiesService() {
    return (ctx, req) -> {
      List<String> services = ctx.queryParams().getAll("service");
      if (services.size() != 1 || services.get(0).isEmpty()) {
        return HttpResponse.of(HttpStatus.BAD_REQUEST, MediaType.PLAIN_TEXT_UTF_8, "'service' parameter must be provided once");
      }
      return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, JSON.writeValueAsString(json(strategy(services.get(0)))));
    };
  }

  /**
   * The extension enabled in {@code service.extensions}, or null when none is. Fails on bad
   * settings, naming the key.
   */
  public static RemoteSamplingServer fromConfig(ConfigNode root) {
    List<String> enabled = root.child("service").stringList("extensions");
    String id = enabled.stream().filter(e -> e.equals(TYPE) || e.startsWith(TYPE + "/")).findFirst().orElse(null);
    if (id == null) return null;
    ConfigNode c = root.child("extensions").child(id).requireKnownKeys(Set.of("file", "adaptive", "http", "grpc", "collector_grpc"));
    boolean hasFile = c.has("file");
    boolean hasAdaptive = c.has("adaptive");
    if (hasFile == hasAdaptive) throw new ConfigException(c.path() + ": " + (hasFile ? "both file and adaptive" : "neither file nor adaptive")
        + " (expected: exactly one strategy source)");
    Endpoint httpEndpoint = Endpoint.parse(c.child("http").pathOf("endpoint"),
        c.child("http").requireKnownKeys(Set.of("endpoint")).string("endpoint", "0.0.0.0:5778"));
    Endpoint grpcEndpoint = Endpoint.parse(c.child("grpc").pathOf("endpoint"),
        c.child("grpc").requireKnownKeys(Set.of("endpoint")).string("endpoint", "0.0.0.0:5779"));
    // Spanloom's own key: Jaeger's collector (v1) also served SamplingManager on its gRPC port, where agents ask.
    ConfigNode collector = c.child("collector_grpc").requireKnownKeys(Set.of("endpoint", "enabled"));
    Endpoint collectorGrpcEndpoint = collector.bool("enabled", true)
        ? Endpoint.parse(collector.pathOf("endpoint"), collector.string("endpoint", "0.0.0.0:14250")) : null;
    if (collectorGrpcEndpoint != null && collectorGrpcEndpoint.port() != 0 && collectorGrpcEndpoint.port() == grpcEndpoint.port()) {
      throw collector.invalid("endpoint", collectorGrpcEndpoint, "a port other than grpc.endpoint's, or collector_grpc.enabled: false");
    }
    if (hasFile) {
      ConfigNode f = c.child("file").requireKnownKeys(Set.of("path", "default_sampling_probability"));
      String path = f.string("path", "");
      if (path.isEmpty()) throw f.invalid("path", "", "the path of a Jaeger sampling strategies file");
      double p = f.number("default_sampling_probability", 0.001);
      if (!(p >= 0 && p <= 1)) throw f.invalid("default_sampling_probability", p, "0 to 1");
      return new RemoteSamplingServer(SamplingStrategiesFile.load(Path.of(path), f.pathOf("path"), p), null, httpEndpoint, grpcEndpoint,
          collectorGrpcEndpoint);
    }
    ConfigNode a = c.child("adaptive").requireKnownKeys(Set.of("target_samples_per_second", "delta_tolerance", "calculation_interval",
        "initial_sampling_probability", "min_sampling_probability", "min_samples_per_second"));
    AdaptiveSamplingCalculator.Options d = AdaptiveSamplingCalculator.Options.DEFAULTS;
    AdaptiveSamplingCalculator.Options options;
    try {
      options = new AdaptiveSamplingCalculator.Options(
          a.number("target_samples_per_second", d.targetSamplesPerSecond()),
          a.number("delta_tolerance", d.deltaTolerance()),
          a.duration("calculation_interval", d.calculationInterval()),
          a.number("initial_sampling_probability", d.initialSamplingProbability()),
          a.number("min_sampling_probability", d.minSamplingProbability()),
          a.number("min_samples_per_second", d.minSamplesPerSecond()));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(a.path() + "." + e.getMessage());
    }
    return new RemoteSamplingServer(null, new AdaptiveSamplingCalculator(options), httpEndpoint, grpcEndpoint, collectorGrpcEndpoint);
  }

  public void start() {
    http.start().join();
    grpc.start().join();
    if (collectorGrpc != null) collectorGrpc.start().join();
    if (adaptive != null) {
      timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "spanloom-adaptive-sampling");
        t.setDaemon(true);
        return t;
      });
      Duration interval = adaptive.options().calculationInterval();
      timer.scheduleAtFixedRate(() -> adaptive.recalculate(interval), interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }
    LOG.info("event=remote_sampling_started {} http_port={} grpc_port={} collector_grpc_port={}", this, httpPort(), grpcPort(),
        collectorGrpc == null ? "off" : collectorGrpcPort());
  }

  /** The strategy served to {@code service}. */
  public SamplingStrategy strategy(String service) {
    return file != null ? file.strategy(service) : adaptive.strategy(service);
  }

  /**
   * {@code next} with adaptive sampling learning from it: each root span counts for its service
   * and operation, with the probability its tracestate's {@code th} states. Without adaptive
   * sampling, {@code next} itself.
   */
  public SpanConsumer observing(SpanConsumer next) {
    if (adaptive == null) return next;
    return spans -> {
      for (Span s : spans) {
        if (!s.isRoot()) continue;
        double applied = Double.NaN;
        if (!s.traceState().isEmpty()) {
          var th = OtelTraceState.from(TraceState.parse(s.traceState())).threshold();
          if (th.isPresent()) applied = OtelTraceState.probabilityFromThreshold(th.getAsLong());
        }
        adaptive.record(s.serviceName(), s.name(), applied);
      }
      return next.consume(spans);
    };
  }

  public int httpPort() {
    return http.activeLocalPort();
  }

  public int grpcPort() {
    return grpc.activeLocalPort();
  }

  /** The bound port of {@code collector_grpc} (14250 by default). */
  public int collectorGrpcPort() {
    if (collectorGrpc == null) throw new IllegalStateException("collector_grpc.enabled is false: no SamplingManager on a collector port");
    return collectorGrpc.activeLocalPort();
  }

  @Override
  public void close() {
    if (timer != null) timer.shutdownNow();
    // Together: each stop waits out its event loop's quiet period.
    CompletableFuture.allOf(http.stop(), grpc.stop(),
        collectorGrpc == null ? CompletableFuture.completedFuture(null) : collectorGrpc.stop()).join();
  }

  /** Jaeger's api_v2 JSON, as its HTTP endpoints answer (protobuf JSON names). */
  static ObjectNode json(SamplingStrategy s) {
    ObjectNode out = JSON.createObjectNode();
    switch (s.type()) {
      case PROBABILISTIC -> {
        out.put("strategyType", "PROBABILISTIC");
        out.putObject("probabilisticSampling").put("samplingRate", s.param());
      }
      case RATE_LIMITING -> {
        out.put("strategyType", "RATE_LIMITING");
        out.putObject("rateLimitingSampling").put("maxTracesPerSecond", (int) s.param());
      }
      case PER_OPERATION -> {
        out.put("strategyType", "PROBABILISTIC");
        out.putObject("probabilisticSampling").put("samplingRate", s.param());
        ObjectNode ops = out.putObject("operationSampling");
        ops.put("defaultSamplingProbability", s.param());
        ops.put("defaultLowerBoundTracesPerSecond", s.defaultLowerBoundTracesPerSecond());
        ArrayNode list = ops.putArray("perOperationStrategies");
        for (Map.Entry<String, Double> e : s.operations().entrySet()) {
          ObjectNode op = list.addObject();
          op.put("operation", e.getKey());
          op.putObject("probabilisticSampling").put("samplingRate", e.getValue());
        }
      }
    }
    return out;
  }

  static Sampling.SamplingStrategyResponse proto(SamplingStrategy s) {
    Sampling.SamplingStrategyResponse.Builder b = Sampling.SamplingStrategyResponse.newBuilder();
    switch (s.type()) {
      case PROBABILISTIC -> b.setStrategyType(Sampling.SamplingStrategyType.PROBABILISTIC)
          .setProbabilisticSampling(Sampling.ProbabilisticSamplingStrategy.newBuilder().setSamplingRate(s.param()));
      case RATE_LIMITING -> b.setStrategyType(Sampling.SamplingStrategyType.RATE_LIMITING)
          .setRateLimitingSampling(Sampling.RateLimitingSamplingStrategy.newBuilder().setMaxTracesPerSecond((int) s.param()));
      case PER_OPERATION -> {
        Sampling.PerOperationSamplingStrategies.Builder ops = Sampling.PerOperationSamplingStrategies.newBuilder()
            .setDefaultSamplingProbability(s.param())
            .setDefaultLowerBoundTracesPerSecond(s.defaultLowerBoundTracesPerSecond());
        s.operations().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> ops.addPerOperationStrategies(
            Sampling.OperationSamplingStrategy.newBuilder().setOperation(e.getKey())
                .setProbabilisticSampling(Sampling.ProbabilisticSamplingStrategy.newBuilder().setSamplingRate(e.getValue()))));
        b.setStrategyType(Sampling.SamplingStrategyType.PROBABILISTIC)
            .setProbabilisticSampling(Sampling.ProbabilisticSamplingStrategy.newBuilder().setSamplingRate(s.param()))
            .setOperationSampling(ops);
      }
    }
    return b.build();
  }

  @Override
  public String toString() {
    return TYPE + "{source=" + (file != null ? file : adaptive) + ", http=" + httpEndpoint + ", grpc=" + grpcEndpoint
        + ", collector_grpc=" + (collectorGrpcEndpoint == null ? "off" : collectorGrpcEndpoint) + "}";
  }
}
