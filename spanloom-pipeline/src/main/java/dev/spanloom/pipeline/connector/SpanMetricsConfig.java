package dev.spanloom.pipeline.connector;

import dev.spanloom.pipeline.config.ConfigException;
import dev.spanloom.pipeline.config.ConfigNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The settings of the {@code spanmetrics} connector, by the Collector's keys, checked once at
 * start. Spanloom adds {@code naming}: which ecosystem's metric and label names to write.
 *
 * @param bucketsNanos upper bounds of the duration histogram, ascending, without +Inf
 * @param dimensions further dimensions, without any of the four default ones
 * @param excluded the default dimensions left out ({@code service.name}, {@code span.name},
 *     {@code span.kind}, {@code status.code})
 * @param namespace prefix of the metric names, dots as in the Collector ({@code traces.spanmetrics})
 * @param maxExemplarsPerDataPoint 0 for as many as there are buckets
 * @param metricsExpiration 0 to keep idle series for ever
 * @param cardinalityLimit 0 for no limit
 */
public record SpanMetricsConfig(
    Naming naming,
    long[] bucketsNanos,
    Unit unit,
    boolean histogramDisabled,
    List<Dimension> dimensions,
    Set<String> excluded,
    String namespace,
    boolean exemplarsEnabled,
    int maxExemplarsPerDataPoint,
    Duration metricsExpiration,
    int cardinalityLimit,
    int dimensionsCacheSize,
    List<String> resourceMetricsKeyAttributes,
    Duration metricsFlushInterval) {

  /** The Collector's default buckets. */
  static final List<Duration> DEFAULT_BUCKETS = List.of(
      ms(2), ms(4), ms(6), ms(8), ms(10), ms(50), ms(100), ms(200), ms(400), ms(800),
      ms(1000), ms(1400), ms(2000), ms(5000), ms(10_000), ms(15_000));

  static final String SERVICE_NAME = "service.name";
  static final String SPAN_NAME = "span.name";
  static final String SPAN_KIND = "span.kind";
  static final String STATUS_CODE = "status.code";
  static final List<String> DEFAULT_DIMENSIONS = List.of(SERVICE_NAME, SPAN_NAME, SPAN_KIND, STATUS_CODE);

  private static final Set<String> KEYS = Set.of("naming", "histogram", "dimensions", "exclude_dimensions",
      "namespace", "exemplars", "metrics_expiration", "aggregation_cardinality_limit", "dimensions_cache_size",
      "resource_metrics_cache_size", "resource_metrics_key_attributes", "aggregation_temporality",
      "metrics_flush_interval", "events");

  /** Whose metric and label names to write. */
  public enum Naming {
    /** The names the seed's recording rule reads: {@code traces_spanmetrics_*}, label {@code service}. */
    SPANLOOM("traces.spanmetrics", "service"),
    /** The Collector's through its Prometheus exporter: {@code traces_span_metrics_*}, label {@code service_name}. */
    COLLECTOR("traces.span.metrics", "service_name"),
    /** Tempo's metrics-generator: {@code traces_spanmetrics_latency} in seconds and {@code _size_total}. */
    TEMPO("traces.spanmetrics", "service");

    final String defaultNamespace;
    final String serviceLabel;

    Naming(String defaultNamespace, String serviceLabel) {
      this.defaultNamespace = defaultNamespace;
      this.serviceLabel = serviceLabel;
    }
  }

  /** The unit durations are written in. */
  public enum Unit {
    MS("milliseconds", 1e6),
    S("seconds", 1e9);

    final String suffix;
    final double nanos;

    Unit(String suffix, double nanos) {
      this.suffix = suffix;
      this.nanos = nanos;
    }
  }

  /** A configured dimension; {@code label} is its Prometheus label name, {@code defaultValue} null when none. */
  public record Dimension(String name, String defaultValue, String label) {}

  public SpanMetricsConfig {
    bucketsNanos = bucketsNanos.clone();
    dimensions = List.copyOf(dimensions);
    excluded = Set.copyOf(excluded);
    resourceMetricsKeyAttributes = List.copyOf(resourceMetricsKeyAttributes);
  }

  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }

  @Override
  public long[] bucketsNanos() {
    return bucketsNanos.clone();
  }

  /** The unit the duration histogram is written in: Tempo's names are always in seconds. */
  Unit effectiveUnit() {
    return naming == Naming.TEMPO ? Unit.S : unit;
  }

  /** Parses the {@code connectors.spanmetrics} node; every error names its key. */
  public static SpanMetricsConfig fromConfig(ConfigNode config) {
    config.requireKnownKeys(KEYS);
    Naming naming = switch (config.string("naming", "spanloom").toLowerCase(Locale.ROOT)) {
      case "spanloom" -> Naming.SPANLOOM;
      case "collector" -> Naming.COLLECTOR;
      case "tempo" -> Naming.TEMPO;
      default -> throw config.invalid("naming", config.string("naming", ""), "spanloom, collector or tempo");
    };

    ConfigNode histogram = config.child("histogram").requireKnownKeys(Set.of("explicit", "exponential", "unit", "disable"));
    if (histogram.has("exponential")) {
      throw new ConfigException(histogram.pathOf("exponential")
          + ": not supported (expected: explicit; Prometheus' text formats have classic buckets only)");
    }
    Unit unit = switch (histogram.string("unit", "ms")) {
      case "ms" -> Unit.MS;
      case "s" -> Unit.S;
      default -> throw histogram.invalid("unit", histogram.string("unit", ""), "ms or s");
    };
    ConfigNode explicit = histogram.child("explicit").requireKnownKeys(Set.of("buckets"));
    List<Duration> buckets = explicit.has("buckets") ? explicit.durationList("buckets") : DEFAULT_BUCKETS;
    if (buckets.isEmpty()) throw explicit.invalid("buckets", "[]", "at least one bucket, e.g. [5ms, 10ms, 1s]");
    long[] bounds = new long[buckets.size()];
    for (int i = 0; i < bounds.length; i++) {
      bounds[i] = buckets.get(i).toNanos();
      if (bounds[i] <= 0 || (i > 0 && bounds[i] <= bounds[i - 1])) {
        throw new ConfigException(explicit.pathOf("buckets") + "[" + i + "]: " + buckets.get(i)
            + " (expected: > 0 and greater than the bucket before)");
      }
    }

    List<String> excludedList = config.stringList("exclude_dimensions");
    for (int i = 0; i < excludedList.size(); i++) {
      if (!DEFAULT_DIMENSIONS.contains(excludedList.get(i))) {
        throw config.invalid("exclude_dimensions[" + i + "]", excludedList.get(i), "one of " + DEFAULT_DIMENSIONS);
      }
    }

    List<Dimension> dimensions = new ArrayList<>();
    // The default labels, and those Prometheus or the overflow series reserve.
    Set<String> labels = new HashSet<>(List.of(naming.serviceLabel, "span_name", "span_kind", "status_code",
        "le", "quantile", "otel_metric_overflow"));
    for (ConfigNode d : config.nodeList("dimensions")) {
      d.requireKnownKeys(Set.of("name", "default"));
      String name = d.string("name", "");
      if (name.isEmpty()) throw d.invalid("name", "", "the attribute to look up, e.g. http.method");
      // The seed lists service.name again: it is a default dimension already, and one label.
      if (DEFAULT_DIMENSIONS.contains(name)) continue;
      String label = labelName(name);
      if (!labels.add(label)) {
        throw d.invalid("name", name, "a name whose label " + label
            + " is not a default label, le, quantile, otel_metric_overflow or another dimension's");
      }
      dimensions.add(new Dimension(name, d.string("default", null), label));
    }

    ConfigNode exemplars = config.child("exemplars").requireKnownKeys(Set.of("enabled", "max_per_data_point"));
    int maxExemplars = exemplars.intValue("max_per_data_point", 0);
    if (maxExemplars < 0) throw exemplars.invalid("max_per_data_point", maxExemplars, ">= 0");

    Duration expiration = config.duration("metrics_expiration", Duration.ZERO);
    if (expiration.isNegative()) throw config.invalid("metrics_expiration", config.string("metrics_expiration", ""), ">= 0");
    int cardinality = config.intValue("aggregation_cardinality_limit", 0);
    if (cardinality < 0) throw config.invalid("aggregation_cardinality_limit", cardinality, ">= 0; 0 is no limit");
    int cacheSize = config.intValue("dimensions_cache_size", 1000);
    if (cacheSize <= 0) throw config.invalid("dimensions_cache_size", cacheSize, "> 0");
    int resourceCache = config.intValue("resource_metrics_cache_size", 1000);
    if (resourceCache <= 0) throw config.invalid("resource_metrics_cache_size", resourceCache, "> 0");
    Duration flush = config.duration("metrics_flush_interval", Duration.ofSeconds(60));
    if (flush.isNegative() || flush.isZero()) {
      throw config.invalid("metrics_flush_interval", config.string("metrics_flush_interval", ""), "> 0s");
    }
    String temporality = config.string("aggregation_temporality", "AGGREGATION_TEMPORALITY_CUMULATIVE");
    if (!temporality.equals("AGGREGATION_TEMPORALITY_CUMULATIVE")) {
      throw config.invalid("aggregation_temporality", temporality,
          "AGGREGATION_TEMPORALITY_CUMULATIVE; Prometheus scrapes cumulative series, delta is not supported");
    }
    ConfigNode events = config.child("events").requireKnownKeys(Set.of("enabled", "dimensions"));
    if (events.bool("enabled", false)) {
      throw events.invalid("enabled", true, "false; the events metric is not supported yet");
    }
    String namespace = config.string("namespace", naming.defaultNamespace);

    return new SpanMetricsConfig(naming, bounds, unit, histogram.bool("disable", false), dimensions,
        new HashSet<>(excludedList), namespace, exemplars.bool("enabled", false), maxExemplars, expiration,
        cardinality, cacheSize, config.stringList("resource_metrics_key_attributes"), flush);
  }

  /** A Prometheus label name for an attribute name: anything but {@code [a-zA-Z0-9_]} becomes {@code _}. */
  static String labelName(String name) {
    StringBuilder b = new StringBuilder(name.length() + 4);
    if (Character.isDigit(name.charAt(0))) b.append("key_");
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      b.append((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ? c : '_');
    }
    return b.toString();
  }

  /** The metric name prefix, {@code traces_spanmetrics_} from {@code traces.spanmetrics}. */
  String prefix() {
    return namespace.isEmpty() ? "" : labelName(namespace) + "_";
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("spanmetrics{naming=").append(naming.name().toLowerCase(Locale.ROOT))
        .append(", namespace=").append(namespace).append(", buckets=[");
    for (int i = 0; i < bucketsNanos.length; i++) b.append(i == 0 ? "" : ", ").append(Duration.ofNanos(bucketsNanos[i]));
    b.append("], unit=").append(effectiveUnit().name().toLowerCase(Locale.ROOT));
    if (histogramDisabled) b.append(", histogram=disabled");
    b.append(", dimensions=").append(dimensions.stream().map(Dimension::name).toList());
    if (!excluded.isEmpty()) b.append(", exclude_dimensions=").append(excluded);
    b.append(", exemplars=").append(exemplarsEnabled);
    if (!metricsExpiration.isZero()) b.append(", metrics_expiration=").append(metricsExpiration);
    if (cardinalityLimit > 0) b.append(", aggregation_cardinality_limit=").append(cardinalityLimit);
    return b.append('}').toString();
  }
}
