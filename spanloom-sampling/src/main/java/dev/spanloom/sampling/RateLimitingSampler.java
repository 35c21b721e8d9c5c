package dev.spanloom.sampling;

import static java.util.Objects.requireNonNull;

import dev.spanloom.model.Attributes;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.TraceId;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Jaeger's rate-limiting sampler: a token bucket refilled at {@code tracesPerSecond} credits a
 * second, holding at most {@code max(tracesPerSecond, 1)} and full at start; each sampled trace
 * costs one credit. Meant as the root of a {@link ParentBasedSampler}, so that it limits traces,
 * not spans. Thread-safe (one lock, held for a few arithmetic operations).
 */
public final class RateLimitingSampler implements Sampler {
  private final double tracesPerSecond;
  private final double maxBalance;
  private final double creditsPerNanosecond;
  private final LongSupplier nanoTime;
  private final String description;
  private double balance; // guarded by this
  private long lastTick; // guarded by this

  /**
   * @param nanoTime a monotonic clock in nanoseconds ({@code System::nanoTime}; tests pass their own)
   */
  public RateLimitingSampler(double tracesPerSecond, LongSupplier nanoTime) {
    if (!(tracesPerSecond >= 0) || Double.isInfinite(tracesPerSecond)) {
      throw new IllegalArgumentException("tracesPerSecond: " + tracesPerSecond + " (expected: a finite number >= 0)");
    }
    this.tracesPerSecond = tracesPerSecond;
    this.maxBalance = Math.max(tracesPerSecond, 1.0);
    this.creditsPerNanosecond = tracesPerSecond / 1e9;
    this.nanoTime = requireNonNull(nanoTime, "nanoTime");
    this.balance = maxBalance;
    this.lastTick = nanoTime.getAsLong();
    this.description = String.format(Locale.ROOT, "RateLimitingSampler{%.2f}", tracesPerSecond);
  }

  public double tracesPerSecond() {
    return tracesPerSecond;
  }

  private synchronized boolean takeCredit() {
    long now = nanoTime.getAsLong();
    balance = Math.min(maxBalance, balance + (now - lastTick) * creditsPerNanosecond);
    lastTick = now;
    if (balance >= 1.0) {
      balance -= 1.0;
      return true;
    }
    return false;
  }

  @Override
  public SamplingResult shouldSample(SamplingParent parent, TraceId traceId, String name, SpanKind kind, Attributes attributes) {
    return new SamplingResult(takeCredit() ? SamplingDecision.RECORD_AND_SAMPLE : SamplingDecision.DROP, parent.traceState());
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public String toString() {
    return description;
  }
}
