package dev.spanloom.bench;

import io.grpc.Status;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Outcomes of export requests, recorded from gRPC callbacks on any thread and read as windows
 * by the one thread that reports. Latency is recorded for accepted exports only, so that fast
 * refusals do not pull the percentiles down; refusals are counted by status code instead.
 */
final class ExportStats {
  private static final Status.Code[] CODES = Status.Code.values();
  // Microseconds up to a minute, three significant digits: ~200 KiB per histogram.
  private static final long MAX_LATENCY_MICROS = TimeUnit.MINUTES.toMicros(1);

  private final LongAdder acceptedSpans = new LongAdder();
  private final LongAdder rejectedSpans = new LongAdder();
  private final LongAdder okRequests = new LongAdder();
  private final AtomicLongArray failures = new AtomicLongArray(CODES.length);
  private final Recorder latency = new Recorder(1, MAX_LATENCY_MICROS, 3);

  private long lastAt;
  private Window last;

  ExportStats(long startNanos) {
    this.lastAt = startNanos;
    this.last = Window.empty();
  }

  /** An OK response; {@code rejected} is the response's {@code partial_success.rejected_spans}. */
  void succeeded(int spans, long rejected, long latencyNanos) {
    acceptedSpans.add(spans - rejected);
    rejectedSpans.add(rejected);
    okRequests.increment();
    latency.recordValue(Math.min(MAX_LATENCY_MICROS, Math.max(1, latencyNanos / 1000)));
  }

  void failed(Status.Code code) {
    failures.incrementAndGet(code.ordinal());
  }

  /** What happened since the previous call (or since construction). Reporter thread only. */
  Window take(long nowNanos) {
    long[] f = new long[CODES.length];
    for (int i = 0; i < f.length; i++) f[i] = failures.get(i);
    Window total = new Window(0, acceptedSpans.sum(), rejectedSpans.sum(), okRequests.sum(), f, null);
    Window delta = new Window(nowNanos - lastAt,
        total.acceptedSpans - last.acceptedSpans,
        total.rejectedSpans - last.rejectedSpans,
        total.okRequests - last.okRequests,
        minus(f, last.failures),
        latency.getIntervalHistogram());
    last = total;
    lastAt = nowNanos;
    return delta;
  }

  private static long[] minus(long[] a, long[] b) {
    long[] d = new long[a.length];
    for (int i = 0; i < a.length; i++) d[i] = a[i] - b[i];
    return d;
  }

  /** Counts over a span of time; {@link #plus} joins consecutive windows. */
  record Window(long nanos, long acceptedSpans, long rejectedSpans, long okRequests, long[] failures,
      Histogram latency) {

    static Window empty() {
      return new Window(0, 0, 0, 0, new long[CODES.length], new Histogram(1, MAX_LATENCY_MICROS, 3));
    }

    Window plus(Window o) {
      long[] f = new long[CODES.length];
      for (int i = 0; i < f.length; i++) f[i] = failures[i] + o.failures[i];
      Histogram h = latency.copy();
      h.add(o.latency);
      return new Window(nanos + o.nanos, acceptedSpans + o.acceptedSpans, rejectedSpans + o.rejectedSpans,
          okRequests + o.okRequests, f, h);
    }

    long backpressure() {
      return failures[Status.Code.RESOURCE_EXHAUSTED.ordinal()];
    }

    /** Failures other than backpressure. */
    long errors() {
      long n = 0;
      for (int i = 0; i < failures.length; i++) n += failures[i];
      return n - backpressure();
    }

    /** {@code UNAVAILABLE=3 DEADLINE_EXCEEDED=1}, or {@code none}; backpressure is reported apart. */
    String errorsByCode() {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < failures.length; i++) {
        if (failures[i] == 0 || CODES[i] == Status.Code.RESOURCE_EXHAUSTED) continue;
        if (sb.length() > 0) sb.append(' ');
        sb.append(CODES[i]).append('=').append(failures[i]);
      }
      return sb.length() == 0 ? "none" : sb.toString();
    }

    double perSecond(long count) {
      return nanos == 0 ? 0 : count * 1e9 / nanos;
    }

    /** Latency at {@code percentile} (0-100) in milliseconds; 0 when nothing was accepted. */
    double latencyMillis(double percentile) {
      return latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(percentile) / 1000.0;
    }

    double maxLatencyMillis() {
      return latency.getTotalCount() == 0 ? 0 : latency.getMaxValue() / 1000.0;
    }
  }
}
