package dev.spanloom.server.slo;

/**
 * A bounded ring of (time, total, good) samples of an objective's running counters, oldest
 * overwritten first. Parallel primitive arrays: a 30s interval over 6h is 722 samples per
 * objective, and a 30d budget at one sample per hour as many again.
 */
final class SampleRing {
  private final long[] times;
  private final long[] totals;
  private final long[] goods;
  private int next;
  private int size;

  SampleRing(int capacity) {
    if (capacity < 2) throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 2)");
    times = new long[capacity];
    totals = new long[capacity];
    goods = new long[capacity];
  }

  void add(long timeNanos, long total, long good) {
    times[next] = timeNanos;
    totals[next] = total;
    goods[next] = good;
    next = (next + 1) % times.length;
    if (size < times.length) size++;
  }

  boolean isEmpty() {
    return size == 0;
  }

  long newestTime() {
    return times[index(size - 1)];
  }

  /**
   * The newest sample taken at or before {@code timeNanos}, or the oldest one kept when all are
   * newer (the history is shorter than the window): its position for {@link #total}/{@link #good}.
   */
  int baseAt(long timeNanos) {
    // Binary search over the ring in time order: samples are appended with non-decreasing times.
    int lo = 0;
    int hi = size - 1;
    int found = 0;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (times[index(mid)] <= timeNanos) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return index(found);
  }

  long total(int position) {
    return totals[position];
  }

  long good(int position) {
    return goods[position];
  }

  private int index(int i) {
    int oldest = size < times.length ? 0 : next;
    return (oldest + i) % times.length;
  }
}
