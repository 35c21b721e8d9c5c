package dev.spanloom.pipeline;

import static java.util.Objects.requireNonNull;

import dev.spanloom.pipeline.config.ConfigNode;
import dev.spanloom.pipeline.connector.ForwardConnector;
import dev.spanloom.pipeline.connector.ServiceGraphConnector;
import dev.spanloom.pipeline.connector.SpanMetricsConnector;
import dev.spanloom.pipeline.metrics.MetricsConnector;
import dev.spanloom.pipeline.metrics.MetricsExporter;
import dev.spanloom.pipeline.metrics.MetricsProducer;
import dev.spanloom.pipeline.processor.BatchProcessor;
import dev.spanloom.pipeline.processor.MemoryLimiterProcessor;
import dev.spanloom.pipeline.sampling.DbStatementProcessor;
import dev.spanloom.pipeline.sampling.ProbabilisticSamplerProcessor;
import dev.spanloom.pipeline.sampling.TailSamplingProcessor;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The component types Spanloom knows, by the Collector's type names. Receivers are only names
 * here: the server owns their sockets. Exporters that need the storage or the network are
 * registered by whoever owns those.
 */
public final class ComponentRegistry {
  private final Map<String, Function<ConfigNode, SpanProcessor>> processors = new TreeMap<>();
  private final Map<String, Function<ConfigNode, SpanExporter>> exporters = new TreeMap<>();
  private final Map<String, Function<ConfigNode, Connector>> connectors = new TreeMap<>();
  private final Map<String, Function<ConfigNode, MetricsConnector>> metricsConnectors = new TreeMap<>();
  private final Map<String, BiFunction<ConfigNode, MetricsProducer, MetricsExporter>> metricsExporters = new TreeMap<>();
  private final Map<String, Boolean> receivers = new TreeMap<>();

  /** The processors and connectors that need nothing from outside the pipeline. */
  public static ComponentRegistry withBuiltins() {
    return new ComponentRegistry()
        .processor(BatchProcessor.TYPE, BatchProcessor::fromConfig)
        .processor(MemoryLimiterProcessor.TYPE, MemoryLimiterProcessor::fromConfig)
        .processor(ProbabilisticSamplerProcessor.TYPE, ProbabilisticSamplerProcessor::fromConfig)
        .processor(TailSamplingProcessor.TYPE, TailSamplingProcessor::fromConfig)
        .processor(DbStatementProcessor.TYPE, DbStatementProcessor::fromConfig)
        .connector(ForwardConnector.TYPE, ForwardConnector::fromConfig)
        .metricsConnector(ServiceGraphConnector.TYPE, ServiceGraphConnector::fromConfig)
        .metricsConnector(SpanMetricsConnector.TYPE, SpanMetricsConnector::fromConfig);
  }

  public ComponentRegistry receiver(String type) {
    receivers.put(requireNonNull(type, "type"), true);
    return this;
  }

  public ComponentRegistry processor(String type, Function<ConfigNode, SpanProcessor> factory) {
    processors.put(requireNonNull(type, "type"), requireNonNull(factory, "factory"));
    return this;
  }

  public ComponentRegistry exporter(String type, Function<ConfigNode, SpanExporter> factory) {
    exporters.put(requireNonNull(type, "type"), requireNonNull(factory, "factory"));
    return this;
  }

  public ComponentRegistry connector(String type, Function<ConfigNode, Connector> factory) {
    connectors.put(requireNonNull(type, "type"), requireNonNull(factory, "factory"));
    return this;
  }

  /** A connector from traces pipelines to metrics pipelines, such as spanmetrics. */
  public ComponentRegistry metricsConnector(String type, Function<ConfigNode, MetricsConnector> factory) {
    metricsConnectors.put(requireNonNull(type, "type"), requireNonNull(factory, "factory"));
    return this;
  }

  /** An exporter of metrics pipelines; it is given what those pipelines receive. */
  public ComponentRegistry metricsExporter(
      String type, BiFunction<ConfigNode, MetricsProducer, MetricsExporter> factory) {
    metricsExporters.put(requireNonNull(type, "type"), requireNonNull(factory, "factory"));
    return this;
  }

  Set<String> receiverTypes() {
    return receivers.keySet();
  }

  Map<String, Function<ConfigNode, SpanProcessor>> processors() {
    return processors;
  }

  Map<String, Function<ConfigNode, SpanExporter>> exporters() {
    return exporters;
  }

  Map<String, Function<ConfigNode, Connector>> connectors() {
    return connectors;
  }

  Map<String, Function<ConfigNode, MetricsConnector>> metricsConnectors() {
    return metricsConnectors;
  }

  Map<String, BiFunction<ConfigNode, MetricsProducer, MetricsExporter>> metricsExporters() {
    return metricsExporters;
  }
}
