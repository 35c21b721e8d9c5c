package dev.spanloom.pipeline.processor;

import dev.spanloom.model.Span;
import dev.spanloom.pipeline.RefusedException;
import dev.spanloom.pipeline.SpanConsumer;
import dev.spanloom.pipeline.SpanProcessor;
import dev.spanloom.pipeline.config.ConfigNode;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The Collector's {@code memory_limiter}: every {@code check_interval} it reads the heap in use
 * as of the latest garbage collection ({@link HeapAfterGc}: live data, not uncollected garbage);
 * above the soft limit ({@code limit - spike_limit}) it refuses new data until use falls again,
 * and above the hard limit it also asks for a garbage collection. Limits are in MiB or as a
 * percentage of the maximum heap.
 */
public final class MemoryLimiterProcessor implements SpanProcessor {
  public static final String TYPE = "memory_limiter";
  private static final Set<String> KEYS = Set.of("check_interval", "limit_mib", "spike_limit_mib", "limit_percentage", "spike_limit_percentage");
  private static final long MIB = 1024 * 1024;

  private final Duration checkInterval;
  private final long limitBytes;
  private final long spikeBytes;
  private final LongSupplier heapInUse;
  private final AtomicLong refusedBatches = new AtomicLong();
  private volatile boolean refusing;
  private volatile long lastUse;
  private ScheduledExecutorService timer;

  public MemoryLimiterProcessor(Duration checkInterval, long limitBytes, long spikeBytes, LongSupplier heapInUse) {
    if (checkInterval.isZero() || checkInterval.isNegative()) {
      throw new IllegalArgumentException("check_interval: " + checkInterval + " (expected: > 0)");
    }
    if (limitBytes <= 0) throw new IllegalArgumentException("limit: " + limitBytes + " bytes (expected: > 0)");
    if (spikeBytes < 0 || spikeBytes >= limitBytes) {
      throw new IllegalArgumentException("spike_limit: " + spikeBytes + " bytes (expected: >= 0 and < limit " + limitBytes + ")");
    }
    this.checkInterval = checkInterval;
    this.limitBytes = limitBytes;
    this.spikeBytes = spikeBytes;
    this.heapInUse = heapInUse;
  }

  /** The Collector's keys; with neither limit given, 80% of the max heap with a 20% spike. */
  public static MemoryLimiterProcessor fromConfig(ConfigNode config) {
    config.requireKnownKeys(KEYS);
    Duration interval = config.duration("check_interval", Duration.ofSeconds(1));
    if (interval.isZero() || interval.isNegative()) throw config.invalid("check_interval", config.string("check_interval", ""), "> 0s");
    long maxHeap = Runtime.getRuntime().maxMemory();
    long limit;
    long spike;
    if (config.has("limit_mib")) {
      long mib = config.longValue("limit_mib", 0);
      if (mib <= 0) throw config.invalid("limit_mib", mib, "> 0");
      limit = mib * MIB;
      long spikeMib = config.longValue("spike_limit_mib", mib / 5);
      if (spikeMib < 0 || spikeMib >= mib) throw config.invalid("spike_limit_mib", spikeMib, ">= 0 and < limit_mib " + mib);
      spike = spikeMib * MIB;
    } else {
      long pct = config.longValue("limit_percentage", 80);
      if (pct <= 0 || pct > 100) throw config.invalid("limit_percentage", pct, "1 to 100");
      long spikePct = config.longValue("spike_limit_percentage", 20);
      if (spikePct < 0 || spikePct >= pct) throw config.invalid("spike_limit_percentage", spikePct, ">= 0 and < limit_percentage " + pct);
      limit = maxHeap / 100 * pct;
      spike = maxHeap / 100 * spikePct;
    }
    return new MemoryLimiterProcessor(interval, limit, spike, HeapAfterGc.INSTANCE);
  }

  @Override
  public void start() {
    check();
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "spanloom-memory-limiter");
      t.setDaemon(true);
      return t;
    });
    long ms = Math.max(1, checkInterval.toMillis());
    timer.scheduleWithFixedDelay(this::check, ms, ms, TimeUnit.MILLISECONDS);
  }

  /** Measures once and updates the refusing state; the timer calls it every check_interval. */
  public void check() {
    long used = heapInUse.getAsLong();
    if (used > limitBytes) {
      System.gc();
      used = heapInUse.getAsLong();
    }
    lastUse = used;
    refusing = used > limitBytes - spikeBytes;
  }

  @Override
  public CompletableFuture<Void> process(List<Span> spans, SpanConsumer next) {
    if (refusing) {
      refusedBatches.incrementAndGet();
      return CompletableFuture.failedFuture(new RefusedException(RefusedException.Reason.MEMORY_LIMIT,
          "memory_limiter: heap in use " + lastUse / MIB + " MiB is above the soft limit "
              + (limitBytes - spikeBytes) / MIB + " MiB; retry later", checkInterval.multipliedBy(2)));
    }
    return next.consume(spans);
  }

  public boolean isRefusing() {
    return refusing;
  }

  public long refusedBatches() {
    return refusedBatches.get();
  }

  @Override
  public void close() {
    if (timer != null) timer.shutdownNow();
  }

  @Override
  public String toString() {
    return "memory_limiter{check_interval=" + checkInterval.toMillis() + "ms, limit_mib=" + limitBytes / MIB
        + ", spike_limit_mib=" + spikeBytes / MIB + "}";
  }
}
