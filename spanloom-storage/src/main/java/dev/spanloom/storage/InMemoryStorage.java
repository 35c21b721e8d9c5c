package dev.spanloom.storage;

import static java.util.Objects.requireNonNull;

import dev.spanloom.model.Span;
import dev.spanloom.model.Trace;
import dev.spanloom.model.TraceId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;

/**
 * Keeps spans on the heap, bounded in bytes ({@link Span#estimatedSizeBytes()}). When a write
 * takes it over {@link #maxBytes()}, whole traces are evicted, the first written first, until it
 * fits again; {@link #evictedTraces()} counts them. For tests, demos and small deployments:
 * nothing survives {@link #close()} or a restart.
 *
 * <p>Thread-safe. Writers hold an exclusive lock only to append and evict; a search holds the
 * shared lock only to collect the stored traces and evaluates them after releasing it.
 */
public final class InMemoryStorage implements StorageComponent, SpanWriter, TraceReader {
  /** The default of {@link Builder#maxBytes(long)}: 256 MiB. */
  public static final long DEFAULT_MAX_BYTES = 256L << 20;

  private final long maxBytes;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  // Guarded by lock. Insertion order is first-write order, which is also the eviction order.
  private final LinkedHashMap<TraceId, StoredTrace> traces = new LinkedHashMap<>();
  // Written under the write lock, volatile so that the getters need no lock.
  private volatile long usedBytes;
  private volatile long evictedTraces;
  private volatile boolean closed;

  private InMemoryStorage(Builder builder) {
    this.maxBytes = builder.maxBytes;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public SpanWriter writer() {
    return this;
  }

  @Override
  public TraceReader reader() {
    return this;
  }

  @Override
  public boolean isReady() {
    return !closed;
  }

  /** Drops everything stored; later reads and writes fail with a {@link StorageException}. */
  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      closed = true;
      traces.clear();
      usedBytes = 0;
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void write(List<Span> spans) {
    if (spans.isEmpty()) return;
    // Group and size outside the lock so that the exclusive section only appends and evicts.
    Map<TraceId, Part> byTrace = new LinkedHashMap<>();
    long bytes = 0;
    for (Span span : spans) {
      Part part = byTrace.computeIfAbsent(span.traceId(), id -> new Part());
      int size = span.estimatedSizeBytes();
      part.spans.add(span);
      part.bytes += size;
      bytes += size;
    }
    lock.writeLock().lock();
    try {
      checkOpen();
      for (Map.Entry<TraceId, Part> e : byTrace.entrySet()) {
        traces.computeIfAbsent(e.getKey(), StoredTrace::new).append(e.getValue());
      }
      long used = usedBytes + bytes;
      var oldestFirst = traces.values().iterator();
      long evicted = 0;
      while (used > maxBytes && oldestFirst.hasNext()) {
        used -= oldestFirst.next().bytes;
        oldestFirst.remove();
        evicted++;
      }
      usedBytes = used;
      if (evicted != 0) evictedTraces += evicted;
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public Optional<Trace> findTrace(TraceId traceId) {
    requireNonNull(traceId, "traceId");
    lock.readLock().lock();
    try {
      checkOpen();
      StoredTrace stored = traces.get(traceId);
      return stored == null ? Optional.empty() : Optional.of(stored.merged());
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public List<TraceSummary> search(SearchRequest request) {
    SpanMatcher matcher = SpanMatcher.of(request);
    List<TraceSummary> hits = new ArrayList<>();
    for (Trace trace : snapshot()) matcher.match(trace).ifPresent(hits::add);
    return matcher.newestFirst(hits);
  }

  @Override
  public void scan(TraceScan scan, Predicate<Trace> visitor) {
    requireNonNull(scan, "scan");
    for (Trace trace : snapshot()) {
      if (!scan.passesWindow(trace.startEpochNanos(), trace.endEpochNanos())) continue;
      if (!hasEveryEquality(scan, trace)) continue;
      if (!visitor.test(trace)) return;
    }
  }

  private static boolean hasEveryEquality(TraceScan scan, Trace trace) {
    for (AttributeEquality e : scan.attributeEqualities()) {
      boolean found = false;
      for (Span span : trace.spans()) {
        if (e.isSatisfiedBy(span)) {
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  }

  @Override
  public List<String> serviceNames() {
    TreeSet<String> names = new TreeSet<>();
    for (Trace trace : snapshot()) {
      for (Span span : trace.spans()) names.add(span.serviceName());
    }
    return List.copyOf(names);
  }

  @Override
  public List<SpanName> spanNames(String serviceName) {
    requireNonNull(serviceName, "serviceName");
    TreeSet<SpanName> names = new TreeSet<>();
    for (Trace trace : snapshot()) {
      for (Span span : trace.spans()) {
        if (span.serviceName().equals(serviceName)) names.add(new SpanName(span.name(), span.kind()));
      }
    }
    return List.copyOf(names);
  }

  // Reads collect under the shared lock and evaluate after releasing it.
  private List<Trace> snapshot() {
    lock.readLock().lock();
    try {
      checkOpen();
      List<Trace> snapshot = new ArrayList<>(traces.size());
      for (StoredTrace stored : traces.values()) snapshot.add(stored.merged());
      return snapshot;
    } finally {
      lock.readLock().unlock();
    }
  }

  public long maxBytes() {
    return maxBytes;
  }

  /** The estimated size of the stored spans; at most {@link #maxBytes()} between writes. */
  public long usedBytes() {
    return usedBytes;
  }

  /** How many traces were dropped to stay within {@link #maxBytes()} since construction. */
  public long evictedTraces() {
    return evictedTraces;
  }

  /** How many traces are stored now. */
  public int traceCount() {
    lock.readLock().lock();
    try {
      return traces.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public String toString() {
    return "InMemoryStorage{maxBytes=" + maxBytes + "}";
  }

  private void checkOpen() {
    if (closed) throw new StorageException("in-memory storage is closed");
  }

  /** The spans written for one trace, as received, plus the merged view computed on read. */
  private static final class StoredTrace {
    final TraceId traceId;
    final List<Span> spans = new ArrayList<>(); // appended under the write lock only
    long bytes; // written under the write lock only
    // Reset under the write lock; filled under the read lock, where spans cannot change and
    // two readers racing compute the same value.
    volatile Trace merged;

    StoredTrace(TraceId traceId) {
      this.traceId = traceId;
    }

    void append(Part part) {
      spans.addAll(part.spans);
      bytes += part.bytes;
      merged = null;
    }

    Trace merged() {
      Trace m = merged;
      if (m == null) merged = m = Trace.of(traceId, spans);
      return m;
    }
  }

  /** The spans of one trace in one write, with their size. */
  private static final class Part {
    final List<Span> spans = new ArrayList<>();
    long bytes;
  }

  /** Configures an {@link InMemoryStorage}; each setter checks its value. */
  public static final class Builder {
    private long maxBytes = DEFAULT_MAX_BYTES;

    private Builder() {}

    /** The most span bytes kept before the oldest traces are evicted; default 256 MiB. */
    public Builder maxBytes(long maxBytes) {
      if (maxBytes <= 0) {
        throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: > 0)");
      }
      this.maxBytes = maxBytes;
      return this;
    }

    public InMemoryStorage build() {
      return new InMemoryStorage(this);
    }
  }
}
