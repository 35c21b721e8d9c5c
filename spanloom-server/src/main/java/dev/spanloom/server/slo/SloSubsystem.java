package dev.spanloom.server.slo;

import com.linecorp.armeria.server.ServerBuilder;
import dev.spanloom.pipeline.PipelineGraph;
import dev.spanloom.pipeline.config.ConfigException;
import dev.spanloom.pipeline.connector.SpanMetricsConnector;
import dev.spanloom.pipeline.metrics.MetricsConnector;
import dev.spanloom.pipeline.metrics.SpanMetricsView;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SLO part of a running Spanloom: the engine reading the chosen spanmetrics connector, the
 * webhook, the metrics and the API. Without objectives only the API runs, with nothing in it.
 */
public final class SloSubsystem implements AutoCloseable {
  private final SloConfig config;
  private final SloEngine engine; // null without objectives
  private final AlertWebhook webhook; // null without slo.webhook
  private final String rules;

  private SloSubsystem(SloConfig config, SloEngine engine, AlertWebhook webhook, SpanMetricsConnector.PrometheusNames names) {
    this.config = config;
    this.engine = engine;
    this.webhook = webhook;
    this.rules = SloRules.yaml(config.objectives(), names);
  }

  /**
   * Picks the connector ({@code slo.connector}, or the only span-metrics connector) and checks
   * the latency thresholds against its buckets.
   *
   * @throws ConfigException naming the key at fault
   */
  public static SloSubsystem create(SloConfig config, PipelineGraph graph, Clock clock, SloEngine.Ticker ticker) {
    if (config.isEmpty()) return new SloSubsystem(config, null, null, SloRules.DEFAULT_NAMES);
    Map<String, SpanMetricsView> views = new LinkedHashMap<>();
    for (Map.Entry<String, MetricsConnector> c : graph.metricsConnectors().entrySet()) {
      if (c.getValue() instanceof SpanMetricsView v) views.put(c.getKey(), v);
    }
    String id = config.connector();
    if (id == null) {
      if (views.isEmpty()) {
        throw new ConfigException("slo.objectives: no span metrics to read (expected: a spanmetrics connector under "
            + "connectors, exported by a traces pipeline and received by a metrics pipeline)");
      }
      if (views.size() > 1) {
        throw new ConfigException("slo.connector: missing (expected: one of " + views.keySet()
            + ", as several span-metrics connectors run)");
      }
      id = views.keySet().iterator().next();
    } else if (!views.containsKey(id)) {
      throw new ConfigException("slo.connector: \"" + id + "\" (expected: a spanmetrics connector in a pipeline"
          + (views.isEmpty() ? "; there is none" : ": one of " + views.keySet()) + ")");
    }
    SpanMetricsView view = views.get(id);
    config.checkThresholds(view.bucketBoundsNanos(), "connectors." + id);
    AlertWebhook webhook = config.webhook() == null ? null : new AlertWebhook(config.webhook(), config.externalUrl());
    SloEngine engine = new SloEngine(config, view, clock, ticker, webhook == null ? AlertNotifier.NONE : webhook);
    // The rules query the names this connector writes (its naming: spanloom, collector or tempo).
    SpanMetricsConnector.PrometheusNames names =
        view instanceof SpanMetricsConnector c ? c.prometheusNames() : SloRules.DEFAULT_NAMES;
    return new SloSubsystem(config, engine, webhook, names);
  }

  /** The objectives' latest state; empty without objectives. */
  public List<SloStatus> statuses() {
    return engine == null ? List.of() : engine.statuses();
  }

  /** The engine, or null when no objective is configured. */
  public SloEngine engine() {
    return engine;
  }

  /** The Prometheus rule file equivalent to the objectives. */
  public String rules() {
    return rules;
  }

  public void registerMetrics(PrometheusRegistry registry) {
    if (engine != null) SloMetrics.register(registry, this::statuses, webhook);
  }

  public void mount(ServerBuilder sb) {
    new SloApi(this::statuses, rules).mount(sb);
  }

  public void start() {
    if (webhook != null) webhook.start();
    if (engine != null) engine.start();
  }

  @Override
  public void close() {
    if (engine != null) engine.close();
    if (webhook != null) webhook.close();
  }

  @Override
  public String toString() {
    return config.toString();
  }
}
