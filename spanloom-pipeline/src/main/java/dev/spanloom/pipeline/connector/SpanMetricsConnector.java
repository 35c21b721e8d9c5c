package dev.spanloom.pipeline.connector;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Span;
import dev.spanloom.model.SpanId;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.StatusCode;
import dev.spanloom.model.TraceId;
import dev.spanloom.pipeline.config.ConfigNode;
import dev.spanloom.pipeline.connector.SpanMetricsConfig.Dimension;
import dev.spanloom.pipeline.connector.SpanMetricsConfig.Naming;
import dev.spanloom.pipeline.metrics.MetricsConnector;
import dev.spanloom.pipeline.metrics.SpanExemplar;
import dev.spanloom.pipeline.metrics.SpanMetricsView;
import dev.spanloom.pipeline.metrics.SpanSeries;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The Collector's {@code spanmetrics} connector: a calls counter and a duration histogram per
 * service, span name, kind, status code and configured dimension, with exemplars pointing at
 * spans, idle series expiry and a cardinality limit with one overflow series. Series are
 * cumulative and read by the metrics pipeline's exporters (Prometheus scrapes) and, typed,
 * through {@link SpanMetricsView} by SLOs and the RED API.
 *
 * <p>The hot path takes one lock per batch and allocates only when a span opens a new series:
 * the series is found through a reused probe key whose parts are the span's own strings and
 * attribute values, and exemplars live in primitive arrays, one slot per bucket.
 */
public final class SpanMetricsConnector implements MetricsConnector, SpanMetricsView {
  public static final String TYPE = "spanmetrics";
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
  private static final String OVERFLOW_LABEL = "otel_metric_overflow";

  private final SpanMetricsConfig config;
  private final LongSupplier epochNanos;
  private final long[] bounds;
  private final double[] upperBounds; // in the written unit, +Inf last
  private final Dimension[] dimensions;
  private final AttributeValue[] dimensionDefaults;
  private final boolean keepService;
  private final boolean keepName;
  private final boolean keepKind;
  private final boolean keepStatus;
  private final String callsName;
  private final String durationName;
  private final String sizeName; // Tempo only, else null

  private final Object lock = new Object();
  private final Map<SeriesKey, Series> series = new HashMap<>(); // guarded by lock
  private final SeriesKey probe; // guarded by lock: reused to look series up without allocating
  private Series overflow; // guarded by lock
  private long lastSweepNanos; // guarded by lock

  public SpanMetricsConnector(SpanMetricsConfig config, LongSupplier epochNanos) {
    this.config = Objects.requireNonNull(config, "config");
    this.epochNanos = Objects.requireNonNull(epochNanos, "epochNanos");
    this.bounds = config.bucketsNanos();
    double unitNanos = config.effectiveUnit().nanos;
    this.upperBounds = new double[bounds.length + 1];
    for (int i = 0; i < bounds.length; i++) upperBounds[i] = bounds[i] / unitNanos;
    upperBounds[bounds.length] = Double.POSITIVE_INFINITY;
    this.dimensions = config.dimensions().toArray(new Dimension[0]);
    this.dimensionDefaults = new AttributeValue[dimensions.length];
    for (int i = 0; i < dimensions.length; i++) {
      if (dimensions[i].defaultValue() != null) dimensionDefaults[i] = AttributeValue.of(dimensions[i].defaultValue());
    }
    keepService = !config.excluded().contains(SpanMetricsConfig.SERVICE_NAME);
    keepName = !config.excluded().contains(SpanMetricsConfig.SPAN_NAME);
    keepKind = !config.excluded().contains(SpanMetricsConfig.SPAN_KIND);
    keepStatus = !config.excluded().contains(SpanMetricsConfig.STATUS_CODE);
    String prefix = config.prefix();
    callsName = prefix + "calls"; // the writers append _total
    boolean tempo = config.naming() == Naming.TEMPO;
    durationName = tempo ? prefix + "latency" : prefix + "duration_" + config.effectiveUnit().suffix;
    sizeName = tempo ? prefix + "size" : null;
    probe = new SeriesKey(new AttributeValue[dimensions.length]);
  }

  public static SpanMetricsConnector fromConfig(ConfigNode node) {
    return new SpanMetricsConnector(SpanMetricsConfig.fromConfig(node), SpanMetricsConnector::now);
  }

  private static long now() {
    Instant i = Instant.now();
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  @Override
  public CompletableFuture<Void> consume(List<Span> spans) {
    long now = epochNanos.getAsLong();
    synchronized (lock) {
      for (int i = 0, n = spans.size(); i < n; i++) record(spans.get(i), now);
      if (sweepDue(now)) sweep(now);
    }
    return DONE;
  }

  private void record(Span span, long now) {
    SeriesKey key = probe;
    key.service = keepService ? span.serviceName() : "";
    key.name = keepName ? span.name() : "";
    key.kind = keepKind ? span.kind() : SpanKind.UNSPECIFIED;
    key.status = keepStatus ? span.status().code() : StatusCode.UNSET;
    for (int d = 0; d < dimensions.length; d++) {
      String name = dimensions[d].name();
      AttributeValue v = span.attributes().get(name);
      if (v == null) v = span.resource().attributes().get(name);
      key.dims[d] = v != null ? v : dimensionDefaults[d];
    }
    key.rehash();
    Series s = series.get(key);
    if (s == null) s = newSeries(key, now);
    long duration = Math.max(0, span.durationNanos());
    int bucket = bucketOf(duration);
    s.lastNanos = now;
    s.calls++;
    s.buckets[bucket]++;
    s.sumNanos += duration;
    if (sizeName != null) s.sizeBytes += span.estimatedSizeBytes();
    if (s.exTraceHigh != null) {
      TraceId t = span.traceId();
      s.exTraceHigh[bucket] = t.high();
      s.exTraceLow[bucket] = t.low();
      s.exSpan[bucket] = span.spanId().value();
      s.exDuration[bucket] = duration;
      s.exEnd[bucket] = span.endEpochNanos();
    }
  }

  private Series newSeries(SeriesKey probeKey, long now) {
    if (config.cardinalityLimit() > 0 && series.size() >= config.cardinalityLimit()) {
      if (overflow == null) overflow = new Series(null, now, bounds.length + 1, config.exemplarsEnabled());
      return overflow;
    }
    SeriesKey key = probeKey.copy();
    Series s = new Series(key, now, bounds.length + 1, config.exemplarsEnabled());
    series.put(key, s);
    return s;
  }

  private int bucketOf(long durationNanos) {
    // Prometheus buckets hold values <= their upper bound.
    int i = Arrays.binarySearch(bounds, durationNanos);
    return i >= 0 ? i : -i - 1;
  }

  private boolean sweepDue(long now) {
    long expiration = config.metricsExpiration().toNanos();
    return expiration > 0 && now - lastSweepNanos >= Math.min(expiration, 1_000_000_000L);
  }

  /** Drops series no span updated within {@code metrics_expiration}. */
  private void sweep(long now) {
    lastSweepNanos = now;
    long oldest = now - config.metricsExpiration().toNanos();
    for (Iterator<Series> it = series.values().iterator(); it.hasNext(); ) {
      if (it.next().lastNanos < oldest) it.remove();
    }
    if (overflow != null && overflow.lastNanos < oldest) overflow = null;
  }

  /** Copies of every series kept now, read under the lock, expired ones dropped first. */
  private List<Series> copies() {
    long now = epochNanos.getAsLong();
    synchronized (lock) {
      if (config.metricsExpiration().toNanos() > 0) sweep(now);
      List<Series> out = new ArrayList<>(series.size() + 1);
      for (Series s : series.values()) out.add(s.copy());
      if (overflow != null) out.add(overflow.copy());
      return out;
    }
  }

  /** Number of series kept now, the overflow series included. */
  public int seriesCount() {
    synchronized (lock) {
      return series.size() + (overflow == null ? 0 : 1);
    }
  }

  @Override
  public MetricSnapshots collect() {
    List<Series> all = copies();
    double unitNanos = config.effectiveUnit().nanos;
    CounterSnapshot.Builder calls = CounterSnapshot.builder().name(callsName)
        .help("Spans seen, by service, span name, kind and status code (and configured dimensions).");
    HistogramSnapshot.Builder durations = HistogramSnapshot.builder().name(durationName)
        .help("Span durations in " + config.effectiveUnit().suffix + ".");
    CounterSnapshot.Builder sizes = sizeName == null ? null : CounterSnapshot.builder().name(sizeName)
        .help("Bytes of spans seen (Spanloom's estimate of their encoded size).");
    for (Series s : all) {
      Labels labels = labels(s.key);
      long createdMillis = s.createdNanos / 1_000_000;
      Exemplars exemplars = exemplars(s, unitNanos);
      CounterDataPointSnapshot.Builder call = CounterDataPointSnapshot.builder().labels(labels).value(s.calls)
          .createdTimestampMillis(createdMillis);
      if (exemplars.size() > 0) call.exemplar(exemplars.getLatest());
      calls.dataPoint(call.build());
      if (!config.histogramDisabled()) {
        durations.dataPoint(HistogramDataPointSnapshot.builder().labels(labels)
            .classicHistogramBuckets(ClassicHistogramBuckets.of(upperBounds, s.buckets))
            .sum(s.sumNanos / unitNanos).exemplars(exemplars).createdTimestampMillis(createdMillis).build());
      }
      if (sizes != null) {
        sizes.dataPoint(CounterDataPointSnapshot.builder().labels(labels).value(s.sizeBytes)
            .createdTimestampMillis(createdMillis).build());
      }
    }
    MetricSnapshots.Builder out = MetricSnapshots.builder().metricSnapshot(calls.build());
    if (!config.histogramDisabled()) out.metricSnapshot(durations.build());
    if (sizes != null) out.metricSnapshot(sizes.build());
    return out.build();
  }

  private Labels labels(SeriesKey key) {
    if (key == null) return Labels.of(OVERFLOW_LABEL, "true");
    if (key.labels != null) return key.labels; // built once per series, on its first scrape
    List<String> names = new ArrayList<>(4 + dimensions.length);
    List<String> values = new ArrayList<>(4 + dimensions.length);
    if (keepService) add(names, values, config.naming().serviceLabel, key.service);
    if (keepName) add(names, values, "span_name", key.name);
    if (keepKind) add(names, values, "span_kind", kindLabel(key.kind));
    if (keepStatus) add(names, values, "status_code", statusLabel(key.status));
    for (int d = 0; d < dimensions.length; d++) {
      // As the Collector does: a dimension with neither value nor default is left out.
      if (key.dims[d] != null) add(names, values, dimensions[d].label(), key.dims[d].asString());
    }
    key.labels = Labels.of(names, values);
    return key.labels;
  }

  private static void add(List<String> names, List<String> values, String name, String value) {
    names.add(name);
    values.add(value);
  }

  /** As the Collector writes it: {@code SPAN_KIND_SERVER}. */
  public static String kindLabel(SpanKind kind) {
    return "SPAN_KIND_" + kind.name();
  }

  /** As the Collector writes it: {@code STATUS_CODE_ERROR}. */
  public static String statusLabel(StatusCode status) {
    return "STATUS_CODE_" + status.name();
  }

  /** The series' exemplars, one per bucket at most, newest first, capped at max_per_data_point. */
  private Exemplars exemplars(Series s, double unitNanos) {
    if (s.exTraceHigh == null) return Exemplars.EMPTY;
    List<Integer> filled = new ArrayList<>();
    for (int b = 0; b < s.buckets.length; b++) {
      if (s.exSpan[b] != 0) filled.add(b);
    }
    filled.sort(Comparator.comparingLong((Integer b) -> s.exEnd[b]).reversed());
    int max = config.maxExemplarsPerDataPoint() == 0 ? filled.size() : Math.min(filled.size(), config.maxExemplarsPerDataPoint());
    List<Exemplar> out = new ArrayList<>(max);
    for (int i = 0; i < max; i++) {
      int b = filled.get(i);
      out.add(Exemplar.builder().value(s.exDuration[b] / unitNanos)
          .traceId(new TraceId(s.exTraceHigh[b], s.exTraceLow[b]).toHex())
          .spanId(new SpanId(s.exSpan[b]).toHex())
          .timestampMillis(s.exEnd[b] / 1_000_000).build());
    }
    return Exemplars.of(out);
  }

  /**
   * The Prometheus names this connector's series are written under, for readers that generate
   * queries over them (the SLO rules): the calls counter with {@code _total}, the duration
   * histogram without {@code _bucket}/{@code _count}, the service label, and the nanoseconds in
   * one unit of the histogram's {@code le}.
   */
  public PrometheusNames prometheusNames() {
    return new PrometheusNames(callsName + "_total", durationName, config.naming().serviceLabel, config.effectiveUnit().nanos);
  }

  /** See {@link #prometheusNames()}. */
  public record PrometheusNames(String calls, String duration, String serviceLabel, double unitNanos) {}

  @Override
  public long[] bucketBoundsNanos() {
    return bounds.clone();
  }

  /** Series summed over the configured dimensions; the overflow series has service {@code ""}. */
  @Override
  public List<SpanSeries> series() {
    Map<List<Object>, SpanSeries> merged = new LinkedHashMap<>();
    for (Series s : copies()) {
      SeriesKey k = s.key;
      List<Object> id = k == null ? List.of("", "", SpanKind.UNSPECIFIED, StatusCode.UNSET)
          : List.of(k.service, k.name, k.kind, k.status);
      SpanSeries one = new SpanSeries((String) id.get(0), (String) id.get(1), (SpanKind) id.get(2),
          (StatusCode) id.get(3), s.calls, s.buckets, s.sumNanos, s.createdNanos, viewExemplars(s));
      merged.merge(id, one, SpanMetricsConnector::sum);
    }
    return List.copyOf(merged.values());
  }

  private static SpanSeries sum(SpanSeries a, SpanSeries b) {
    long[] buckets = a.bucketCounts().clone();
    for (int i = 0; i < buckets.length; i++) buckets[i] += b.bucketCounts()[i];
    List<SpanExemplar> exemplars = new ArrayList<>(a.exemplars());
    exemplars.addAll(b.exemplars());
    exemplars.sort(Comparator.comparingLong(SpanExemplar::endEpochNanos));
    return new SpanSeries(a.service(), a.spanName(), a.kind(), a.status(), a.calls() + b.calls(), buckets,
        a.durationSumNanos() + b.durationSumNanos(), Math.min(a.createdEpochNanos(), b.createdEpochNanos()),
        List.copyOf(exemplars));
  }

  private static List<SpanExemplar> viewExemplars(Series s) {
    if (s.exTraceHigh == null) return List.of();
    List<SpanExemplar> out = new ArrayList<>();
    for (int b = 0; b < s.buckets.length; b++) {
      if (s.exSpan[b] == 0) continue;
      out.add(new SpanExemplar(new TraceId(s.exTraceHigh[b], s.exTraceLow[b]), new SpanId(s.exSpan[b]),
          s.exDuration[b], s.exEnd[b]));
    }
    out.sort(Comparator.comparingLong(SpanExemplar::endEpochNanos));
    return out;
  }

  @Override
  public String toString() {
    return config.toString();
  }

  /**
   * What tells series apart. The probe instance is refilled per span; stored keys are copies.
   * Dimension values stay attribute values (no string per span); absent ones are null.
   */
  private static final class SeriesKey {
    String service;
    String name;
    SpanKind kind;
    StatusCode status;
    final AttributeValue[] dims;
    int hash;
    Labels labels; // of a stored key, built on its first scrape

    SeriesKey(AttributeValue[] dims) {
      this.dims = dims;
    }

    void rehash() {
      int h = service.hashCode();
      h = 31 * h + name.hashCode();
      h = 31 * h + kind.ordinal();
      h = 31 * h + status.ordinal();
      for (AttributeValue d : dims) h = 31 * h + (d == null ? 0 : d.hashCode());
      hash = h;
    }

    SeriesKey copy() {
      SeriesKey k = new SeriesKey(dims.clone());
      k.service = service;
      k.name = name;
      k.kind = kind;
      k.status = status;
      k.hash = hash;
      return k;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof SeriesKey k)) return false;
      if (hash != k.hash || kind != k.kind || status != k.status) return false;
      if (!service.equals(k.service) || !name.equals(k.name)) return false;
      for (int i = 0; i < dims.length; i++) {
        if (!Objects.equals(dims[i], k.dims[i])) return false;
      }
      return true;
    }
  }

  /** One series' cumulative values; exemplar arrays hold the newest span per bucket. */
  private static final class Series {
    final SeriesKey key; // null for the overflow series
    final long createdNanos;
    long lastNanos;
    long calls;
    final long[] buckets;
    double sumNanos;
    long sizeBytes;
    final long[] exTraceHigh;
    final long[] exTraceLow;
    final long[] exSpan; // 0 when the bucket has no exemplar yet: a valid span ID is never 0
    final long[] exDuration;
    final long[] exEnd;

    Series(SeriesKey key, long now, int bucketCount, boolean exemplars) {
      this.key = key;
      this.createdNanos = now;
      this.lastNanos = now;
      this.buckets = new long[bucketCount];
      this.exTraceHigh = exemplars ? new long[bucketCount] : null;
      this.exTraceLow = exemplars ? new long[bucketCount] : null;
      this.exSpan = exemplars ? new long[bucketCount] : null;
      this.exDuration = exemplars ? new long[bucketCount] : null;
      this.exEnd = exemplars ? new long[bucketCount] : null;
    }

    private Series(Series from) {
      key = from.key;
      createdNanos = from.createdNanos;
      lastNanos = from.lastNanos;
      calls = from.calls;
      buckets = from.buckets.clone();
      sumNanos = from.sumNanos;
      sizeBytes = from.sizeBytes;
      exTraceHigh = from.exTraceHigh == null ? null : from.exTraceHigh.clone();
      exTraceLow = from.exTraceLow == null ? null : from.exTraceLow.clone();
      exSpan = from.exSpan == null ? null : from.exSpan.clone();
      exDuration = from.exDuration == null ? null : from.exDuration.clone();
      exEnd = from.exEnd == null ? null : from.exEnd.clone();
    }

    Series copy() {
      return new Series(this);
    }
  }
}
