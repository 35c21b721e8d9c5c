package dev.spanloom.pipeline.sampling;

import static java.util.Objects.requireNonNull;

import dev.spanloom.model.Span;
import dev.spanloom.model.TraceId;
import dev.spanloom.pipeline.SpanConsumer;
import dev.spanloom.pipeline.SpanProcessor;
import dev.spanloom.pipeline.config.ConfigException;
import dev.spanloom.pipeline.config.ConfigNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The Collector's {@code tail_sampling} processor: spans are held by trace for {@code
 * decision_wait}, counted from the trace's first span; then the policies decide the trace as a
 * whole and it is passed on or dropped whole. Spans arriving after the decision follow it: the
 * decision caches remember the IDs of kept and dropped traces (by default as many as {@code
 * num_traces}, standing in for the Collector's map, which keeps decided traces until they are
 * evicted).
 *
 * <p><b>Acknowledgement.</b> An incoming request's future completes once its spans are buffered
 * here (or, for a trace already decided, once they are passed on or dropped): a client must not
 * wait {@code decision_wait} for its answer. The buffer is bounded by {@code num_traces} and by
 * {@code max_bytes}; when either is full, the oldest undecided trace is decided early with what
 * it has (counted in {@link #tracesDecidedEarly()}). What downstream later refuses is counted in
 * {@link #exportFailures()}. {@link #close()} decides everything still pending and passes it on
 * before returning.
 *
 * <p>Final decision, as the Collector: a {@code drop} policy wins; then an inverted not-sampled;
 * then sampled; then inverted sampled when no policy said not sampled; else not sampled. With
 * {@code sample_on_first_match} evaluation stops at the first policy that samples.
 */
public final class TailSamplingProcessor implements SpanProcessor {
  public static final String TYPE = "tail_sampling";
  private static final Set<String> KEYS = Set.of("decision_wait", "num_traces", "expected_new_traces_per_sec", "policies",
      "decision_cache", "sample_on_first_match", "max_bytes");
  private static final long MIB = 1024 * 1024;

  private final Duration decisionWait;
  private final int numTraces;
  private final long maxBytes;
  private final boolean sampleOnFirstMatch;
  private final List<TailSamplingPolicies.Named> policies;
  private final LongSupplier nanoTime;
  private final Object lock = new Object();
  // Undecided traces in arrival order: decision_wait is the same for all, so the head is due first.
  private final LinkedHashMap<TraceId, Pending> pending; // guarded by lock
  private final DecisionCache sampledCache; // guarded by lock
  private final DecisionCache notSampledCache; // guarded by lock
  private long pendingBytes; // guarded by lock
  private long pendingSpans; // guarded by lock
  private boolean closed; // guarded by lock
  private volatile SpanConsumer next;
  private ScheduledExecutorService timer;

  private final Map<String, LongAdder> policyCounts = new ConcurrentHashMap<>();
  private final Map<TailDecision, LongAdder> finalCounts = new ConcurrentHashMap<>();
  private final AtomicLong tracesDecidedEarly = new AtomicLong();
  private final AtomicLong newTraces = new AtomicLong();
  private final AtomicLong lateSpansSampled = new AtomicLong();
  private final AtomicLong lateSpansDropped = new AtomicLong();
  private final AtomicLong spansDropped = new AtomicLong();
  private final AtomicLong spansSampled = new AtomicLong();
  private final AtomicLong exportFailures = new AtomicLong();
  private final Set<CompletableFuture<Void>> inFlight = ConcurrentHashMap.newKeySet();

  private static final class Pending {
    final long arrivalNanos;
    final List<Span> spans = new ArrayList<>(4);
    long bytes;

    Pending(long arrivalNanos) {
      this.arrivalNanos = arrivalNanos;
    }
  }

  /** An LRU set of decided trace IDs. */
  private static final class DecisionCache extends LinkedHashMap<TraceId, Boolean> {
    private static final long serialVersionUID = 1L;
    private final int capacity;

    DecisionCache(int capacity) {
      super(16, 0.75f, true);
      this.capacity = capacity;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<TraceId, Boolean> eldest) {
      return size() > capacity;
    }
  }

  TailSamplingProcessor(Duration decisionWait, int numTraces, int expectedNewTracesPerSec, long maxBytes,
      boolean sampleOnFirstMatch, int sampledCacheSize, int notSampledCacheSize, List<TailSamplingPolicies.Named> policies,
      LongSupplier nanoTime) {
    if (decisionWait.isZero() || decisionWait.isNegative()) {
      throw new IllegalArgumentException("decision_wait: " + decisionWait + " (expected: > 0s)");
    }
    if (numTraces <= 0) throw new IllegalArgumentException("num_traces: " + numTraces + " (expected: > 0)");
    if (maxBytes <= 0) throw new IllegalArgumentException("max_bytes: " + maxBytes + " (expected: > 0)");
    if (policies.isEmpty()) throw new IllegalArgumentException("policies: none (expected: at least one policy)");
    this.decisionWait = decisionWait;
    this.numTraces = numTraces;
    this.maxBytes = maxBytes;
    this.sampleOnFirstMatch = sampleOnFirstMatch;
    this.policies = List.copyOf(policies);
    this.nanoTime = requireNonNull(nanoTime, "nanoTime");
    this.pending = new LinkedHashMap<>(Math.max(16, Math.min(numTraces, expectedNewTracesPerSec * 2)));
    this.sampledCache = new DecisionCache(sampledCacheSize > 0 ? sampledCacheSize : numTraces);
    this.notSampledCache = new DecisionCache(notSampledCacheSize > 0 ? notSampledCacheSize : numTraces);
  }

  /**
   * The Collector's keys ({@code decision_wait} 30s, {@code num_traces} 50000, {@code
   * expected_new_traces_per_sec} 0, {@code decision_cache}, {@code sample_on_first_match},
   * {@code policies}), plus Spanloom's {@code max_bytes}: the heap the buffered spans may take,
   * by default a quarter of the maximum heap.
   */
  public static TailSamplingProcessor fromConfig(ConfigNode config) {
    return fromConfig(config, System::nanoTime);
  }

  /** As {@link #fromConfig(ConfigNode)}, on the given monotonic clock (tests pass their own). */
  static TailSamplingProcessor fromConfig(ConfigNode config, LongSupplier nanoTime) {
    config.requireKnownKeys(KEYS);
    Duration wait = config.duration("decision_wait", Duration.ofSeconds(30));
    if (wait.isZero() || wait.isNegative()) throw config.invalid("decision_wait", config.string("decision_wait", ""), "> 0s");
    int numTraces = config.intValue("num_traces", 50_000);
    if (numTraces <= 0) throw config.invalid("num_traces", numTraces, "> 0");
    int expected = config.intValue("expected_new_traces_per_sec", 0);
    if (expected < 0) throw config.invalid("expected_new_traces_per_sec", expected, ">= 0");
    long maxBytes = config.bytes("max_bytes", Math.max(16 * MIB, Runtime.getRuntime().maxMemory() / 4));
    if (maxBytes <= 0) throw config.invalid("max_bytes", maxBytes, "> 0");
    ConfigNode cache = config.child("decision_cache").requireKnownKeys(Set.of("sampled_cache_size", "non_sampled_cache_size"));
    int sampledCache = cache.intValue("sampled_cache_size", 0);
    if (sampledCache < 0) throw cache.invalid("sampled_cache_size", sampledCache, ">= 0");
    int notSampledCache = cache.intValue("non_sampled_cache_size", 0);
    if (notSampledCache < 0) throw cache.invalid("non_sampled_cache_size", notSampledCache, ">= 0");
    List<TailSamplingPolicies.Named> policies = TailSamplingPolicies.fromConfig(config, "policies");
    if (policies.isEmpty()) throw new ConfigException(config.pathOf("policies") + ": none (expected: at least one policy)");
    return new TailSamplingProcessor(wait, numTraces, expected, maxBytes, config.bool("sample_on_first_match", false),
        sampledCache, notSampledCache, policies, nanoTime);
  }

  @Override
  public void start() {
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "spanloom-tail-sampling");
      t.setDaemon(true);
      return t;
    });
    // Decisions are due decision_wait after a trace's first span; checking ten times per wait
    // (at most every second, at least every 10 ms) keeps them within 10 % of it.
    long tickMs = Math.max(10, Math.min(1000, decisionWait.toMillis() / 10));
    timer.scheduleWithFixedDelay(this::decideDue, tickMs, tickMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public CompletableFuture<Void> process(List<Span> spans, SpanConsumer downstream) {
    this.next = downstream;
    Map<TraceId, List<Span>> byTrace = new LinkedHashMap<>();
    for (Span s : spans) byTrace.computeIfAbsent(s.traceId(), k -> new ArrayList<>(4)).add(s);
    List<Span> forward = new ArrayList<>();
    List<Span> decidedEarly = new ArrayList<>();
    long now = nanoTime.getAsLong();
    synchronized (lock) {
      for (Map.Entry<TraceId, List<Span>> e : byTrace.entrySet()) {
        TraceId id = e.getKey();
        List<Span> group = e.getValue();
        Pending p = pending.get(id);
        if (p == null) {
          if (sampledCache.containsKey(id)) {
            forward.addAll(group);
            lateSpansSampled.addAndGet(group.size());
            continue;
          }
          if (notSampledCache.containsKey(id)) {
            lateSpansDropped.addAndGet(group.size());
            spansDropped.addAndGet(group.size());
            continue;
          }
          p = new Pending(now);
          pending.put(id, p);
          newTraces.incrementAndGet();
        }
        for (Span s : group) {
          int size = s.estimatedSizeBytes();
          p.spans.add(s);
          p.bytes += size;
          pendingBytes += size;
          pendingSpans++;
        }
        if (closed) decide(id, pending.remove(id), now, forward);
      }
      // Bounded memory: the oldest undecided traces are decided now, with what they have.
      while (!pending.isEmpty() && (pending.size() > numTraces || pendingBytes > maxBytes)) {
        Iterator<Map.Entry<TraceId, Pending>> it = pending.entrySet().iterator();
        Map.Entry<TraceId, Pending> oldest = it.next();
        it.remove();
        tracesDecidedEarly.incrementAndGet();
        decide(oldest.getKey(), oldest.getValue(), now, decidedEarly);
      }
    }
    if (!decidedEarly.isEmpty()) send(decidedEarly, downstream);
    return forward.isEmpty() ? CompletableFuture.completedFuture(null) : downstream.consume(forward);
  }

  /** Decides every trace whose decision_wait has passed; the timer calls it. */
  void decideDue() {
    List<Span> out = new ArrayList<>();
    long now = nanoTime.getAsLong();
    long waitNanos = decisionWait.toNanos();
    synchronized (lock) {
      Iterator<Map.Entry<TraceId, Pending>> it = pending.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<TraceId, Pending> e = it.next();
        if (now - e.getValue().arrivalNanos < waitNanos) break;
        it.remove();
        decide(e.getKey(), e.getValue(), now, out);
      }
    }
    SpanConsumer downstream = next;
    if (!out.isEmpty() && downstream != null) send(out, downstream);
  }

  /** Runs the policies; a kept trace's spans are added to {@code out}. Called under the lock. */
  private void decide(TraceId id, Pending trace, long now, List<Span> out) {
    pendingBytes -= trace.bytes;
    pendingSpans -= trace.spans.size();
    TailDecision[] first = new TailDecision[TailDecision.values().length];
    boolean[] seen = new boolean[TailDecision.values().length];
    for (TailSamplingPolicies.Named policy : policies) {
      TailDecision d;
      try {
        d = policy.policy().evaluate(id, trace.spans, trace.bytes, now);
      } catch (RuntimeException e) {
        count(policyCounts, policy.name() + "|error");
        continue;
      }
      count(policyCounts, policy.name() + "|" + d.label());
      if (!seen[d.ordinal()]) {
        seen[d.ordinal()] = true;
        first[d.ordinal()] = d;
      }
      if (d == TailDecision.DROPPED) break;
      if (sampleOnFirstMatch && d == TailDecision.SAMPLED) break;
    }
    TailDecision decision;
    if (seen[TailDecision.DROPPED.ordinal()]) decision = TailDecision.DROPPED;
    else if (seen[TailDecision.INVERT_NOT_SAMPLED.ordinal()]) decision = TailDecision.NOT_SAMPLED;
    else if (seen[TailDecision.SAMPLED.ordinal()]) decision = TailDecision.SAMPLED;
    else if (seen[TailDecision.INVERT_SAMPLED.ordinal()] && !seen[TailDecision.NOT_SAMPLED.ordinal()]) decision = TailDecision.SAMPLED;
    else decision = TailDecision.NOT_SAMPLED;
    finalCounts.computeIfAbsent(decision, k -> new LongAdder()).increment();
    if (decision == TailDecision.SAMPLED) {
      sampledCache.put(id, Boolean.TRUE);
      out.addAll(trace.spans);
      spansSampled.addAndGet(trace.spans.size());
    } else {
      notSampledCache.put(id, Boolean.TRUE);
      spansDropped.addAndGet(trace.spans.size());
    }
  }

  private void send(List<Span> spans, SpanConsumer downstream) {
    CompletableFuture<Void> f;
    try {
      f = downstream.consume(spans);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<Void> tracked = f;
    inFlight.add(tracked);
    tracked.whenComplete((v, e) -> {
      inFlight.remove(tracked);
      if (e != null) exportFailures.addAndGet(spans.size());
    });
  }

  private static void count(Map<String, LongAdder> counts, String key) {
    counts.computeIfAbsent(key, k -> new LongAdder()).increment();
  }

  /** Stops the timer, decides every pending trace now, passes the kept ones on and waits (bounded) for them. */
  @Override
  public void close() {
    if (timer != null) timer.shutdownNow();
    List<Span> out = new ArrayList<>();
    long now = nanoTime.getAsLong();
    synchronized (lock) {
      closed = true;
      for (Map.Entry<TraceId, Pending> e : pending.entrySet()) decide(e.getKey(), e.getValue(), now, out);
      pending.clear();
    }
    SpanConsumer downstream = next;
    if (!out.isEmpty() && downstream != null) send(out, downstream);
    try {
      CompletableFuture.allOf(inFlight.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Counted by the futures themselves; shutdown goes on.
    }
  }

  /** Per policy and decision ({@code name|sampled}, {@code name|not_sampled}, …): the Collector's {@code count_traces_sampled}. */
  public Map<String, Long> countsByPolicy() {
    Map<String, Long> out = new TreeMap<>();
    policyCounts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** Final decisions: {@code sampled}, {@code not_sampled}, {@code dropped}: the Collector's {@code global_count_traces_sampled}. */
  public Map<String, Long> finalDecisions() {
    Map<String, Long> out = new TreeMap<>();
    finalCounts.forEach((k, v) -> out.put(k.label(), v.sum()));
    return out;
  }

  /** Traces decided before their decision_wait because memory was full (the Collector drops them: dropped_too_early). */
  public long tracesDecidedEarly() {
    return tracesDecidedEarly.get();
  }

  public long newTracesReceived() {
    return newTraces.get();
  }

  /** Spans that arrived after their trace was decided, and followed a keep decision. */
  public long lateSpansSampled() {
    return lateSpansSampled.get();
  }

  /** Spans that arrived after their trace was decided, and followed a drop decision. */
  public long lateSpansDropped() {
    return lateSpansDropped.get();
  }

  public long spansSampled() {
    return spansSampled.get();
  }

  /** Spans not kept (not sampled, dropped by policy, or late for a dropped trace): deliberately not stored. */
  public long spansDropped() {
    return spansDropped.get();
  }

  /** Spans of kept traces that downstream refused after they were acknowledged. */
  public long exportFailures() {
    return exportFailures.get();
  }

  public int tracesInMemory() {
    synchronized (lock) {
      return pending.size();
    }
  }

  public long bytesInMemory() {
    synchronized (lock) {
      return pendingBytes;
    }
  }

  public long spansInMemory() {
    synchronized (lock) {
      return pendingSpans;
    }
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(TYPE).append("{decision_wait=").append(decisionWait.toMillis()).append("ms, num_traces=")
        .append(numTraces).append(", max_bytes=").append(maxBytes).append(", sample_on_first_match=").append(sampleOnFirstMatch)
        .append(", policies=[");
    for (int i = 0; i < policies.size(); i++) {
      if (i > 0) b.append(", ");
      b.append(policies.get(i).name()).append('=').append(policies.get(i).policy().describe());
    }
    return b.append("]}").toString();
  }
}
