package dev.spanloom.server.slo;

import dev.spanloom.model.SpanKind;
import dev.spanloom.pipeline.connector.SpanMetricsConnector;
import dev.spanloom.pipeline.config.ConfigException;
import dev.spanloom.pipeline.config.ConfigNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The top-level {@code slo:} section, parsed and checked once at start. Latency thresholds are
 * checked against the connector's buckets later, by {@link #checkThresholds}, once the pipeline
 * graph has built the connector.
 *
 * @param connector the id of the spanmetrics connector to read, or null for "the only one"
 * @param webhook null when no webhook is configured
 * @param externalUrl where Spanloom is reachable, for {@code generatorURL}; empty when unset
 */
public record SloConfig(
    Duration evaluationInterval, String connector, WebhookSettings webhook, String externalUrl,
    List<ServiceLevelObjective> objectives) {
  public static final Duration DEFAULT_EVALUATION_INTERVAL = Duration.ofSeconds(30);
  public static final Duration DEFAULT_WINDOW = Duration.ofDays(30);
  static final Set<SpanKind> DEFAULT_SPAN_KINDS = EnumSet.of(SpanKind.SERVER, SpanKind.CONSUMER);
  private static final Duration LONGEST_ALERT_WINDOW = Duration.ofHours(6);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");

  public SloConfig {
    objectives = List.copyOf(objectives);
  }

  /** No {@code slo:} section: nothing to evaluate. */
  public static SloConfig none() {
    return new SloConfig(DEFAULT_EVALUATION_INTERVAL, null, null, "", List.of());
  }

  public boolean isEmpty() {
    return objectives.isEmpty();
  }

  /** Parses {@code slo:}; an absent section is {@link #none()}. */
  public static SloConfig parse(ConfigNode slo) {
    slo.requireKnownKeys(Set.of("evaluation_interval", "connector", "webhook", "external_url", "objectives"));
    Duration interval = slo.duration("evaluation_interval", DEFAULT_EVALUATION_INTERVAL);
    if (interval.compareTo(Duration.ofSeconds(1)) < 0 || interval.compareTo(Duration.ofMinutes(1)) > 0) {
      throw slo.invalid("evaluation_interval", slo.string("evaluation_interval", ""),
          "1s to 1m, so that the 5m window holds several samples");
    }
    String connector = slo.string("connector", null);
    WebhookSettings webhook = slo.has("webhook") ? webhook(slo.child("webhook")) : null;
    String externalUrl = slo.string("external_url", "");
    List<ServiceLevelObjective> objectives = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ConfigNode o : slo.nodeList("objectives")) {
      ServiceLevelObjective objective = objective(o);
      if (!names.add(objective.name())) {
        throw o.invalid("name", objective.name(), "a name no other objective has");
      }
      objectives.add(objective);
    }
    if (slo.has("objectives") && objectives.isEmpty()) {
      throw slo.invalid("objectives", List.of(), "at least one objective");
    }
    return new SloConfig(interval, connector, webhook, externalUrl, objectives);
  }

  private static WebhookSettings webhook(ConfigNode w) {
    w.requireKnownKeys(Set.of("endpoint", "timeout", "send_resolved", "retry_on_failure", "queue_size"));
    String endpoint = w.string("endpoint", null);
    if (endpoint == null) throw new ConfigException(w.pathOf("endpoint") + ": missing (expected: an http or https URL)");
    URI uri;
    try {
      uri = new URI(endpoint);
    } catch (URISyntaxException e) {
      throw w.invalid("endpoint", endpoint, "an http or https URL");
    }
    if (uri.getScheme() == null || !Set.of("http", "https").contains(uri.getScheme().toLowerCase(Locale.ROOT))
        || uri.getHost() == null) {
      throw w.invalid("endpoint", endpoint, "an http or https URL");
    }
    Duration timeout = w.duration("timeout", Duration.ofSeconds(5));
    if (timeout.isZero() || timeout.isNegative()) throw w.invalid("timeout", w.string("timeout", ""), "> 0s");
    int queueSize = w.intValue("queue_size", 256);
    if (queueSize <= 0) throw w.invalid("queue_size", queueSize, "> 0");
    ConfigNode retry = w.child("retry_on_failure")
        .requireKnownKeys(Set.of("enabled", "initial_interval", "max_interval", "max_elapsed_time"));
    Duration initial = retry.duration("initial_interval", Duration.ofSeconds(1));
    Duration max = retry.duration("max_interval", Duration.ofSeconds(30));
    Duration elapsed = retry.duration("max_elapsed_time", Duration.ofMinutes(5));
    if (initial.isZero() || initial.isNegative()) throw retry.invalid("initial_interval", retry.string("initial_interval", ""), "> 0s");
    if (max.compareTo(initial) < 0) {
      throw retry.invalid("max_interval", retry.string("max_interval", "30s"), ">= initial_interval " + retry.string("initial_interval", "1s"));
    }
    if (elapsed.isZero() || elapsed.isNegative()) throw retry.invalid("max_elapsed_time", retry.string("max_elapsed_time", ""), "> 0s");
    return new WebhookSettings(uri, timeout, w.bool("send_resolved", true), retry.bool("enabled", true), initial, max,
        elapsed, queueSize);
  }

  private static ServiceLevelObjective objective(ConfigNode o) {
    o.requireKnownKeys(Set.of("name", "service", "operation", "span_kinds", "sli", "objective", "window"));
    String name = required(o, "name", "a name such as checkout-latency");
    if (!NAME.matcher(name).matches()) throw o.invalid("name", name, "letters, digits, '_', '.' or '-'");
    String service = required(o, "service", "the service.name of the spans");
    String operation = o.string("operation", null);
    Set<SpanKind> kinds = spanKinds(o);
    Sli sli = sli(o);
    if (!o.has("objective")) throw new ConfigException(o.pathOf("objective") + ": missing (expected: a percentage such as 99.5)");
    double percent = o.number("objective", 0);
    if (!(percent > 0 && percent < 100)) {
      throw new ConfigException(o.pathOf("objective") + ": " + new java.math.BigDecimal(Double.toString(percent))
          .stripTrailingZeros().toPlainString() + " (expected: a percentage above 0 and below 100, such as 99.5)");
    }
    Duration window = DEFAULT_WINDOW;
    if (o.has("window")) {
      String text = o.string("window", "");
      window = PromDuration.parse(text);
      if (window == null) throw o.invalid("window", text, "a duration such as 30d, 7d or 24h");
      if (window.compareTo(LONGEST_ALERT_WINDOW) < 0 || window.compareTo(Duration.ofDays(366)) > 0) {
        throw o.invalid("window", text, "6h to 366d; 6h is the longest alert window");
      }
    }
    // Decimal: 99.9 / 100 in doubles is 0.9990000000000001, which the generated rules would print.
    double ratio = new java.math.BigDecimal(Double.toString(percent)).movePointLeft(2).doubleValue();
    return new ServiceLevelObjective(name, service, operation, kinds, sli, ratio, window);
  }

  private static String required(ConfigNode o, String key, String expected) {
    String v = o.string(key, null);
    if (v == null || v.isBlank()) throw new ConfigException(o.pathOf(key) + ": missing (expected: " + expected + ")");
    return v;
  }

  private static Set<SpanKind> spanKinds(ConfigNode o) {
    if (!o.has("span_kinds")) return DEFAULT_SPAN_KINDS;
    Set<SpanKind> kinds = new LinkedHashSet<>();
    List<String> names = o.stringList("span_kinds");
    for (int i = 0; i < names.size(); i++) {
      String n = names.get(i);
      SpanKind kind = null;
      if (n.startsWith("SPAN_KIND_")) {
        try {
          kind = SpanKind.valueOf(n.substring("SPAN_KIND_".length()));
        } catch (IllegalArgumentException e) {
          // named below
        }
      }
      if (kind == null) {
        throw o.invalid("span_kinds[" + i + "]", n, "one of " + EnumSet.allOf(SpanKind.class).stream()
            .map(SpanMetricsConnector::kindLabel).collect(Collectors.joining(", ")));
      }
      kinds.add(kind);
    }
    if (kinds.isEmpty()) throw o.invalid("span_kinds", List.of(), "at least one span kind, such as SPAN_KIND_SERVER");
    return kinds;
  }

  private static Sli sli(ConfigNode o) {
    ConfigNode sli = o.child("sli").requireKnownKeys(Set.of("latency", "availability"));
    if (sli.keys().size() != 1) {
      throw new ConfigException(o.pathOf("sli") + ": " + (sli.isEmpty() ? "missing" : "both latency and availability")
          + " (expected: one of {latency: {threshold: 500ms}} or {availability: {}})");
    }
    if (sli.keys().contains("availability")) {
      sli.child("availability").requireKnownKeys(Set.of());
      return new Sli.Availability();
    }
    ConfigNode latency = sli.child("latency").requireKnownKeys(Set.of("threshold"));
    if (!latency.has("threshold")) {
      throw new ConfigException(latency.pathOf("threshold") + ": missing (expected: a bucket bound of the span metrics histogram, such as 500ms)");
    }
    Duration threshold = latency.duration("threshold", null);
    if (threshold.isZero() || threshold.isNegative()) throw latency.invalid("threshold", latency.string("threshold", ""), "> 0");
    return new Sli.Latency(threshold.toNanos());
  }

  /**
   * Fails unless every latency threshold is one of {@code boundsNanos}, the connector's bucket
   * bounds: a threshold between bounds cannot be counted exactly, in Spanloom or in Prometheus.
   */
  public void checkThresholds(long[] boundsNanos, String connectorPath) {
    for (int i = 0; i < objectives.size(); i++) {
      if (!(objectives.get(i).sli() instanceof Sli.Latency latency)) continue;
      boolean found = false;
      for (long b : boundsNanos) found |= b == latency.thresholdNanos();
      if (!found) {
        List<String> bounds = new ArrayList<>();
        for (long b : boundsNanos) bounds.add(formatMillis(b) + "ms");
        throw new ConfigException("slo.objectives[" + i + "].sli.latency.threshold: " + formatMillis(latency.thresholdNanos())
            + "ms (expected: a bucket bound of " + connectorPath + ": " + String.join(", ", bounds) + ")");
      }
    }
  }

  /** Milliseconds as the rules and messages write them: {@code 500}, {@code 2.5}. */
  static String formatMillis(long nanos) {
    java.math.BigDecimal ms = java.math.BigDecimal.valueOf(nanos).movePointLeft(6).stripTrailingZeros();
    return ms.scale() < 0 ? ms.setScale(0).toPlainString() : ms.toPlainString();
  }

  /** The span-metrics label value of a kind: {@code SPAN_KIND_SERVER}. */
  @Override
  public String toString() {
    return "slo{evaluation_interval=" + evaluationInterval + ", connector=" + (connector == null ? "<the only one>" : connector)
        + ", " + (webhook == null ? "no webhook" : webhook) + ", objectives="
        + objectives.stream().map(ServiceLevelObjective::name).toList() + "}";
  }
}
