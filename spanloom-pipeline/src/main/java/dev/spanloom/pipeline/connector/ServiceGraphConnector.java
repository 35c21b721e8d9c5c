package dev.spanloom.pipeline.connector;

import dev.spanloom.model.Span;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.TraceId;
import dev.spanloom.pipeline.config.ConfigException;
import dev.spanloom.pipeline.config.ConfigNode;
import dev.spanloom.pipeline.metrics.MetricsConnector;
import dev.spanloom.pipeline.servicegraph.ServiceGraphEdge;
import dev.spanloom.pipeline.servicegraph.ServiceGraphEdges;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The Collector's {@code servicegraph} connector: the request count, failed count and client and
 * server latency of every edge of the service graph, as {@code traces_service_graph_*} series
 * with labels {@code client}, {@code server}, {@code connection_type} and the configured
 * dimensions ({@code client_<dim>}, {@code server_<dim>}).
 *
 * <p>Spans of kinds CLIENT, SERVER, PRODUCER and CONSUMER are held by trace for {@code store.ttl}
 * after the trace's first span arrived, then the trace's edges are found by {@link
 * ServiceGraphEdges} — the algorithm the dependency APIs use — and counted. At most {@code
 * store.max_items} spans are held; a span beyond is dropped and counted in {@code
 * traces_service_graph_dropped_spans_total}. Spans that found no partner by then are counted in
 * {@code traces_service_graph_unpaired_spans_total}. Series not updated for 15 minutes are
 * forgotten, as in the Collector.
 */
public final class ServiceGraphConnector implements MetricsConnector {
  public static final String TYPE = "servicegraph";

  /** The Collector's default buckets, in seconds. */
  static final double[] DEFAULT_BUCKETS_SECONDS = {
      0.002, 0.004, 0.006, 0.008, 0.01, 0.05, 0.1, 0.2, 0.4, 0.8, 1, 1.4, 2, 5, 10, 15};
  static final Duration STALE_SERIES = Duration.ofMinutes(15);
  private static final Set<String> KEYS = Set.of("latency_histogram_buckets", "dimensions", "store", "cache_loop",
      "store_expiration_loop", "virtual_node_peer_attributes", "database_name_attribute", "database_name_attributes",
      "metrics_flush_interval");

  private final ServiceGraphEdges edges;
  private final double[] boundsSeconds;
  private final List<String> dimensions;
  private final String[] clientDimensionLabels;
  private final String[] serverDimensionLabels;
  private final Duration ttl;
  private final int maxItems;
  private final Duration cacheLoop;
  private final Duration expirationLoop;
  private final Duration metricsFlushInterval;
  private final LongSupplier nanoTime;

  // Guarded by itself. Insertion order is first-arrival order, so expiry stops at the first live trace.
  private final LinkedHashMap<TraceId, HeldTrace> held = new LinkedHashMap<>();
  private int heldSpans;

  // Guarded by this. Lock order: held, then this.
  private final Map<Labels, EdgeSeries> series = new LinkedHashMap<>();
  private final Map<Labels, long[]> unpaired = new LinkedHashMap<>();
  private final Map<Labels, long[]> dropped = new LinkedHashMap<>();

  private ScheduledExecutorService timer;

  private static final class HeldTrace {
    final long firstSeenNanos;
    final List<Span> spans = new ArrayList<>();

    HeldTrace(long firstSeenNanos) {
      this.firstSeenNanos = firstSeenNanos;
    }
  }

  private final class EdgeSeries {
    final long createdMillis = System.currentTimeMillis();
    long updatedNanos;
    long requests;
    long failed;
    final Latency server = new Latency();
    final Latency client = new Latency();
  }

  private final class Latency {
    final long[] counts = new long[boundsSeconds.length + 1];
    double sumSeconds;

    void observe(long nanos) {
      if (nanos < 0) return; // that side has no span: nothing measured
      double seconds = nanos / 1e9;
      int i = Arrays.binarySearch(boundsSeconds, seconds);
      counts[i >= 0 ? i : -i - 1]++;
      sumSeconds += seconds;
    }
  }

  ServiceGraphConnector(ServiceGraphEdges edges, double[] boundsSeconds, List<String> dimensions, Duration ttl,
      int maxItems, Duration cacheLoop, Duration expirationLoop, Duration metricsFlushInterval, LongSupplier nanoTime) {
    this.edges = edges;
    this.boundsSeconds = boundsSeconds.clone();
    this.dimensions = List.copyOf(dimensions);
    this.clientDimensionLabels = this.dimensions.stream().map(d -> labelName("client_" + d)).toArray(String[]::new);
    this.serverDimensionLabels = this.dimensions.stream().map(d -> labelName("server_" + d)).toArray(String[]::new);
    this.ttl = ttl;
    this.maxItems = maxItems;
    this.cacheLoop = cacheLoop;
    this.expirationLoop = expirationLoop;
    this.metricsFlushInterval = metricsFlushInterval;
    this.nanoTime = nanoTime;
  }

  public static ServiceGraphConnector fromConfig(ConfigNode config) {
    return fromConfig(config, System::nanoTime);
  }

  /** As {@link #fromConfig(ConfigNode)}, on the given monotonic clock (tests pass their own). */
  static ServiceGraphConnector fromConfig(ConfigNode config, LongSupplier nanoTime) {
    config.requireKnownKeys(KEYS);
    ServiceGraphEdges edges = edgesFromConfig(config);
    double[] bounds = config.has("latency_histogram_buckets") ? buckets(config) : DEFAULT_BUCKETS_SECONDS;
    ConfigNode store = config.child("store").requireKnownKeys(Set.of("ttl", "max_items"));
    Duration ttl = positive(store, "ttl", Duration.ofSeconds(2));
    int maxItems = store.intValue("max_items", 1000);
    if (maxItems <= 0) throw store.invalid("max_items", maxItems, "> 0");
    return new ServiceGraphConnector(edges, bounds, config.stringList("dimensions"), ttl, maxItems,
        positive(config, "cache_loop", Duration.ofMinutes(1)),
        positive(config, "store_expiration_loop", Duration.ofSeconds(2)),
        config.duration("metrics_flush_interval", Duration.ofSeconds(60)), nanoTime);
  }

  /**
   * The edge algorithm a servicegraph connector's configuration asks for, so that the dependency
   * APIs draw the graph its metrics count: {@code virtual_node_peer_attributes} and {@code
   * database_name_attributes} (or the deprecated single {@code database_name_attribute}).
   */
  public static ServiceGraphEdges edgesFromConfig(ConfigNode config) {
    List<String> peers = config.has("virtual_node_peer_attributes")
        ? config.stringList("virtual_node_peer_attributes") : ServiceGraphEdges.DEFAULT_PEER_ATTRIBUTES;
    List<String> databases = ServiceGraphEdges.DEFAULT_DATABASE_NAME_ATTRIBUTES;
    if (config.has("database_name_attributes")) {
      if (config.has("database_name_attribute")) {
        throw new ConfigException(config.pathOf("database_name_attribute")
            + ": set together with database_name_attributes (expected: only database_name_attributes)");
      }
      databases = config.stringList("database_name_attributes");
    } else if (config.has("database_name_attribute")) {
      databases = List.of(config.string("database_name_attribute", "db.name"));
    }
    return new ServiceGraphEdges(peers, databases);
  }

  private static double[] buckets(ConfigNode config) {
    List<String> raw = config.stringList("latency_histogram_buckets");
    if (raw.isEmpty()) throw config.invalid("latency_histogram_buckets", raw, "at least one duration such as 100ms");
    double[] out = new double[raw.size()];
    for (int i = 0; i < raw.size(); i++) {
      String key = "latency_histogram_buckets[" + i + "]";
      Duration d;
      try {
        d = ConfigNode.root(Map.of("v", raw.get(i))).duration("v", null);
      } catch (ConfigException e) {
        throw config.invalid(key, raw.get(i), "a duration such as 2ms, 100ms or 1.5s");
      }
      out[i] = d.toNanos() / 1e9;
      if (out[i] <= 0) throw config.invalid(key, raw.get(i), "> 0");
      if (i > 0 && out[i] <= out[i - 1]) throw config.invalid(key, raw.get(i), "greater than the bucket before it");
    }
    return out;
  }

  private static Duration positive(ConfigNode config, String key, Duration defaultValue) {
    Duration d = config.duration(key, defaultValue);
    if (d.isZero() || d.isNegative()) throw config.invalid(key, config.string(key, ""), "> 0s");
    return d;
  }

  /** The algorithm this connector finds edges with. */
  public ServiceGraphEdges edges() {
    return edges;
  }

  @Override
  public CompletableFuture<Void> consume(List<Span> spans) {
    long now = nanoTime.getAsLong();
    List<Span> overflow = null;
    synchronized (held) {
      for (Span s : spans) {
        if (!isEdgeSide(s.kind())) continue;
        if (heldSpans >= maxItems) {
          if (overflow == null) overflow = new ArrayList<>();
          overflow.add(s);
          continue;
        }
        held.computeIfAbsent(s.traceId(), id -> new HeldTrace(now)).spans.add(s);
        heldSpans++;
      }
    }
    if (overflow != null) {
      synchronized (this) {
        for (Span s : overflow) dropped.computeIfAbsent(sideLabels(s), k -> new long[1])[0]++;
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  /** Counts the edges of every trace held for {@code store.ttl} or longer; the store loop runs this. */
  void expire() {
    long now = nanoTime.getAsLong();
    List<HeldTrace> due = new ArrayList<>();
    synchronized (held) {
      for (Iterator<HeldTrace> it = held.values().iterator(); it.hasNext(); ) {
        HeldTrace t = it.next();
        if (now - t.firstSeenNanos < ttl.toNanos()) break;
        it.remove();
        heldSpans -= t.spans.size();
        due.add(t);
      }
    }
    count(due, now);
  }

  /** Forgets series not updated for 15 minutes; the cache loop runs this. */
  synchronized void forgetStaleSeries() {
    long now = nanoTime.getAsLong();
    series.values().removeIf(s -> now - s.updatedNanos >= STALE_SERIES.toNanos());
  }

  /** Spans held now, waiting for their trace to expire. */
  int heldSpans() {
    synchronized (held) {
      return heldSpans;
    }
  }

  private void count(List<HeldTrace> traces, long now) {
    if (traces.isEmpty()) return;
    // Edges and their labels are worked out before taking the lock a scrape also takes.
    List<ServiceGraphEdge> found = new ArrayList<>();
    List<Labels> foundLabels = new ArrayList<>();
    List<Labels> unpairedLabels = new ArrayList<>();
    for (HeldTrace t : traces) {
      ServiceGraphEdges.Result r = edges.edgesOf(t.spans);
      for (ServiceGraphEdge e : r.edges()) {
        found.add(e);
        foundLabels.add(edgeLabels(e));
      }
      for (Span u : r.unpaired()) unpairedLabels.add(sideLabels(u));
    }
    synchronized (this) {
      for (int i = 0; i < found.size(); i++) {
        ServiceGraphEdge e = found.get(i);
        EdgeSeries s = series.computeIfAbsent(foundLabels.get(i), k -> new EdgeSeries());
        s.updatedNanos = now;
        s.requests++;
        if (e.failed()) s.failed++;
        s.server.observe(e.serverDurationNanos());
        s.client.observe(e.clientDurationNanos());
      }
      for (Labels u : unpairedLabels) unpaired.computeIfAbsent(u, k -> new long[1])[0]++;
    }
  }

  private Labels edgeLabels(ServiceGraphEdge e) {
    List<String> names = new ArrayList<>(List.of("client", "server", "connection_type"));
    List<String> values = new ArrayList<>(List.of(e.client(), e.server(), e.connectionType()));
    for (int i = 0; i < dimensions.size(); i++) {
      String c = e.clientSpan() == null ? null : ServiceGraphEdges.attribute(e.clientSpan(), dimensions.get(i));
      if (c != null) {
        names.add(clientDimensionLabels[i]);
        values.add(c);
      }
      String s = e.serverSpan() == null ? null : ServiceGraphEdges.attribute(e.serverSpan(), dimensions.get(i));
      if (s != null) {
        names.add(serverDimensionLabels[i]);
        values.add(s);
      }
    }
    return Labels.of(names, values);
  }

  // Tempo's labels for unpaired and dropped spans: the span's service on its side of the edge.
  private static Labels sideLabels(Span s) {
    boolean client = s.kind() == SpanKind.CLIENT || s.kind() == SpanKind.PRODUCER;
    return Labels.of("client", client ? s.serviceName() : "", "server", client ? "" : s.serviceName());
  }

  private static boolean isEdgeSide(SpanKind kind) {
    return kind == SpanKind.CLIENT || kind == SpanKind.SERVER || kind == SpanKind.PRODUCER || kind == SpanKind.CONSUMER;
  }

  // Prometheus label names: dots and other characters of attribute names become underscores.
  private static String labelName(String s) {
    return s.replaceAll("[^a-zA-Z0-9_]", "_");
  }

  @Override
  public synchronized MetricSnapshots collect() {
    MetricSnapshots.Builder out = MetricSnapshots.builder();
    if (!series.isEmpty()) {
      // Counter names without _total: the exposition writers append it.
      CounterSnapshot.Builder requests = CounterSnapshot.builder().name("traces_service_graph_request")
          .help("Requests between two nodes of the service graph.");
      CounterSnapshot.Builder failed = CounterSnapshot.builder().name("traces_service_graph_request_failed")
          .help("Requests between two nodes of the service graph that failed on either side.");
      HistogramSnapshot.Builder server = HistogramSnapshot.builder().name("traces_service_graph_request_server_seconds")
          .help("Request latency as the server side measured it, in seconds.");
      HistogramSnapshot.Builder client = HistogramSnapshot.builder().name("traces_service_graph_request_client_seconds")
          .help("Request latency as the client side measured it, in seconds.");
      series.forEach((labels, s) -> {
        requests.dataPoint(counter(labels, s.requests, s.createdMillis));
        failed.dataPoint(counter(labels, s.failed, s.createdMillis));
        server.dataPoint(histogram(labels, s.server, s.createdMillis));
        client.dataPoint(histogram(labels, s.client, s.createdMillis));
      });
      out.metricSnapshot(requests.build()).metricSnapshot(failed.build())
          .metricSnapshot(server.build()).metricSnapshot(client.build());
    }
    if (!unpaired.isEmpty()) {
      CounterSnapshot.Builder b = CounterSnapshot.builder().name("traces_service_graph_unpaired_spans")
          .help("Spans of a client or server side that found no partner before store.ttl.");
      unpaired.forEach((labels, n) -> b.dataPoint(CounterDataPointSnapshot.builder().labels(labels).value(n[0]).build()));
      out.metricSnapshot(b.build());
    }
    if (!dropped.isEmpty()) {
      CounterSnapshot.Builder b = CounterSnapshot.builder().name("traces_service_graph_dropped_spans")
          .help("Spans not held because store.max_items spans were held already.");
      dropped.forEach((labels, n) -> b.dataPoint(CounterDataPointSnapshot.builder().labels(labels).value(n[0]).build()));
      out.metricSnapshot(b.build());
    }
    return out.build();
  }

  private static CounterDataPointSnapshot counter(Labels labels, long value, long createdMillis) {
    return CounterDataPointSnapshot.builder().labels(labels).value(value).createdTimestampMillis(createdMillis).build();
  }

  private HistogramDataPointSnapshot histogram(Labels labels, Latency latency, long createdMillis) {
    double[] bounds = Arrays.copyOf(boundsSeconds, boundsSeconds.length + 1);
    bounds[boundsSeconds.length] = Double.POSITIVE_INFINITY;
    return HistogramDataPointSnapshot.builder()
        .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, latency.counts.clone()))
        .sum(latency.sumSeconds)
        .labels(labels)
        .createdTimestampMillis(createdMillis)
        .build();
  }

  @Override
  public synchronized void start() {
    if (timer != null) return;
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "spanloom-servicegraph");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(this::expire, expirationLoop.toNanos(), expirationLoop.toNanos(), TimeUnit.NANOSECONDS);
    timer.scheduleWithFixedDelay(this::forgetStaleSeries, cacheLoop.toNanos(), cacheLoop.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Stops the loops and counts what is still held: a shutdown loses no finished request. */
  @Override
  public void close() {
    ScheduledExecutorService t;
    synchronized (this) {
      t = timer;
      timer = null;
    }
    if (t != null) {
      t.shutdownNow();
      try {
        t.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    List<HeldTrace> all;
    synchronized (held) {
      all = new ArrayList<>(held.values());
      held.clear();
      heldSpans = 0;
    }
    count(all, nanoTime.getAsLong());
  }

  @Override
  public String toString() {
    return "servicegraph{latency_histogram_buckets=" + Arrays.toString(boundsSeconds) + "s, dimensions=" + dimensions
        + ", store={ttl=" + ttl + ", max_items=" + maxItems + "}, cache_loop=" + cacheLoop
        + ", store_expiration_loop=" + expirationLoop + ", virtual_node_peer_attributes=" + edges.peerAttributes()
        + ", database_name_attributes=" + edges.databaseNameAttributes()
        + ", metrics_flush_interval=" + metricsFlushInterval + " (unused: series are read when scraped)}";
  }
}
