package dev.spanloom.pipeline;

import dev.spanloom.model.Span;
import dev.spanloom.pipeline.config.ConfigException;
import dev.spanloom.pipeline.config.ConfigNode;
import dev.spanloom.pipeline.metrics.MetricsConnector;
import dev.spanloom.pipeline.metrics.MetricsExporter;
import dev.spanloom.pipeline.metrics.MetricsProducer;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The pipelines of {@code service.pipelines}, built from the Collector-shaped configuration:
 * receivers fan out to every pipeline that names them; a pipeline runs its own processor
 * instances in order, then fans out to its exporters; a connector is an exporter of one pipeline
 * and a receiver of others. Exporters and connectors are shared between pipelines, processors
 * are not (as in the Collector). Metrics pipelines ({@code metrics} or {@code metrics/<name>})
 * receive from traces-to-metrics connectors such as spanmetrics and end in metrics exporters,
 * which read their connectors' series when they export.
 */
public final class PipelineGraph implements Component {
  private static final Set<String> SECTION_KEYS = Set.of("receivers", "processors", "exporters");

  private final Map<String, SpanConsumer> receiverEntries;
  private final List<Component> startOrder; // exporters first, so nothing sends into a stopped node
  private final String description;
  private final Map<String, MetricsConnector> metricsConnectors;

  private PipelineGraph(Map<String, SpanConsumer> receiverEntries, List<Component> startOrder, String description,
      Map<String, MetricsConnector> metricsConnectors) {
    this.receiverEntries = receiverEntries;
    this.startOrder = startOrder;
    this.description = description;
    this.metricsConnectors = metricsConnectors;
  }

  /**
   * Builds the graph from a document's {@code receivers}, {@code processors}, {@code exporters},
   * {@code connectors} and {@code service} sections.
   *
   * @throws ConfigException naming the key at fault
   */
  public static PipelineGraph build(ConfigNode root, ComponentRegistry registry) {
    return new Builder(root, registry).build();
  }

  /** The IDs of the receivers used by some pipeline. */
  public Set<String> receiverIds() {
    return receiverEntries.keySet();
  }

  /** Where a receiver hands its spans: every pipeline that lists it. */
  public SpanConsumer receiverEntry(String receiverId) {
    SpanConsumer c = receiverEntries.get(receiverId);
    if (c == null) throw new IllegalArgumentException("receiver " + receiverId + " is in no pipeline");
    return c;
  }

  /**
   * The traces-to-metrics connectors in use, by their id ({@code spanmetrics},
   * {@code spanmetrics/red}), for readers that must pick one by its configured name.
   */
  public Map<String, MetricsConnector> metricsConnectors() {
    return metricsConnectors;
  }

  /** Components of the given class, e.g. to publish their counters. */
  public <T> List<T> components(Class<T> type) {
    List<T> out = new ArrayList<>();
    for (Component c : startOrder) {
      if (type.isInstance(c)) out.add(type.cast(c));
    }
    return out;
  }

  @Override
  public void start() {
    for (Component c : startOrder) c.start();
  }

  @Override
  public boolean isReady() {
    for (Component c : startOrder) {
      if (!c.isReady()) return false;
    }
    return true;
  }

  @Override
  public void close() {
    List<Component> reverse = new ArrayList<>(startOrder);
    Collections.reverse(reverse);
    for (Component c : reverse) c.close();
  }

  @Override
  public String toString() {
    return description;
  }

  static SpanConsumer fanOut(List<? extends SpanConsumer> consumers) {
    if (consumers.size() == 1) return consumers.get(0);
    List<SpanConsumer> copy = List.copyOf(consumers);
    return spans -> {
      CompletableFuture<?>[] all = new CompletableFuture<?>[copy.size()];
      for (int i = 0; i < all.length; i++) all[i] = consume(copy.get(i), spans);
      return CompletableFuture.allOf(all);
    };
  }

  static CompletableFuture<Void> consume(SpanConsumer consumer, List<Span> spans) {
    try {
      return consumer.consume(spans);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static final class Builder {
    private final ConfigNode root;
    private final ComponentRegistry registry;
    private final ConfigNode pipelines;
    private final Map<String, SpanExporter> exporters = new LinkedHashMap<>();
    private final Map<String, Connector> connectors = new LinkedHashMap<>();
    private final Map<String, MetricsConnector> metricsConnectors = new LinkedHashMap<>();
    private final Map<String, SpanConsumer> pipelineEntries = new HashMap<>();
    private final Set<String> building = new HashSet<>();
    private final List<Component> startOrder = new ArrayList<>();
    private final StringBuilder description = new StringBuilder();

    Builder(ConfigNode root, ComponentRegistry registry) {
      this.root = root;
      this.registry = registry;
      ConfigNode service = root.child("service");
      service.requireKnownKeys(Set.of("pipelines", "telemetry", "extensions", "ingest_queue"));
      this.pipelines = service.child("pipelines");
    }

    PipelineGraph build() {
      if (pipelines.isEmpty()) {
        throw new ConfigException(pipelines.path() + ": no pipelines (expected: at least one, e.g. traces)");
      }
      checkDefined("receivers", registry.receiverTypes());
      checkDefined("processors", registry.processors().keySet());
      checkDefined("exporters", union(registry.exporters().keySet(), registry.metricsExporters().keySet()));
      checkDefined("connectors", union(registry.connectors().keySet(), registry.metricsConnectors().keySet()));
      // As the Collector does, every defined component's settings are checked, used or not.
      // Constructors do no I/O, so building and dropping the unused ones is harmless.
      for (String id : root.child("processors").keys()) create("processors", id, registry.processors());
      for (String id : root.child("exporters").keys()) {
        if (isMetricsExporter(id)) createMetricsExporter(id, MetricSnapshots::new);
        else create("exporters", id, registry.exporters());
      }
      for (String id : root.child("connectors").keys()) {
        if (isMetricsConnector(id)) create("connectors", id, registry.metricsConnectors());
        else create("connectors", id, registry.connectors());
      }
      for (String pipelineId : pipelines.keys()) pipeline(pipelineId); // every pipeline checked up front

      Map<String, List<SpanConsumer>> byReceiver = new LinkedHashMap<>();
      for (String pipelineId : tracesPipelines()) {
        ConfigNode p = pipeline(pipelineId);
        for (String receiverId : p.stringList("receivers")) {
          if (root.child("connectors").keys().contains(receiverId)) continue; // fed by its connector
          byReceiver.computeIfAbsent(receiverId, k -> new ArrayList<>()).add(entry(pipelineId));
        }
      }
      // The pipelines left are fed only by connectors of pipelines that no receiver reaches:
      // building them finds the cycle that keeps them out, rather than dropping them silently.
      for (String pipelineId : tracesPipelines()) {
        if (!pipelineEntries.containsKey(pipelineId)) entry(pipelineId);
      }
      buildMetricsPipelines();
      Map<String, SpanConsumer> receiverEntries = new LinkedHashMap<>();
      byReceiver.forEach((id, consumers) -> receiverEntries.put(id, fanOut(consumers)));
      return new PipelineGraph(receiverEntries, startOrder, "pipelines{" + description + "}",
          Collections.unmodifiableMap(new LinkedHashMap<>(metricsConnectors)));
    }

    private List<String> tracesPipelines() {
      return pipelines.keys().stream().filter(id -> typeOf(id).equals("traces")).toList();
    }

    private List<String> metricsPipelines() {
      return pipelines.keys().stream().filter(id -> typeOf(id).equals("metrics")).toList();
    }

    private ConfigNode pipeline(String pipelineId) {
      String type = typeOf(pipelineId);
      if (type.equals("metrics")) return metricsPipeline(pipelineId);
      if (!type.equals("traces")) {
        throw new ConfigException(pipelines.pathOf(pipelineId) + ": pipelines of type \"" + type
            + "\" are not supported yet (expected: traces, traces/<name>, metrics or metrics/<name>)");
      }
      ConfigNode p = pipelines.child(pipelineId).requireKnownKeys(SECTION_KEYS);
      if (p.stringList("receivers").isEmpty()) {
        throw new ConfigException(p.pathOf("receivers") + ": empty (expected: at least one receiver)");
      }
      if (p.stringList("exporters").isEmpty()) {
        throw new ConfigException(p.pathOf("exporters") + ": empty (expected: at least one exporter)");
      }
      for (String r : p.stringList("receivers")) {
        boolean connector = root.child("connectors").keys().contains(r);
        if (!root.child("receivers").keys().contains(r) && !connector) {
          throw new ConfigException(p.pathOf("receivers") + ": \"" + r + "\" is not defined under receivers or connectors");
        }
        if (connector && isMetricsConnector(r)) {
          throw new ConfigException(p.pathOf("receivers") + ": connector \"" + r
              + "\" produces metrics (expected: in the receivers of a metrics pipeline)");
        }
        if (connector && !exportedByAnyPipeline(r)) {
          throw new ConfigException(p.pathOf("receivers") + ": connector \"" + r
              + "\" is the exporter of no pipeline (expected: a pipeline listing it under exporters)");
        }
      }
      for (String proc : p.stringList("processors")) {
        if (!root.child("processors").keys().contains(proc)) {
          throw new ConfigException(p.pathOf("processors") + ": \"" + proc + "\" is not defined under processors");
        }
      }
      for (String e : p.stringList("exporters")) {
        if (!root.child("exporters").keys().contains(e) && !root.child("connectors").keys().contains(e)) {
          throw new ConfigException(p.pathOf("exporters") + ": \"" + e + "\" is not defined under exporters or connectors");
        }
        if (isMetricsExporter(e)) {
          throw new ConfigException(p.pathOf("exporters") + ": \"" + e
              + "\" exports metrics (expected: in the exporters of a metrics pipeline)");
        }
        if (isMetricsConnector(e) && metricsPipelines().stream()
            .noneMatch(m -> pipelines.child(m).stringList("receivers").contains(e))) {
          throw new ConfigException(p.pathOf("exporters") + ": connector \"" + e
              + "\" is the receiver of no pipeline (expected: a metrics pipeline listing it under receivers)");
        }
      }
      return p;
    }

    private ConfigNode metricsPipeline(String pipelineId) {
      ConfigNode p = pipelines.child(pipelineId).requireKnownKeys(SECTION_KEYS);
      if (p.stringList("receivers").isEmpty()) {
        throw new ConfigException(p.pathOf("receivers") + ": empty (expected: at least one connector, e.g. spanmetrics)");
      }
      if (!p.stringList("processors").isEmpty()) {
        throw new ConfigException(p.pathOf("processors") + ": " + p.stringList("processors")
            + " (expected: none; metrics pipelines take no processors yet)");
      }
      if (p.stringList("exporters").isEmpty()) {
        throw new ConfigException(p.pathOf("exporters") + ": empty (expected: at least one exporter, e.g. prometheus)");
      }
      for (String r : p.stringList("receivers")) {
        if (!isMetricsConnector(r)) {
          throw new ConfigException(p.pathOf("receivers") + ": \"" + r
              + "\" is not a connector producing metrics (expected: one of " + registry.metricsConnectors().keySet()
              + " defined under connectors)");
        }
        if (!exportedByAnyPipeline(r)) {
          throw new ConfigException(p.pathOf("receivers") + ": connector \"" + r
              + "\" is the exporter of no pipeline (expected: a traces pipeline listing it under exporters)");
        }
      }
      for (String e : p.stringList("exporters")) {
        if (!root.child("exporters").keys().contains(e) || !isMetricsExporter(e)) {
          throw new ConfigException(p.pathOf("exporters") + ": \"" + e
              + "\" is not a metrics exporter (expected: one of " + registry.metricsExporters().keySet()
              + " defined under exporters)");
        }
      }
      return p;
    }

    private boolean isMetricsConnector(String id) {
      return root.child("connectors").keys().contains(id) && registry.metricsConnectors().containsKey(typeOf(id));
    }

    private boolean isMetricsExporter(String id) {
      return root.child("exporters").keys().contains(id) && registry.metricsExporters().containsKey(typeOf(id));
    }

    /** Each metrics exporter reads the connectors of every metrics pipeline listing it. */
    private void buildMetricsPipelines() {
      // Each connector once per exporter, however many of its pipelines share it: one read per scrape.
      Map<String, Set<MetricsProducer>> byExporter = new LinkedHashMap<>();
      for (String pipelineId : metricsPipelines()) {
        ConfigNode p = pipeline(pipelineId);
        for (String e : p.stringList("exporters")) {
          Set<MetricsProducer> producers = byExporter.computeIfAbsent(e, k -> new java.util.LinkedHashSet<>());
          for (String r : p.stringList("receivers")) producers.add(metricsConnector(r));
        }
        describe(pipelineId, p);
      }
      byExporter.forEach((id, producers) ->
          startOrder.add(createMetricsExporter(id, MetricsProducer.of(List.copyOf(producers)))));
    }

    private MetricsConnector metricsConnector(String id) {
      return metricsConnectors.computeIfAbsent(id, k -> {
        MetricsConnector created = create("connectors", k, registry.metricsConnectors());
        startOrder.add(created);
        return created;
      });
    }

    private MetricsExporter createMetricsExporter(String id, MetricsProducer producer) {
      ConfigNode config = root.child("exporters").child(id);
      try {
        return registry.metricsExporters().get(typeOf(id)).apply(config, producer);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(config.path() + ": " + e.getMessage());
      }
    }

    private void describe(String pipelineId, ConfigNode p) {
      description.append(description.length() == 0 ? "" : ", ").append(pipelineId).append(": ")
          .append(p.stringList("receivers")).append(" -> ").append(p.stringList("processors")).append(" -> ")
          .append(p.stringList("exporters"));
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
      Set<String> all = new java.util.TreeSet<>(a);
      all.addAll(b);
      return all;
    }

    private boolean exportedByAnyPipeline(String connectorId) {
      for (String other : pipelines.keys()) {
        if (pipelines.child(other).stringList("exporters").contains(connectorId)) return true;
      }
      return false;
    }

    /** The head of a pipeline: its processors in order, then its exporters. Built once. */
    private SpanConsumer entry(String pipelineId) {
      SpanConsumer built = pipelineEntries.get(pipelineId);
      if (built != null) return built;
      if (!building.add(pipelineId)) {
        throw new ConfigException(pipelines.pathOf(pipelineId) + ": connectors form a cycle through this pipeline");
      }
      ConfigNode p = pipeline(pipelineId);
      List<SpanConsumer> outs = new ArrayList<>();
      for (String exporterId : p.stringList("exporters")) {
        if (isMetricsConnector(exporterId)) outs.add(metricsConnector(exporterId));
        else if (root.child("connectors").keys().contains(exporterId)) outs.add(connectorFeeding(exporterId, p));
        else outs.add(exporter(exporterId));
      }
      SpanConsumer head = fanOut(outs);
      List<String> processorIds = p.stringList("processors");
      for (int i = processorIds.size() - 1; i >= 0; i--) {
        String id = processorIds.get(i);
        SpanProcessor proc = create("processors", id, registry.processors());
        startOrder.add(proc);
        SpanConsumer next = head;
        head = spans -> proc.process(spans, next);
      }
      describe(pipelineId, p);
      building.remove(pipelineId);
      pipelineEntries.put(pipelineId, head);
      return head;
    }

    private SpanConsumer exporter(String id) {
      return exporters.computeIfAbsent(id, k -> {
        SpanExporter e = create("exporters", k, registry.exporters());
        startOrder.add(e);
        return e;
      });
    }

    private SpanConsumer connectorFeeding(String connectorId, ConfigNode from) {
      List<SpanConsumer> downstream = new ArrayList<>();
      for (String other : tracesPipelines()) {
        if (pipelines.child(other).stringList("receivers").contains(connectorId)) downstream.add(entry(other));
      }
      if (downstream.isEmpty()) {
        throw new ConfigException(from.pathOf("exporters") + ": connector \"" + connectorId
            + "\" is the receiver of no pipeline (expected: a pipeline listing it under receivers)");
      }
      Connector c = connectors.computeIfAbsent(connectorId, k -> {
        Connector created = create("connectors", k, registry.connectors());
        startOrder.add(created);
        return created;
      });
      return c.exporterFeeding(fanOut(downstream));
    }

    private <T> T create(String section, String id, Map<String, Function<ConfigNode, T>> factories) {
      Function<ConfigNode, T> f = factories.get(typeOf(id));
      ConfigNode config = root.child(section).child(id);
      try {
        return f.apply(config);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(config.path() + ": " + e.getMessage());
      }
    }

    private void checkDefined(String section, Set<String> knownTypes) {
      ConfigNode node = root.child(section);
      for (String id : node.keys()) {
        String type = typeOf(id);
        if (!knownTypes.contains(type)) {
          throw new ConfigException(node.pathOf(id) + ": unknown type \"" + type + "\" (expected one of: "
              + (knownTypes.isEmpty() ? "none yet" : String.join(", ", knownTypes)) + ")");
        }
      }
    }

    private static String typeOf(String id) {
      int slash = id.indexOf('/');
      return slash < 0 ? id : id.substring(0, slash);
    }
  }
}
