package dev.spanloom.server;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.encoding.DecodingService;
import com.linecorp.armeria.server.grpc.GrpcService;
import dev.spanloom.pipeline.ComponentRegistry;
import dev.spanloom.pipeline.IngestQueue;
import dev.spanloom.pipeline.PipelineGraph;
import dev.spanloom.pipeline.SpanConsumer;
import dev.spanloom.pipeline.config.ConfigException;
import dev.spanloom.pipeline.config.ConfigNode;
import dev.spanloom.pipeline.connector.ServiceGraphConnector;
import dev.spanloom.pipeline.metrics.SpanMetricsView;
import dev.spanloom.pipeline.servicegraph.ServiceGraphEdges;
import dev.spanloom.server.api.JaegerApi;
import dev.spanloom.server.api.RedApi;
import dev.spanloom.server.api.RedHistory;
import dev.spanloom.server.api.SearchSettings;
import dev.spanloom.server.api.ServiceGraphApi;
import dev.spanloom.server.api.ServiceGraphQuery;
import dev.spanloom.server.api.TempoApi;
import dev.spanloom.server.api.TempoSearchApi;
import dev.spanloom.server.api.WebUi;
import dev.spanloom.server.api.ZipkinApi;
import dev.spanloom.server.config.Endpoint;
import dev.spanloom.server.exporter.ExporterMetrics;
import dev.spanloom.server.exporter.OtlpExporter;
import dev.spanloom.server.config.SpanloomConfig;
import dev.spanloom.server.exporter.PrometheusExporter;
import dev.spanloom.server.receiver.JaegerThriftHttpService;
import dev.spanloom.server.receiver.OtlpGrpcService;
import dev.spanloom.server.receiver.OtlpHttpService;
import dev.spanloom.server.receiver.ReceiverIngest;
import dev.spanloom.server.receiver.ReceiverMetrics;
import dev.spanloom.server.receiver.ZipkinHttpService;
import dev.spanloom.server.sampling.RemoteSamplingServer;
import dev.spanloom.server.sampling.SamplingMetrics;
import dev.spanloom.server.slo.SloConfig;
import dev.spanloom.server.slo.SloEngine;
import dev.spanloom.server.slo.SloSubsystem;
import dev.spanloom.storage.StorageComponent;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spanloom assembled: storage, the pipeline graph behind the byte-bounded ingest queue, one
 * server per receiver endpoint, and the query API. Built from a checked configuration, so a bad
 * key fails in the constructor; sockets and threads start in {@link #start()} and stop in
 * {@link #close()}, in reverse order.
 */
public final class SpanloomServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SpanloomServer.class);
  private static final long MIB = 1024 * 1024;

  private final StorageComponent storage;
  private final PipelineGraph graph;
  private final IngestQueue queue;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Map<String, Server> receiverServers = new LinkedHashMap<>();
  private final Server queryServer;
  private final SearchSettings searchSettings;
  private final RedHistory redHistory; // null without a spanmetrics connector
  private final ServiceGraphQuery serviceGraph;
  private final Counter searches = Counter.builder().name("spanloom_query_frontend_queries")
      .help("Searches answered, by operation.").labelNames("op").register(registry);
  private final Counter searchesWithinSlo = Counter.builder().name("spanloom_query_frontend_queries_within_slo")
      .help("Searches answered within query_frontend.search.duration_slo or throughput_bytes_slo.")
      .labelNames("op").register(registry);
  private final RemoteSamplingServer remoteSampling; // null unless service.extensions enables it
  private final Server jaegerQueryServer;
  // Zipkin's read API; the very server of a zipkin receiver on the same endpoint, as on a Zipkin server.
  private final Server zipkinQueryServer;
  private final boolean zipkinQueryShared;
  private final SloSubsystem slo;
  private boolean started;

  public SpanloomServer(SpanloomConfig config) {
    this(config, UnaryOperator.identity());
  }

  /**
   * With component types added by an embedding program: {@code extraComponents} may register
   * processors, exporters and connectors beside the built-in ones.
   */
  public SpanloomServer(SpanloomConfig config, UnaryOperator<ComponentRegistry> extraComponents) {
    this(config, extraComponents, Clock.systemUTC(), SloEngine.Ticker.scheduled());
  }

  /** With the clock and ticker SLO evaluation runs on: tests drive evaluations by hand. */
  public SpanloomServer(SpanloomConfig config, UnaryOperator<ComponentRegistry> extraComponents, Clock sloClock,
      SloEngine.Ticker sloTicker) {
    ConfigNode root = config.root();
    SloConfig sloConfig = config.slo();
    storage = StorageFactory.create(config);
    ComponentRegistry components = extraComponents.apply(ComponentRegistry.withBuiltins()
        .receiver("otlp")
        .receiver("jaeger")
        .receiver("zipkin")
        .exporter(StoreExporter.TYPE, node -> new StoreExporter(storage.writer()))
        .exporter(OtlpExporter.GRPC_TYPE, OtlpExporter::grpcFromConfig)
        .exporter(OtlpExporter.HTTP_TYPE, OtlpExporter::httpFromConfig)
        .metricsExporter(PrometheusExporter.TYPE, PrometheusExporter::fromConfig));
    graph = PipelineGraph.build(root, components);
    slo = SloSubsystem.create(sloConfig, graph, sloClock, sloTicker);

    ConfigNode queueConfig = config.ingestQueue();
    long maxBytes = queueConfig.bytes("max_bytes", 128 * MIB);
    if (maxBytes <= 0) throw queueConfig.invalid("max_bytes", maxBytes, "> 0");
    int workers = queueConfig.intValue("workers", 2);
    if (workers <= 0) throw queueConfig.invalid("workers", workers, "> 0");
    queue = new IngestQueue(maxBytes, workers);

    ReceiverMetrics receiverMetrics = new ReceiverMetrics(registry);
    Map<String, EndpointServer> zipkinReceivers = new LinkedHashMap<>();
    remoteSampling = RemoteSamplingServer.fromConfig(root);
    for (String receiverId : graph.receiverIds()) {
      ReceiverIngest ingest = new ReceiverIngest(receiverId, queue, observed(graph.receiverEntry(receiverId)), receiverMetrics);
      ConfigNode receiver = root.child("receivers").child(receiverId);
      switch (receiverId.split("/", 2)[0]) {
        case "jaeger": buildJaegerReceiver(receiver, ingest); break;
        case "zipkin": zipkinReceivers.put(receiver.path(), zipkinReceiver(receiver, ingest)); break;
        default: buildOtlpReceiver(receiver, ingest);
      }
    }
    searchSettings = SearchSettings.fromConfig(root.child("query_frontend").child("search"));
    // The RED API reads the connector the SLOs read (slo.connector), so the UI's service page and
    // its SLO page agree; without SLOs, the first span-metrics connector.
    List<SpanMetricsView> spanMetrics = graph.components(SpanMetricsView.class);
    SpanMetricsView redView = slo.engine() != null ? slo.engine().view() : spanMetrics.isEmpty() ? null : spanMetrics.get(0);
    redHistory = redView == null ? null : new RedHistory(redView);
    List<ServiceGraphConnector> serviceGraphs = graph.components(ServiceGraphConnector.class);
    // The dependency APIs draw the graph a running servicegraph connector counts, with its settings.
    serviceGraph = new ServiceGraphQuery(storage.reader(),
        serviceGraphs.isEmpty() ? ServiceGraphEdges.DEFAULT : serviceGraphs.get(0).edges());
    queryServer = buildQueryServer(config.queryEndpoint());
    jaegerQueryServer = buildJaegerQueryServer(config.jaegerQueryEndpoint());
    Endpoint zipkinQuery = config.zipkinQueryEndpoint();
    EndpointServer zipkinShared = zipkinReceivers.values().stream()
        .filter(r -> r.endpoint().equals(zipkinQuery)).findFirst().orElse(null);
    zipkinQueryShared = zipkinShared != null;
    ServerBuilder zipkinQueryBuilder = zipkinQueryShared ? zipkinShared.builder() : serverBuilder(zipkinQuery);
    new ZipkinApi(storage.reader(), serviceGraph).mount(zipkinQueryBuilder);
    Server zipkinQueryOwn = zipkinQueryShared ? null : zipkinQueryBuilder.build();
    Server shared = null;
    for (Map.Entry<String, EndpointServer> r : zipkinReceivers.entrySet()) {
      Server server = r.getValue().builder().build();
      receiverServers.put(r.getKey(), server);
      if (r.getValue() == zipkinShared) shared = server;
    }
    zipkinQueryServer = zipkinQueryShared ? shared : zipkinQueryOwn;
    registerSelfMetrics();
  }

  private void buildOtlpReceiver(ConfigNode otlp, ReceiverIngest ingest) {
    otlp.requireKnownKeys(Set.of("protocols"));
    ConfigNode protocols = otlp.child("protocols").requireKnownKeys(Set.of("grpc", "http"));
    if (protocols.isEmpty()) {
      throw new ConfigException(protocols.path() + ": empty (expected: grpc, http or both)");
    }
    if (protocols.keys().contains("grpc")) {
      ConfigNode grpc = protocols.child("grpc").requireKnownKeys(Set.of("endpoint", "max_recv_msg_size_mib", "transport"));
      Endpoint endpoint = Endpoint.parse(grpc.pathOf("endpoint"), grpc.string("endpoint", "0.0.0.0:4317"));
      long maxMib = grpc.longValue("max_recv_msg_size_mib", 4);
      if (maxMib <= 0 || maxMib > 1024) throw grpc.invalid("max_recv_msg_size_mib", maxMib, "1 to 1024");
      GrpcService service = GrpcService.builder()
          .addService(new OtlpGrpcService(ingest))
          .maxRequestMessageLength((int) (maxMib * MIB))
          .build();
      // No HTTP-level cap: gRPC's deframer refuses an oversized message from its length prefix
      // with RESOURCE_EXHAUSTED, which SDKs understand; an HTTP-level cap would reset the stream.
      ServerBuilder sb = serverBuilder(endpoint).service(service).maxRequestLength(0);
      receiverServers.put(grpc.path(), sb.build());
    }
    if (protocols.keys().contains("http")) {
      ConfigNode http = protocols.child("http").requireKnownKeys(Set.of("endpoint", "max_request_body_size", "traces_url_path", "cors"));
      Endpoint endpoint = Endpoint.parse(http.pathOf("endpoint"), http.string("endpoint", "0.0.0.0:4318"));
      long maxBody = http.bytes("max_request_body_size", 20 * MIB);
      if (maxBody <= 0) throw http.invalid("max_request_body_size", maxBody, "> 0");
      String path = http.string("traces_url_path", "/v1/traces");
      OtlpHttpService service = new OtlpHttpService(ingest);
      ServerBuilder sb = serverBuilder(endpoint).maxRequestLength(maxBody).errorHandler(service.tooLargeHandler(maxBody));
      sb.route().post(path).build(service.decorate(DecodingService.newDecorator()));
      receiverServers.put(http.path(), sb.build());
    }
  }

  /** A server not yet built, so that another API can still be mounted on its port. */
  private record EndpointServer(Endpoint endpoint, ServerBuilder builder) {}

  // The Collector's jaeger receiver; Spanloom takes thrift over HTTP, the protocol clients post to collectors.
  private void buildJaegerReceiver(ConfigNode jaeger, ReceiverIngest ingest) {
    jaeger.requireKnownKeys(Set.of("protocols"));
    ConfigNode protocols = jaeger.child("protocols");
    for (String protocol : protocols.keys()) {
      if (!protocol.equals("thrift_http")) {
        throw new ConfigException(protocols.pathOf(protocol)
            + ": not supported (expected: thrift_http; Spanloom takes Jaeger thrift over HTTP only)");
      }
    }
    if (protocols.isEmpty()) throw new ConfigException(protocols.path() + ": empty (expected: thrift_http)");
    ConfigNode http = protocols.child("thrift_http").requireKnownKeys(Set.of("endpoint", "max_request_body_size"));
    Endpoint endpoint = Endpoint.parse(http.pathOf("endpoint"), http.string("endpoint", "0.0.0.0:14268"));
    long maxBody = http.bytes("max_request_body_size", 20 * MIB);
    if (maxBody <= 0) throw http.invalid("max_request_body_size", maxBody, "> 0");
    ServerBuilder sb = serverBuilder(endpoint).maxRequestLength(maxBody);
    sb.route().post("/api/traces").build(new JaegerThriftHttpService(ingest).decorate(DecodingService.newDecorator()));
    receiverServers.put(http.path(), sb.build());
  }

  // The Collector's zipkin receiver: one endpoint, POST /api/v2/spans.
  private static EndpointServer zipkinReceiver(ConfigNode zipkin, ReceiverIngest ingest) {
    zipkin.requireKnownKeys(Set.of("endpoint", "parse_string_tags", "max_request_body_size"));
    if (zipkin.bool("parse_string_tags", false)) {
      throw zipkin.invalid("parse_string_tags", true, "false; Spanloom keeps Zipkin tags as strings");
    }
    Endpoint endpoint = Endpoint.parse(zipkin.pathOf("endpoint"), zipkin.string("endpoint", "0.0.0.0:9411"));
    long maxBody = zipkin.bytes("max_request_body_size", 20 * MIB);
    if (maxBody <= 0) throw zipkin.invalid("max_request_body_size", maxBody, "> 0");
    ServerBuilder sb = serverBuilder(endpoint).maxRequestLength(maxBody);
    sb.route().post("/api/v2/spans").build(new ZipkinHttpService(ingest).decorate(DecodingService.newDecorator()));
    return new EndpointServer(endpoint, sb);
  }

  private Server buildJaegerQueryServer(Endpoint endpoint) {
    ServerBuilder sb = serverBuilder(endpoint);
    new JaegerApi(storage.reader(), serviceGraph).mount(sb);
    new RedApi(redHistory).mount(sb); // the UI's RED view, beside Jaeger's API
    new ServiceGraphApi(serviceGraph, Clock.systemUTC()).mount(sb);
    JaegerApi.mountSampling(sb, remoteSampling == null ? null : remoteSampling.strategiesService());
    slo.mount(sb); // for the web UI served on this port
    // The web UI reads traces and searches through Tempo's API on its own origin.
    new TempoApi(storage.reader(), new TempoSearchApi(storage.reader(), Clock.systemUTC(),
        searchSettings, this::searched)).mountUiRoutes(sb);
    WebUi.mount(sb);
    return sb.build();
  }

  private void searched(long nanos, long inspectedBytes, boolean withinSlo) {
    searches.labelValues("search").inc();
    if (withinSlo) searchesWithinSlo.labelValues("search").inc();
  }

  private Server buildQueryServer(Endpoint endpoint) {
    ServerBuilder sb = serverBuilder(endpoint);
    new TempoApi(storage.reader(), new TempoSearchApi(storage.reader(), Clock.systemUTC(),
        searchSettings, this::searched)).mount(sb);
    slo.mount(sb);
    new RedApi(redHistory).mount(sb);
    new ServiceGraphApi(serviceGraph, Clock.systemUTC()).mount(sb);
    sb.service("/ready", (ctx, req) -> isReady()
        ? HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, "ready")
        : HttpResponse.of(HttpStatus.SERVICE_UNAVAILABLE, MediaType.PLAIN_TEXT_UTF_8, "not ready"));
    sb.service("/metrics", (ctx, req) -> {
      ExpositionFormatWriter writer = ExpositionFormats.init().findWriter(req.headers().get("accept"));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try {
        writer.write(out, registry.scrape());
      } catch (IOException e) {
        return HttpResponse.of(HttpStatus.INTERNAL_SERVER_ERROR);
      }
      return HttpResponse.of(HttpStatus.OK, MediaType.parse(writer.getContentType()), out.toByteArray());
    });
    return sb.build();
  }

  private static ServerBuilder serverBuilder(Endpoint endpoint) {
    return Server.builder()
        .http(endpoint.address())
        .gracefulShutdownTimeout(Duration.ZERO, Duration.ofSeconds(5));
  }

  private void registerSelfMetrics() {
    GaugeWithCallback.builder().name("spanloom_ingest_queue_bytes")
        .help("Bytes of spans taken by receivers and not yet finished by the pipeline.")
        .callback(cb -> cb.call(queue.bytesInFlight())).register(registry);
    GaugeWithCallback.builder().name("spanloom_ingest_queue_capacity_bytes")
        .help("The ingest queue's bound (service.ingest_queue.max_bytes).")
        .callback(cb -> cb.call(queue.maxBytes())).register(registry);
    GaugeWithCallback.builder().name("spanloom_ingest_queue_requests")
        .help("Requests waiting for a pipeline worker.")
        .callback(cb -> cb.call(queue.depth())).register(registry);
    SamplingMetrics.register(registry, graph);
    slo.registerMetrics(registry);
    ExporterMetrics.register(registry, graph);
    JvmMetrics.builder().register(registry);
  }

  /** What ingest hands to the pipeline, seen first by adaptive sampling when it is on. */
  private SpanConsumer observed(SpanConsumer entry) {
    return remoteSampling == null ? entry : remoteSampling.observing(entry);
  }

  /** Jaeger remote sampling (5778/5779/14250), or null when not enabled. */
  public RemoteSamplingServer remoteSampling() {
    return remoteSampling;
  }

  public synchronized void start() {
    if (started) return;
    started = true;
    storage.start();
    graph.start();
    slo.start();
    if (redHistory != null) redHistory.start();
    queue.start();
    for (Server s : receiverServers.values()) s.start().join();
    queryServer.start().join();
    if (remoteSampling != null) remoteSampling.start();
    jaegerQueryServer.start().join();
    if (!zipkinQueryShared) zipkinQueryServer.start().join();
    LOG.info("event=started storage={} {} receivers={} query_port={} jaeger_query_port={} zipkin_query_port={}",
        storage, graph, receiverPorts(), queryPort(), jaegerQueryPort(), zipkinQueryPort());
  }

  public boolean isReady() {
    return started && storage.isReady() && graph.isReady() && queue.isReady();
  }

  /** The bound port of a receiver endpoint by its config path, e.g. {@code receivers.otlp.protocols.grpc}. */
  public int receiverPort(String configPath) {
    Server s = receiverServers.get(configPath);
    if (s == null) throw new IllegalArgumentException("no receiver endpoint " + configPath + " (have: " + receiverServers.keySet() + ")");
    return s.activeLocalPort();
  }

  public Map<String, Integer> receiverPorts() {
    Map<String, Integer> ports = new LinkedHashMap<>();
    receiverServers.forEach((k, s) -> ports.put(k, s.activeLocalPort()));
    return ports;
  }

  public int queryPort() {
    return queryServer.activeLocalPort();
  }

  /** The bound port of the Jaeger query API ({@code query.jaeger.endpoint}). */
  public int jaegerQueryPort() {
    return jaegerQueryServer.activeLocalPort();
  }

  /** The bound port of the Zipkin read API ({@code query.zipkin.endpoint}). */
  public int zipkinQueryPort() {
    return zipkinQueryServer.activeLocalPort();
  }

  /** Bytes the ingest queue holds now (taken, not yet stored). */
  public long queueBytesInFlight() {
    return queue.bytesInFlight();
  }

  /** Tempo's {@code query_frontend.search} settings in force. */
  public SearchSettings searchSettings() {
    return searchSettings;
  }

  /** The pipeline components of a type, e.g. a metrics exporter to ask for its port. */
  public <T> List<T> components(Class<T> type) {
    return graph.components(type);
  }

  public StorageComponent storage() {
    return storage;
  }

  /** The SLO engine, webhook and rules ({@code slo:}). */
  public SloSubsystem slo() {
    return slo;
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /** Stops taking requests, lets the pipeline finish what it took, then closes storage. */
  @Override
  public synchronized void close() {
    // Receivers and query APIs stop together: nothing new comes in, nothing reads storage any more.
    List<Server> servers = new ArrayList<>(receiverServers.values());
    servers.add(queryServer);
    servers.add(jaegerQueryServer);
    if (!zipkinQueryShared) servers.add(zipkinQueryServer);
    stopAll(servers);
    queue.close();
    slo.close();
    if (redHistory != null) redHistory.close();
    graph.close();
    if (remoteSampling != null) remoteSampling.close();
    storage.close();
    LOG.info("event=stopped");
  }

  // Together: each server's stop waits out its event loop's quiet period, ~2 s, which adds up one by one.
  private static void stopAll(List<Server> servers) {
    java.util.concurrent.CompletableFuture.allOf(
        servers.stream().map(Server::stop).toArray(java.util.concurrent.CompletableFuture[]::new)).join();
  }

  @Override
  public String toString() {
    return "Spanloom{storage=" + storage + ", " + graph + ", " + queue + ", " + slo + "}";
  }
}
