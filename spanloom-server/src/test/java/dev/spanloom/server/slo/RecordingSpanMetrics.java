package dev.spanloom.server.slo;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Attributes;
import dev.spanloom.model.Resource;
import dev.spanloom.model.Span;
import dev.spanloom.model.SpanId;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.Status;
import dev.spanloom.model.StatusCode;
import dev.spanloom.model.TraceId;
import dev.spanloom.pipeline.metrics.MetricsConnector;
import dev.spanloom.pipeline.metrics.SpanMetricsView;
import dev.spanloom.pipeline.metrics.SpanSeries;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A minimal span-metrics connector for the SLO tests, until the real spanmetrics connector is
 * on main: cumulative calls and duration buckets per service, span name, kind and status, from
 * the spans it is given. Registered in tests as connector type {@value #TYPE}.
 */
public final class RecordingSpanMetrics implements MetricsConnector, SpanMetricsView {
  public static final String TYPE = "recordingspanmetrics";
  /** 100ms, 250ms, 500ms, 1s, 2.5s. */
  public static final long[] BOUNDS_NANOS = {100_000_000L, 250_000_000L, 500_000_000L, 1_000_000_000L, 2_500_000_000L};

  private record Key(String service, String name, SpanKind kind, StatusCode status) {}

  private static final class Counts {
    final long created;
    long calls;
    final long[] buckets = new long[BOUNDS_NANOS.length + 1];
    double sum;

    Counts(long created) {
      this.created = created;
    }
  }

  private final Map<Key, Counts> series = new LinkedHashMap<>();
  private long creations;

  @Override
  public synchronized CompletableFuture<Void> consume(List<Span> spans) {
    for (Span s : spans) {
      // A distinct creation stamp per series, as a real connector's creation time is.
      Counts c = series.computeIfAbsent(new Key(s.serviceName(), s.name(), s.kind(), s.status().code()),
          k -> new Counts(++creations));
      c.calls++;
      int i = 0;
      while (i < BOUNDS_NANOS.length && s.durationNanos() > BOUNDS_NANOS[i]) i++;
      c.buckets[i]++;
      c.sum += s.durationNanos();
    }
    return CompletableFuture.completedFuture(null);
  }

  /** Drops every series, as a connector expiring idle series does. */
  public synchronized void expireAll() {
    series.clear();
  }

  @Override
  public long[] bucketBoundsNanos() {
    return BOUNDS_NANOS.clone();
  }

  @Override
  public synchronized List<SpanSeries> series() {
    List<SpanSeries> out = new ArrayList<>();
    series.forEach((k, c) -> out.add(new SpanSeries(k.service(), k.name(), k.kind(), k.status(), c.calls,
        c.buckets.clone(), c.sum, c.created, List.of())));
    return out;
  }

  @Override
  public MetricSnapshots collect() {
    return new MetricSnapshots();
  }

  /** {@code count} spans of a service, with the given duration and status. */
  public static List<Span> spans(String service, String name, SpanKind kind, long durationMillis, StatusCode status, int count) {
    List<Span> out = new ArrayList<>(count);
    Resource resource = Resource.of(Attributes.of(Resource.SERVICE_NAME, AttributeValue.of(service)));
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < count; i++) {
      out.add(Span.builder()
          .traceId(new TraceId(random.nextLong() | 1, random.nextLong()))
          .spanId(new SpanId(random.nextLong() | 1))
          .name(name)
          .kind(kind)
          .startEpochNanos(1_000_000_000L)
          .endEpochNanos(1_000_000_000L + durationMillis * 1_000_000L)
          .status(status == StatusCode.ERROR ? Status.ERROR : Status.UNSET)
          .resource(resource)
          .build());
    }
    return out;
  }
}
