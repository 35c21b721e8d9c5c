package dev.spanloom.bench.sampling;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spanloom.bench.SyntheticTraces;
import dev.spanloom.model.Span;
import dev.spanloom.otlp.OtlpTranslator;
import dev.spanloom.pipeline.SpanConsumer;
import dev.spanloom.pipeline.config.ConfigNode;
import dev.spanloom.pipeline.sampling.TailSamplingProcessor;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@code tail_sampling} processor with the seed's policies (keep errors, keep traces over
 * 2 s, 5 % of the rest, keep payment-service and fraud-detection), fed a paced, sustained span
 * rate for several {@code decision_wait} periods, in process: what one Spanloom's tail sampler
 * sustains, how long decisions take, and the heap the buffered traces need.
 *
 * <p>Spans are {@link SyntheticTraces} export requests (8-span traces, fresh IDs every request)
 * decoded by {@link OtlpTranslator}, as a receiver hands them on; downstream only counts. The
 * driver thread paces batches and catches up after a stall, so the offered rate holds on
 * average. Reported for the measured window: offered and accepted spans/s; the processor's CPU
 * per span ({@code process()} on the driver thread plus the decision timer thread); decision
 * latency, a trace's first span to its decision, read from the processor's counters (traces are
 * decided in arrival order, so the n-th decided trace is the n-th received); GC. Then, with
 * traffic still flowing, full GCs give the live heap over the baseline taken before the run —
 * the buffered spans, their traces and the decision caches — beside the processor's own
 * estimate ({@code bytes_on_memory}, what {@code max_bytes} bounds).
 */
public final class TailSamplingThroughput {
  private static final String SEED_TAIL_SAMPLING = """
      {"decision_wait": "10s", "num_traces": 50000, "expected_new_traces_per_sec": 500,
       "policies": [
         {"name": "keep-errors", "type": "status_code", "status_code": {"status_codes": ["ERROR"]}},
         {"name": "keep-slow", "type": "latency", "latency": {"threshold_ms": 2000}},
         {"name": "probabilistic", "type": "probabilistic", "probabilistic": {"sampling_percentage": 5}},
         {"name": "keep-payment", "type": "string_attribute",
          "string_attribute": {"key": "service.name", "values": ["payment-service", "fraud-detection"]}}]}
      """;
  private static final int RESOURCES_PER_REQUEST = 8;
  private static final long MONITOR_PERIOD_MS = 10;
  private static final double MIB = 1024 * 1024;
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private final TailSamplingThroughputOptions options;
  private final TailSamplingProcessor processor;
  private final AtomicLong keptSpans = new AtomicLong();
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

  // Written by one thread each, read after that thread has stopped.
  private long[] receivedAt = new long[1024];
  private long[] receivedTraces = new long[1024];
  private int received;
  private long[] decidedAt = new long[1024];
  private long[] decidedTraces = new long[1024];
  private int decided;

  TailSamplingThroughput(TailSamplingThroughputOptions options) throws Exception {
    this.options = options;
    @SuppressWarnings("unchecked")
    Map<String, Object> config = new ObjectMapper().readValue(SEED_TAIL_SAMPLING, LinkedHashMap.class);
    config.put("decision_wait", options.decisionWait().toMillis() + "ms");
    config.put("num_traces", options.numTraces());
    if (options.maxBytes() != null) config.put("max_bytes", options.maxBytes());
    processor = TailSamplingProcessor.fromConfig(
        ConfigNode.root(Map.of("processors", Map.of("tail_sampling", config))).child("processors").child("tail_sampling"));
  }

  public static void main(String[] args) throws Exception {
    TailSamplingThroughputOptions options;
    try {
      options = TailSamplingThroughputOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(TailSamplingThroughputOptions.USAGE);
      System.exit(2);
      return;
    }
    if (options == null) {
      System.out.println(TailSamplingThroughputOptions.USAGE);
      return;
    }
    new TailSamplingThroughput(options).run();
  }

  private record Snapshot(long nanos, long spansSent, long processCpuNanos, long processWallNanos, long timerCpuNanos,
      long driverCpuNanos, long keptSpans, long decidedEarly, long gcCount, long gcMillis) {}

  void run() throws Exception {
    Runtime rt = Runtime.getRuntime();
    System.out.printf(Locale.ROOT, "jvm: %s %s, %d cores, max heap %.0f MiB, GC %s%n", System.getProperty("java.vm.name"),
        System.getProperty("java.version"), rt.availableProcessors(), rt.maxMemory() / MIB, gcNames());
    System.out.printf(Locale.ROOT, "offered: %,d spans/s in batches of %d, %d services, traces of %d spans; warmup %ds, measured %ds%n",
        options.spansPerSecond(), options.spansPerBatch(), options.services(), SyntheticTraces.SPANS_PER_TRACE,
        options.warmup().toSeconds(), options.duration().toSeconds());
    System.out.println("processor: " + processor);

    SyntheticTraces traces = SyntheticTraces.create(options.services(), 42);
    SpanConsumer downstream = spans -> {
      keptSpans.addAndGet(spans.size());
      return DONE;
    };
    long baselineHeap = heapAfterGc();
    System.out.printf(Locale.ROOT, "baseline heap after GC: %.1f MiB%n", baselineHeap / MIB);

    processor.start();
    long timerThread = threadId("spanloom-tail-sampling");
    long driverThread = Thread.currentThread().getId();
    ScheduledExecutorService monitor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tail-sampling-bench-monitor");
      t.setDaemon(true);
      return t;
    });
    long start = System.nanoTime();
    monitor.scheduleAtFixedRate(this::sampleDecided, 0, MONITOR_PERIOD_MS, TimeUnit.MILLISECONDS);

    long windowStart = start + options.warmup().toNanos();
    long windowEnd = windowStart + options.duration().toNanos();
    long nextGc = options.heapSamples() > 0 ? windowEnd + options.heapSampleInterval().toNanos() : Long.MAX_VALUE;
    long nextReport = start + 5_000_000_000L;
    double intervalNanos = options.spansPerBatch() * 1e9 / options.spansPerSecond();
    long batches = 0;
    long spansSent = 0;
    long processCpuNanos = 0;
    long processWallNanos = 0;
    long maxLagNanos = 0;
    Snapshot first = null;
    Snapshot last = null;
    StringBuilder heapReport = new StringBuilder();
    int gcDone = 0;
    while (true) {
      long now = System.nanoTime();
      if (first == null && now >= windowStart) {
        first = snapshot(now, spansSent, processCpuNanos, processWallNanos, timerThread, driverThread);
      }
      if (last == null && now >= windowEnd) {
        last = snapshot(now, spansSent, processCpuNanos, processWallNanos, timerThread, driverThread);
      }
      if (now >= windowEnd && gcDone == options.heapSamples()) break;
      if (now >= nextGc) {
        // Traffic pauses for the GC only; the pacing catches up afterwards.
        long used = heapAfterGc();
        gcDone++;
        heapReport.append(String.format(Locale.ROOT,
            "heap after full GC #%d: %.1f MiB used, %.1f MiB over baseline; in memory: %,d traces, %,d spans, estimate %.1f MiB"
                + " (%.0f B/span measured, %.0f B/span estimated)%n",
            gcDone, used / MIB, (used - baselineHeap) / MIB, processor.tracesInMemory(), processor.spansInMemory(),
            processor.bytesInMemory() / MIB, (double) (used - baselineHeap) / processor.spansInMemory(),
            (double) processor.bytesInMemory() / processor.spansInMemory()));
        nextGc = gcDone < options.heapSamples() ? nextGc + options.heapSampleInterval().toNanos() : Long.MAX_VALUE;
        continue;
      }
      if (now >= nextReport) {
        System.out.printf(Locale.ROOT, "t=%3ds sent %,d spans (%,.0f/s), in memory %,d traces / %,d spans / estimate %.0f MiB,"
                + " heap used %.0f MiB, decided early %,d%n",
            (now - start) / 1_000_000_000L, spansSent, spansSent / ((now - start) / 1e9), processor.tracesInMemory(),
            processor.spansInMemory(), processor.bytesInMemory() / MIB, memory.getHeapMemoryUsage().getUsed() / MIB,
            processor.tracesDecidedEarly());
        nextReport += 5_000_000_000L;
      }
      long due = start + (long) (batches * intervalNanos);
      if (now < due) {
        LockSupport.parkNanos(Math.min(due - now, 1_000_000));
        continue;
      }
      if (now >= windowStart && now < windowEnd) maxLagNanos = Math.max(maxLagNanos, now - due);
      List<Span> spans = OtlpTranslator.decode(traces.request(options.spansPerBatch(), RESOURCES_PER_REQUEST,
          System.currentTimeMillis() * 1_000_000L)).spans();
      // CPU time, not wall time: a GC pause inside process() is the heap's cost, reported with GC.
      long cpu0 = threads.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      processor.process(spans, downstream);
      processWallNanos += System.nanoTime() - t0;
      processCpuNanos += threads.getCurrentThreadCpuTime() - cpu0;
      spansSent += spans.size();
      batches++;
      // t0: the batch's traces arrived no later than this (after process() returns could be a GC pause later).
      recordReceived(t0, processor.newTracesReceived());
    }
    monitor.shutdown();
    monitor.awaitTermination(5, TimeUnit.SECONDS);
    report(first, last, maxLagNanos);
    System.out.print(heapReport);
    processor.close();
  }

  private Snapshot snapshot(long now, long spansSent, long processCpuNanos, long processWallNanos, long timerThread, long driverThread) {
    long gcCount = 0;
    long gcMillis = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcCount += Math.max(0, gc.getCollectionCount());
      gcMillis += Math.max(0, gc.getCollectionTime());
    }
    return new Snapshot(now, spansSent, processCpuNanos, processWallNanos, threads.getThreadCpuTime(timerThread),
        threads.getThreadCpuTime(driverThread), keptSpans.get(), processor.tracesDecidedEarly(), gcCount, gcMillis);
  }

  private void report(Snapshot a, Snapshot b, long maxLagNanos) {
    double seconds = (b.nanos() - a.nanos()) / 1e9;
    long spans = b.spansSent() - a.spansSent();
    double accepted = spans / seconds;
    double processCpu = b.processCpuNanos() - a.processCpuNanos();
    double processWall = b.processWallNanos() - a.processWallNanos();
    double timerCpu = b.timerCpuNanos() - a.timerCpuNanos();
    double driverCpu = b.driverCpuNanos() - a.driverCpuNanos() - processCpu;
    System.out.printf(Locale.ROOT, "%n== measured window: %.1f s ==%n", seconds);
    System.out.printf(Locale.ROOT, "offered %,d spans/s, accepted %,.0f spans/s (%.1f %%), driver's worst lag behind schedule %.0f ms%n",
        options.spansPerSecond(), accepted, 100 * accepted / options.spansPerSecond(), maxLagNanos / 1e6);
    System.out.printf(Locale.ROOT, "kept %,.0f spans/s (%.1f %% of spans); traces decided early (num_traces or max_bytes full): %,d%n",
        (b.keptSpans() - a.keptSpans()) / seconds, 100.0 * (b.keptSpans() - a.keptSpans()) / spans, b.decidedEarly() - a.decidedEarly());
    System.out.printf(Locale.ROOT, "processor CPU: process() %.0f ns/span + decision timer %.0f ns/span = %.0f ns/span,"
            + " %.1f %% of one core at this rate (process() wall time, GC pauses included: %.0f ns/span)%n",
        processCpu / spans, timerCpu / spans, (processCpu + timerCpu) / spans, 100 * (processCpu + timerCpu) / (seconds * 1e9),
        processWall / spans);
    System.out.printf(Locale.ROOT, "driver (generate + decode, not the processor): %.0f ns/span%n", driverCpu / spans);
    System.out.printf(Locale.ROOT, "GC in window: %d collections, %,d ms (%.1f %% of wall time)%n", b.gcCount() - a.gcCount(),
        b.gcMillis() - a.gcMillis(), (b.gcMillis() - a.gcMillis()) / (seconds * 10));
    double[] latencies = decisionLatenciesMillis(a.nanos(), b.nanos());
    if (latencies.length == 0) {
      System.out.println("decision latency: no trace decided in the window");
    } else {
      System.out.printf(Locale.ROOT, "decision latency (first span -> decision), %d samples: min %.0f ms, p50 %.0f ms, p99 %.0f ms,"
              + " max %.0f ms%n",
          latencies.length, latencies[0], percentile(latencies, 0.50), percentile(latencies, 0.99), latencies[latencies.length - 1]);
    }
    System.out.println("final decisions so far: " + processor.finalDecisions() + "; by policy: " + processor.countsByPolicy());
  }

  /** For each monitor sample in the window: when the last decided trace had been received, and so how long it waited. */
  private double[] decisionLatenciesMillis(long from, long to) {
    double[] out = new double[decided];
    int n = 0;
    for (int i = 0; i < decided; i++) {
      if (decidedAt[i] < from || decidedAt[i] > to || decidedTraces[i] == 0) continue;
      int j = Arrays.binarySearch(receivedTraces, 0, received, decidedTraces[i]);
      if (j < 0) j = -j - 1; // the first batch after which at least that many traces had been received
      if (j >= received) continue;
      out[n++] = (decidedAt[i] - receivedAt[j]) / 1e6;
    }
    double[] latencies = Arrays.copyOf(out, n);
    Arrays.sort(latencies);
    return latencies;
  }

  private static double percentile(double[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }

  private void recordReceived(long nanos, long traces) {
    if (received == receivedAt.length) {
      receivedAt = Arrays.copyOf(receivedAt, received * 2);
      receivedTraces = Arrays.copyOf(receivedTraces, received * 2);
    }
    receivedAt[received] = nanos;
    receivedTraces[received++] = traces;
  }

  private void sampleDecided() {
    int inMemory = processor.tracesInMemory();
    long traces = processor.newTracesReceived() - inMemory;
    if (decided == decidedAt.length) {
      decidedAt = Arrays.copyOf(decidedAt, decided * 2);
      decidedTraces = Arrays.copyOf(decidedTraces, decided * 2);
    }
    decidedAt[decided] = System.nanoTime();
    decidedTraces[decided++] = traces;
  }

  private long heapAfterGc() {
    System.gc();
    System.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static long threadId(String name) {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals(name)) return t.getId();
    }
    throw new IllegalStateException("no thread " + name);
  }

  private static String gcNames() {
    StringBuilder b = new StringBuilder();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (b.length() > 0) b.append(" + ");
      b.append(gc.getName());
    }
    return b.toString();
  }
}
