package dev.spanloom.server.api;

import static java.util.Objects.requireNonNull;

import dev.spanloom.model.SpanKind;
import dev.spanloom.model.StatusCode;
import dev.spanloom.pipeline.metrics.SpanMetricsView;
import dev.spanloom.pipeline.metrics.SpanSeries;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A short, bounded memory of span metrics for the RED API: every {@code step} the cumulative
 * calls, errors and duration buckets of each operation are sampled from the {@link
 * SpanMetricsView}; samples older than {@code retention} are dropped, and at most {@code
 * maxOperations} operations are kept per sample (the rest are counted in {@link #droppedOperations()}).
 * Rates and quantiles are differences between two samples, as Prometheus' {@code rate} would take.
 */
public final class RedHistory implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RedHistory.class);
  public static final Duration DEFAULT_STEP = Duration.ofSeconds(15);
  public static final Duration DEFAULT_RETENTION = Duration.ofHours(1);
  public static final int DEFAULT_MAX_OPERATIONS = 1000;

  /** One operation: a span name and kind of a service. */
  record OpKey(String service, String operation, SpanKind kind) {}

  /** Cumulative values of an operation at one time; buckets per the view's bounds, +Inf last. */
  record Point(long calls, long errors, long[] buckets) {}

  /** All operations at {@code epochSeconds}. */
  record Sample(long epochSeconds, Map<OpKey, Point> points) {}

  private final SpanMetricsView view;
  private final Clock clock;
  private final Duration step;
  private final Duration retention;
  private final int maxOperations;
  private final long startedEpochSeconds;
  private final ArrayDeque<Sample> samples = new ArrayDeque<>(); // guarded by this, oldest first
  private long droppedOperations; // guarded by this
  private ScheduledExecutorService timer;

  public RedHistory(SpanMetricsView view, Clock clock, Duration step, Duration retention, int maxOperations) {
    this.view = requireNonNull(view, "view");
    this.clock = requireNonNull(clock, "clock");
    if (step.isNegative() || step.isZero()) throw new IllegalArgumentException("step: " + step + " (expected: > 0s)");
    if (retention.compareTo(step) < 0) {
      throw new IllegalArgumentException("retention: " + retention + " (expected: >= step " + step + ")");
    }
    if (maxOperations <= 0) throw new IllegalArgumentException("maxOperations: " + maxOperations + " (expected: > 0)");
    this.step = step;
    this.retention = retention;
    this.maxOperations = maxOperations;
    this.startedEpochSeconds = clock.instant().getEpochSecond();
  }

  public RedHistory(SpanMetricsView view) {
    this(view, Clock.systemUTC(), DEFAULT_STEP, DEFAULT_RETENTION, DEFAULT_MAX_OPERATIONS);
  }

  /** Samples every {@code step} on a daemon thread until {@link #close()}. */
  public synchronized void start() {
    if (timer != null) return;
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "spanloom-red-history");
      t.setDaemon(true);
      return t;
    });
    long millis = step.toMillis();
    timer.scheduleAtFixedRate(() -> {
      try {
        sample();
      } catch (RuntimeException e) {
        // A failed sample leaves a gap in the series; it must not end the sampling.
        LOG.warn("event=red_sample_failed error={}", e.toString());
      }
    }, 0, millis, TimeUnit.MILLISECONDS); // the first sample, at start, is the baseline of the first step
  }

  @Override
  public synchronized void close() {
    if (timer != null) timer.shutdownNow();
  }

  /** Takes one sample now and drops those older than the retention. */
  public void sample() {
    Sample s = sampleOf(view.series(), true);
    synchronized (this) {
      samples.addLast(s);
      // One sample beyond the retention stays: it is the baseline of the oldest window.
      while (samples.size() > 2 && samples.peekFirst().epochSeconds() < s.epochSeconds() - retentionSeconds() - stepSeconds()) {
        samples.removeFirst();
      }
    }
  }

  /** What the view holds now, as a sample; not kept. */
  Sample current() {
    return sampleOf(view.series(), false);
  }

  /**
   * {@code series} as a sample. Operations beyond the bound are counted as dropped only for a
   * sample that is kept, so reading the API does not inflate the count.
   */
  Sample sampleOf(List<SpanSeries> series, boolean kept) {
    long now = clock.instant().getEpochSecond();
    Map<OpKey, Point> points = new HashMap<>();
    long dropped = 0;
    for (SpanSeries s : series) {
      if (s.service().isEmpty()) continue; // the overflow series: no service to show it under
      OpKey key = new OpKey(s.service(), s.spanName(), s.kind());
      Point p = points.get(key);
      if (p == null && points.size() >= maxOperations) {
        dropped++;
        continue;
      }
      long errors = s.status() == StatusCode.ERROR ? s.calls() : 0;
      points.put(key, p == null
          ? new Point(s.calls(), errors, s.bucketCounts().clone())
          : add(p, s.calls(), errors, s.bucketCounts()));
    }
    if (kept && dropped > 0) {
      synchronized (this) {
        droppedOperations += dropped;
      }
    }
    return new Sample(now, points);
  }

  private static Point add(Point p, long calls, long errors, long[] buckets) {
    long[] sum = p.buckets().clone();
    for (int i = 0; i < sum.length; i++) sum[i] += buckets[i];
    return new Point(p.calls() + calls, p.errors() + errors, sum);
  }

  /** The newest sample taken at or before {@code epochSeconds}, or null. */
  synchronized Sample atOrBefore(long epochSeconds) {
    Sample found = null;
    for (Sample s : samples) {
      if (s.epochSeconds() > epochSeconds) break;
      found = s;
    }
    return found;
  }

  /** Samples taken after {@code epochSeconds}, oldest first. */
  synchronized List<Sample> after(long epochSeconds) {
    List<Sample> out = new ArrayList<>();
    for (Sample s : samples) {
      if (s.epochSeconds() > epochSeconds) out.add(s);
    }
    return out;
  }

  SpanMetricsView view() {
    return view;
  }

  long stepSeconds() {
    return step.toSeconds();
  }

  long retentionSeconds() {
    return retention.toSeconds();
  }

  long startedEpochSeconds() {
    return startedEpochSeconds;
  }

  /** Operations left out of samples because {@code maxOperations} were kept already. */
  public synchronized long droppedOperations() {
    return droppedOperations;
  }

  @Override
  public String toString() {
    return "RedHistory{step=" + step + ", retention=" + retention + ", max_operations=" + maxOperations + "}";
  }
}
