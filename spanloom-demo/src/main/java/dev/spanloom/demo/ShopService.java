package dev.spanloom.demo;

import static dev.spanloom.demo.Conventions.DEPLOYMENT_ENVIRONMENT;
import static dev.spanloom.demo.Conventions.HTTP_REQUEST_METHOD;
import static dev.spanloom.demo.Conventions.HTTP_RESPONSE_STATUS_CODE;
import static dev.spanloom.demo.Conventions.HTTP_ROUTE;
import static dev.spanloom.demo.Conventions.PEER_SERVICE;
import static dev.spanloom.demo.Conventions.SERVER_ADDRESS;
import static dev.spanloom.demo.Conventions.SERVER_PORT;
import static dev.spanloom.demo.Conventions.SERVICE_NAME;
import static dev.spanloom.demo.Conventions.SERVICE_VERSION;
import static dev.spanloom.demo.Conventions.URL_FULL;
import static dev.spanloom.demo.Conventions.URL_PATH;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One simulated service: its own {@link SdkTracerProvider} (resource {@code service.name},
 * {@code service.version}, {@code deployment.environment=demo}), an HTTP server on loopback
 * whose handlers run inside a SERVER span continued from the request's W3C
 * {@code traceparent}/{@code tracestate}, and an HTTP client whose CLIENT spans inject them.
 * Propagation is the SDK's {@link W3CTraceContextPropagator}, never hand-made headers.
 */
final class ShopService implements AutoCloseable {
  static final TextMapPropagator PROPAGATOR = W3CTraceContextPropagator.getInstance();
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  private static final TextMapGetter<HttpExchange> REQUEST_HEADERS = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(HttpExchange exchange) {
      return exchange.getRequestHeaders().keySet();
    }

    @Override
    public String get(HttpExchange exchange, String key) {
      return exchange == null ? null : exchange.getRequestHeaders().getFirst(key);
    }
  };

  /** A request as a handler sees it. */
  record Request(String method, String path, String body) {}

  /** What a handler answers. */
  record Response(int status, String body) {}

  /** Runs inside the request's SERVER span; a {@link ShopException} answers its status. */
  interface Handler {
    Response handle(Request request) throws Exception;
  }

  final String name;
  final String version;
  private final SdkTracerProvider tracerProvider;
  final Tracer tracer;
  private final Random random;
  private final HttpServer server;
  private final ExecutorService serverThreads;
  private final ExecutorService clientThreads;
  private final HttpClient client;

  ShopService(String name, String version, SpanExporter exporter, long seed) {
    this.name = name;
    this.version = version;
    this.tracerProvider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
            SERVICE_NAME, name, SERVICE_VERSION, version, DEPLOYMENT_ENVIRONMENT, "demo"))))
        .setSampler(Sampler.parentBased(ThresholdZeroSampler.INSTANCE))
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(Duration.ofMillis(500)).build())
        .build();
    this.tracer = tracerProvider.get("dev.spanloom.demo", version);
    this.random = new Random(seed ^ name.hashCode());
    try {
      this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(name + ": cannot open an HTTP server on loopback", e);
    }
    this.serverThreads = Executors.newFixedThreadPool(32, daemonThreads(name + "-http"));
    server.setExecutor(serverThreads);
    this.clientThreads = Executors.newCachedThreadPool(daemonThreads(name + "-client"));
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CALL_TIMEOUT)
        .executor(clientThreads).build();
  }

  static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Serves {@code route} (a path prefix; {@code template} names it in spans, e.g. {@code /orders/{id}}). */
  void route(String method, String prefix, String template, Handler handler) {
    server.createContext(prefix, exchange -> serve(exchange, method, template, handler));
  }

  void start() {
    server.start();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port() + path);
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** This service's own seeded randomness: latencies and faults. */
  Random random() {
    return random;
  }

  private void serve(HttpExchange exchange, String method, String template, Handler handler) throws IOException {
    try (exchange) {
      String body;
      try (InputStream in = exchange.getRequestBody()) {
        body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (!exchange.getRequestMethod().equals(method)) {
        respond(exchange, 405, "");
        return;
      }
      Context parent = PROPAGATOR.extract(Context.root(), exchange, REQUEST_HEADERS);
      String path = exchange.getRequestURI().getPath();
      Span span = tracer.spanBuilder(method + " " + template).setParent(parent).setSpanKind(SpanKind.SERVER)
          .setAttribute(HTTP_REQUEST_METHOD, method).setAttribute(HTTP_ROUTE, template).setAttribute(URL_PATH, path)
          .setAttribute(SERVER_ADDRESS, "127.0.0.1").setAttribute(SERVER_PORT, (long) port())
          .startSpan();
      Response response;
      try (Scope ignored = span.makeCurrent()) {
        response = handler.handle(new Request(method, path, body));
      } catch (ShopException e) {
        span.recordException(e);
        response = new Response(e.status, e.getMessage());
      } catch (Exception e) {
        span.recordException(e);
        response = new Response(500, e.toString());
      }
      span.setAttribute(HTTP_RESPONSE_STATUS_CODE, (long) response.status());
      // A server's 4xx is the caller's fault, not this span's (semantic conventions); 5xx is.
      if (response.status() >= 500) span.setStatus(StatusCode.ERROR);
      try {
        respond(exchange, response.status(), response.body());
      } finally {
        span.end();
      }
    }
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("content-type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /**
   * Calls another service (or an uninstrumented peer when {@code peerService} is not null) in a
   * CLIENT span, with the span's context injected as {@code traceparent}/{@code tracestate}.
   * A transport failure is answered as a 502 {@link ShopException}.
   */
  Response call(String method, URI uri, String template, String body, String peerService) {
    var builder = tracer.spanBuilder(method + " " + template).setSpanKind(SpanKind.CLIENT)
        .setAttribute(HTTP_REQUEST_METHOD, method).setAttribute(URL_FULL, uri.toString())
        .setAttribute(SERVER_ADDRESS, uri.getHost()).setAttribute(SERVER_PORT, (long) uri.getPort());
    if (peerService != null) builder.setAttribute(PEER_SERVICE, peerService);
    Span span = builder.startSpan();
    try (Scope ignored = span.makeCurrent()) {
      HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(CALL_TIMEOUT)
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      PROPAGATOR.inject(Context.current(), request, HttpRequest.Builder::setHeader);
      HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      span.setAttribute(HTTP_RESPONSE_STATUS_CODE, (long) response.statusCode());
      // For a client every 4xx and 5xx is a failed call (semantic conventions).
      if (response.statusCode() >= 400) span.setStatus(StatusCode.ERROR);
      return new Response(response.statusCode(), response.body());
    } catch (IOException e) {
      span.recordException(e);
      span.setStatus(StatusCode.ERROR);
      throw new ShopException(502, name + ": " + uri + " unreachable: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      span.setStatus(StatusCode.ERROR, "interrupted");
      throw new ShopException(503, name + ": interrupted");
    } finally {
      span.end();
    }
  }

  /** Sleeps between {@code minMs} and {@code maxMs}, skewed toward the low end as real latencies are. */
  void work(int minMs, int maxMs) {
    double u = random.nextDouble();
    sleep(minMs + (long) ((maxMs - minMs) * u * u));
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ShopException(503, "interrupted");
    }
  }

  /** Waits until every span ended so far is exported. */
  boolean flush() {
    return tracerProvider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess();
  }

  @Override
  public void close() {
    server.stop(0);
    serverThreads.shutdownNow();
    clientThreads.shutdownNow();
    tracerProvider.shutdown().join(10, TimeUnit.SECONDS);
  }

  @Override
  public String toString() {
    return name + "@127.0.0.1:" + port();
  }

  /**
   * Samples every trace and writes OTEP 235's threshold {@code ot=th:0} (probability 1) into
   * the root's {@code tracestate}, so each hop propagates a real {@code tracestate} and a
   * backend can read the sampling probability.
   */
  enum ThresholdZeroSampler implements Sampler {
    INSTANCE;

    @Override
    public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind,
        Attributes attributes, List<LinkData> parentLinks) {
      return new SamplingResult() {
        @Override
        public io.opentelemetry.sdk.trace.samplers.SamplingDecision getDecision() {
          return io.opentelemetry.sdk.trace.samplers.SamplingDecision.RECORD_AND_SAMPLE;
        }

        @Override
        public Attributes getAttributes() {
          return Attributes.empty();
        }

        @Override
        public TraceState getUpdatedTraceState(TraceState parentTraceState) {
          return parentTraceState.toBuilder().put("ot", "th:0").build();
        }
      };
    }

    @Override
    public String getDescription() {
      return "AlwaysOn{tracestate=ot=th:0}";
    }
  }
}
