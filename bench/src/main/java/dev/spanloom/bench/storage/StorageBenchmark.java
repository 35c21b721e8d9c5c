package dev.spanloom.bench.storage;

import dev.spanloom.bench.storage.DataSetManifest.Sample;
import dev.spanloom.model.Trace;
import dev.spanloom.model.TraceId;
import dev.spanloom.query.SearchResult;
import dev.spanloom.query.TraceMatch;
import dev.spanloom.query.TraceQlQuery;
import dev.spanloom.query.TraceQlSearch;
import dev.spanloom.storage.StorageException;
import dev.spanloom.storage.local.LocalStorage;
import dev.spanloom.storage.local.LocalStorageConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * Writes a data set of the reference trace shape ({@link ReferenceTraces}) into a {@link
 * LocalStorage} with default configuration, then measures what issues 3 and 4 ask of it: bytes on
 * disk per span, trace-by-ID latency after a restart, and TraceQL search latency of a needle, two
 * no-match and a structural query over the whole time range. Write throughput (one writer, then
 * {@code --writers}) is a side figure. Prints the results as Markdown tables and exits; the data
 * set is deleted unless {@code --keep}. See {@code bench/README.md}.
 *
 * <p>Each phase runs on a thread named after it ({@code bench-writer-N}, {@code bench-lookup},
 * {@code bench-traceql}) so that a JFR recording of a run splits by phase.
 *
 * <p>Exit status: 0 when every check passed (lookups found their traces, the needle query found
 * the needles), 1 when one failed, 2 on a bad command line.
 */
public final class StorageBenchmark {
  static final String NEEDLE_QUERY = "{ resource.service.name = \"" + ReferenceTraces.NEEDLE_SERVICE
      + "\" && span.http.response.status_code = 500 }";
  static final String NO_SUCH_SERVICE_QUERY = "{ resource.service.name = \"no-such-service\" }";
  static final String NO_SUCH_VALUE_QUERY = "{ resource.service.name = \"order-service\" && span.http.response.status_code = 418 }";
  static final String STRUCTURAL_QUERY = "{ resource.service.name = \"api-gateway\" } >> "
      + "{ span.db.system = \"postgresql\" && duration > 50ms }";
  static final int SEARCH_LIMIT = 20;
  private static final long PROGRESS_SECONDS = 10;
  private static final long MAX_LATENCY_MICROS = TimeUnit.MINUTES.toMicros(10);

  private final StorageBenchmarkOptions options;
  private final PrintStream out;
  private final Path blocksDir;
  private final Path walDir;
  private final LocalStorageConfig config;
  // Section title → Markdown lines, printed together at the end.
  private final Map<String, List<String>> report = new LinkedHashMap<>();
  private boolean failed;

  StorageBenchmark(StorageBenchmarkOptions options, PrintStream out) {
    this.options = options;
    this.out = out;
    this.blocksDir = options.dir().resolve("blocks");
    this.walDir = options.dir().resolve("wal");
    // Defaults everywhere but the two paths: the benchmark measures the engine as shipped.
    this.config = LocalStorageConfig.builder().path(blocksDir).walPath(walDir).build();
  }

  public static void main(String[] args) throws Exception {
    StorageBenchmarkOptions options;
    try {
      options = StorageBenchmarkOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(StorageBenchmarkOptions.USAGE);
      System.exit(2);
      return;
    }
    if (options == null) {
      System.out.println(StorageBenchmarkOptions.USAGE);
      return;
    }
    int status;
    try {
      status = new StorageBenchmark(options, System.out).run() ? 0 : 1;
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      status = 2;
    }
    System.exit(status);
  }

  /** Runs every phase and prints the report; false when a check failed. */
  boolean run() throws Exception {
    printHeader();
    boolean created = false;
    try {
      DataSetManifest data;
      if (options.reuse()) {
        data = DataSetManifest.readFrom(options.dir());
        out.printf(Locale.ROOT, "reusing the data set in %s: %,d spans, %,d traces%n", options.dir(), data.spans(), data.traces());
      } else {
        requireEmpty(options.dir());
        created = true;
        data = write();
        data.writeTo(options.dir());
      }
      LocalStorage storage = restart();
      try {
        section("Disk after restart").addAll(disk(data.spans()));
        if (options.lookups() > 0) onThread("bench-lookup", () -> lookups(storage, data));
        onThread("bench-traceql", () -> queries(storage, data));
      } finally {
        storage.close();
      }
    } finally {
      printReport();
      if (!options.keep() && (created || options.reuse())) deleteDataSet();
    }
    return !failed;
  }

  private void printHeader() {
    Runtime rt = Runtime.getRuntime();
    out.println("spanloom StorageBenchmark " + Instant.now());
    out.println("options: " + options);
    out.printf(Locale.ROOT, "jvm: %s %s, %d processors, max heap %,d MiB, flags %s%n",
        System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"), rt.availableProcessors(),
        rt.maxMemory() >> 20, ManagementFactory.getRuntimeMXBean().getInputArguments());
    out.println("storage: " + config);
  }

  // ---------------------------------------------------------------- write

  /** Per-chunk samples and counts, filled by the writer threads (each chunk by one thread). */
  private static final class Written {
    final Sample[][] samples;
    final AtomicLong spans = new AtomicLong();
    final AtomicLong traces = new AtomicLong();
    final List<TraceId> needles = Collections.synchronizedList(new ArrayList<>());
    final List<TraceId> decoys = Collections.synchronizedList(new ArrayList<>());
    final int perChunk;
    final long seed;

    Written(int chunks, int perChunk, long seed) {
      this.samples = new Sample[chunks][];
      this.perChunk = perChunk;
      this.seed = seed;
    }

    void add(ReferenceTraces.Chunk c) {
      spans.addAndGet(c.spans().size());
      traces.addAndGet(c.traceIds().size());
      needles.addAll(c.needles());
      decoys.addAll(c.decoys());
      SplittableRandom r = new SplittableRandom(ReferenceTraces.streamSeed(seed, -1L - c.index()));
      int n = Math.min(perChunk, c.traceIds().size());
      Sample[] s = new Sample[n];
      for (int i = 0; i < n; i++) {
        int k = r.nextInt(c.traceIds().size());
        s[i] = new Sample(c.traceIds().get(k), c.traceSpanCounts().get(k));
      }
      samples[c.index()] = s;
    }

    List<Sample> allSamples() {
      List<Sample> all = new ArrayList<>();
      for (Sample[] s : samples) {
        if (s != null) Collections.addAll(all, s);
      }
      return all;
    }
  }

  /** One write phase's figures. */
  private record WritePhase(String name, int threads, long spans, long wallNanos, long generateNanos,
      long writeNanos, long refused, long gcMillis, Histogram callMicros) {}

  private DataSetManifest write() throws Exception {
    long endMillis = (System.currentTimeMillis() - 60_000) / 1000 * 1000;
    long end = TimeUnit.MILLISECONDS.toNanos(endMillis);
    long start = end - options.timeRange().toNanos();
    int chunks = options.chunks();
    ReferenceTraces traces = new ReferenceTraces(options.seed(), options.services(), start, end, chunks, options.batch());
    out.println("data: " + traces + ", start times " + Instant.ofEpochSecond(0, start) + " .. " + Instant.ofEpochSecond(0, end));
    int perChunk = (int) Math.min(64, Math.max(1, (2L * options.lookups() + chunks - 1) / chunks));
    Written written = new Written(chunks, perChunk, options.seed());

    LocalStorage storage = new LocalStorage(config);
    storage.start();
    ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bench-progress");
      t.setDaemon(true);
      return t;
    });
    List<WritePhase> phases = new ArrayList<>();
    List<String> lines = section("Write");
    try {
      long began = System.nanoTime();
      AtomicLong lastSpans = new AtomicLong();
      AtomicLong lastNanos = new AtomicLong(began);
      progress.scheduleAtFixedRate(() -> {
        long now = System.nanoTime();
        long spans = written.spans.get();
        double rate = (spans - lastSpans.getAndSet(spans)) / ((now - lastNanos.getAndSet(now)) / 1e9);
        Runtime rt = Runtime.getRuntime();
        out.printf(Locale.ROOT, "  %5.0fs  %,12d spans  %,9.0f spans/s  blocks=%d cut=%d compactions=%d head=%,d MiB heap=%,d MiB%n",
            (now - began) / 1e9, spans, rate, storage.blockCount(), storage.blocksCut(), storage.compactions(),
            storage.headBytes() >> 20, (rt.totalMemory() - rt.freeMemory()) >> 20);
      }, PROGRESS_SECONDS, PROGRESS_SECONDS, TimeUnit.SECONDS);

      int half = chunks / 2;
      phases.add(writePhase("first half, 1 writer", storage, traces, written, 0, half, 1));
      phases.add(writePhase("second half, " + options.writers() + " writers", storage, traces, written, half, chunks,
          options.writers()));
      long wrote = System.nanoTime() - began;
      progress.shutdownNow();

      lines.add(String.format(Locale.ROOT, "%,d spans in %,d traces (%.2f spans/trace), %,d write() calls of >= %,d spans, "
              + "start times over %s; %d needle and %d decoy traces of service \"%s\".",
          written.spans.get(), written.traces.get(), (double) written.spans.get() / written.traces.get(), chunks,
          options.batch(), span(options.timeRange()), written.needles.size(), written.decoys.size(), ReferenceTraces.NEEDLE_SERVICE));
      lines.add("");
      lines.add("| phase | threads | spans | wall | spans/s | generating | in write() | write() p50 | p99 | max | refused | GC |");
      lines.add("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
      for (WritePhase p : phases) {
        lines.add(String.format(Locale.ROOT, "| %s | %d | %,d | %.1f s | %,.0f | %.1f s | %.1f s | %s | %s | %s | %d | %,d ms |",
            p.name(), p.threads(), p.spans(), p.wallNanos() / 1e9, p.spans() / (p.wallNanos() / 1e9),
            p.generateNanos() / 1e9, p.writeNanos() / 1e9, ms(p.callMicros().getValueAtPercentile(50)),
            ms(p.callMicros().getValueAtPercentile(99)), ms(p.callMicros().getMaxValue()), p.refused(), p.gcMillis()));
      }
      lines.add("");
      lines.add(String.format(Locale.ROOT, "All writes: %.1f s, %,.0f spans/s. WAL bytes appended: %,d (%.1f B/span). "
              + "Blocks cut: %d, background compactions meanwhile: %d.",
          wrote / 1e9, written.spans.get() / (wrote / 1e9), storage.walBytesWritten(),
          (double) storage.walBytesWritten() / written.spans.get(), storage.blocksCut(), storage.compactions()));

      long t = System.nanoTime();
      storage.flush();
      long flushNanos = System.nanoTime() - t;
      int afterFlush = storage.blockCount();
      List<String> beforeCompaction = disk(written.spans.get());
      lines.add(String.format(Locale.ROOT, "flush(): %.1f s, %d blocks.", flushNanos / 1e9, afterFlush));
      if (options.compact()) {
        long compactionsBefore = storage.compactions();
        long gc = gcMillis();
        t = System.nanoTime();
        storage.compact();
        lines.add(String.format(Locale.ROOT, "compact(): %.1f s (GC %,d ms), %d merges, %d → %d blocks.",
            (System.nanoTime() - t) / 1e9, gcMillis() - gc, storage.compactions() - compactionsBefore, afterFlush,
            storage.blockCount()));
      }
      section("Disk after flush, before the explicit compaction").addAll(beforeCompaction);
      lines.add("");
      lines.add("Blocks: " + blockSummary());
    } finally {
      progress.shutdownNow();
      storage.close();
    }
    return new DataSetManifest(start, end, written.spans.get(), written.traces.get(), options.seed(),
        options.services(), written.needles, written.decoys, written.allSamples());
  }

  private WritePhase writePhase(String name, LocalStorage storage, ReferenceTraces traces, Written written,
      int fromChunk, int toChunk, int threads) throws Exception {
    out.printf(Locale.ROOT, "write: %s, chunks %d..%d%n", name, fromChunk, toChunk);
    AtomicInteger next = new AtomicInteger(fromChunk);
    AtomicLong spans = new AtomicLong();
    AtomicLong generate = new AtomicLong();
    AtomicLong write = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    Histogram calls = new Histogram(MAX_LATENCY_MICROS, 3);
    AtomicReference<Throwable> error = new AtomicReference<>();
    long gc = gcMillis();
    long began = System.nanoTime();
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < threads; w++) {
      Thread thread = new Thread(() -> {
        Histogram local = new Histogram(MAX_LATENCY_MICROS, 3);
        try {
          for (int c = next.getAndIncrement(); c < toChunk && error.get() == null; c = next.getAndIncrement()) {
            long t0 = System.nanoTime();
            ReferenceTraces.Chunk chunk = traces.chunk(c);
            long t1 = System.nanoTime();
            while (true) {
              try {
                storage.writer().write(chunk.spans());
                break;
              } catch (StorageException e) {
                // Backpressure ("head block full"): the engine asks to retry later, as a receiver would.
                if (!e.getMessage().startsWith("head block full")) throw e;
                refused.incrementAndGet();
                Thread.sleep(50);
              }
            }
            long t2 = System.nanoTime();
            local.recordValue(Math.min(MAX_LATENCY_MICROS, (t2 - t1) / 1000));
            generate.addAndGet(t1 - t0);
            write.addAndGet(t2 - t1);
            spans.addAndGet(chunk.spans().size());
            written.add(chunk);
          }
        } catch (Throwable e) {
          error.compareAndSet(null, e);
        } finally {
          synchronized (calls) {
            calls.add(local);
          }
        }
      }, "bench-writer-" + (w + 1));
      workers.add(thread);
      thread.start();
    }
    for (Thread t : workers) t.join();
    if (error.get() != null) throw new IllegalStateException("writer failed: " + error.get(), error.get());
    return new WritePhase(name, threads, spans.get(), System.nanoTime() - began, generate.get(), write.get(),
        refused.get(), gcMillis() - gc, calls);
  }

  // ---------------------------------------------------------------- disk

  /** Sizes of the blocks (by file) and the WAL, per span. */
  private List<String> disk(long spans) throws IOException {
    Map<String, Long> byFile = new TreeMap<>();
    int blocks = 0;
    if (Files.isDirectory(blocksDir)) {
      try (DirectoryStream<Path> dirs = Files.newDirectoryStream(blocksDir)) {
        for (Path b : dirs) {
          if (!Files.isDirectory(b)) continue;
          blocks++;
          try (DirectoryStream<Path> files = Files.newDirectoryStream(b)) {
            for (Path f : files) byFile.merge(f.getFileName().toString(), Files.size(f), Long::sum);
          }
        }
      }
    }
    long total = 0;
    for (long v : byFile.values()) total += v;
    long wal = size(walDir);
    List<String> lines = new ArrayList<>();
    lines.add("| what | bytes | bytes/span |");
    lines.add("|---|--:|--:|");
    lines.add(String.format(Locale.ROOT, "| blocks (%d), all files | %,d | **%.1f** |", blocks, total, (double) total / spans));
    for (Map.Entry<String, Long> e : byFile.entrySet()) {
      lines.add(String.format(Locale.ROOT, "| — `%s` | %,d | %.2f |", e.getKey(), e.getValue(), (double) e.getValue() / spans));
    }
    lines.add(String.format(Locale.ROOT, "| WAL | %,d | %.2f |", wal, (double) wal / spans));
    return lines;
  }

  private static long size(Path dir) throws IOException {
    if (!Files.exists(dir)) return 0;
    try (Stream<Path> files = Files.walk(dir)) {
      long total = 0;
      for (Path p : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(p)) total += Files.size(p);
      }
      return total;
    }
  }

  /** Block count by compaction level, with spans, from the meta files. */
  private String blockSummary() throws IOException {
    List<String> parts = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(blocksDir)) {
      for (Path b : dirs) {
        Path meta = b.resolve("meta.json");
        if (!Files.exists(meta)) continue;
        String json = Files.readString(meta);
        parts.add("L" + field(json, "compactionLevel") + ":" + String.format(Locale.ROOT, "%,d", Long.parseLong(field(json, "spans")))
            + " spans/" + field(json, "rowGroups") + " row groups");
      }
    }
    parts.sort(null);
    return parts.size() + " — " + String.join(", ", parts);
  }

  // A flat JSON object of numbers: enough to read a counter without a JSON library.
  private static String field(String json, String name) {
    int i = json.indexOf("\"" + name + "\"");
    if (i < 0) return "?";
    int colon = json.indexOf(':', i);
    int endIdx = colon + 1;
    while (endIdx < json.length() && ",}".indexOf(json.charAt(endIdx)) < 0) endIdx++;
    return json.substring(colon + 1, endIdx).trim();
  }

  // ---------------------------------------------------------------- restart and lookups

  private LocalStorage restart() {
    LocalStorage storage = new LocalStorage(config);
    long t = System.nanoTime();
    storage.start();
    section("Restart").add(String.format(Locale.ROOT,
        "start() over %d blocks: %.0f ms (opens every block: meta, bloom filter, index). "
            + "The OS page cache still holds the files written moments ago: lookups below read from memory, not disk.",
        storage.blockCount(), (System.nanoTime() - t) / 1e6));
    return storage;
  }

  private Void lookups(LocalStorage storage, DataSetManifest data) {
    List<Sample> pool = new ArrayList<>(data.samples());
    Collections.shuffle(pool, new Random(options.seed()));
    int n = options.lookups();
    List<String> lines = section("Trace by ID");
    lines.add(String.format(Locale.ROOT, "%,d lookups of stored trace IDs drawn from a sample of %,d (every trace in the "
        + "data set as likely), then %,d of random unknown IDs; one thread, one lookup at a time.", n, pool.size(), n));
    lines.add("");
    lines.add("| lookups | n | mean | p50 | p90 | p99 | p99.9 | max | check |");
    lines.add("|---|--:|--:|--:|--:|--:|--:|--:|---|");

    for (int pass = 1; pass <= 2; pass++) {
      Histogram h = new Histogram(MAX_LATENCY_MICROS, 3);
      int missing = 0;
      int wrongCount = 0;
      long first = 0;
      for (int i = 0; i < n; i++) {
        Sample s = pool.get(i % pool.size());
        long t = System.nanoTime();
        Optional<Trace> trace = storage.findTrace(s.traceId());
        long micros = (System.nanoTime() - t) / 1000;
        if (i == 0) first = micros;
        h.recordValue(Math.min(MAX_LATENCY_MICROS, micros));
        if (trace.isEmpty()) missing++;
        else if (trace.get().spans().size() != s.spanCount()) wrongCount++;
      }
      String check = missing == 0 && wrongCount == 0 ? "all found, span counts right"
          : missing + " not found, " + wrongCount + " with a wrong span count";
      if (missing > 0 || wrongCount > 0) failed = true;
      lines.add(row(pass == 1 ? "stored IDs, first pass after restart (first: " + ms(first) + " ms)"
          : "stored IDs, same again (JIT warm)", h, check));
    }

    SplittableRandom r = new SplittableRandom(ReferenceTraces.streamSeed(options.seed(), Long.MIN_VALUE));
    Histogram unknown = new Histogram(MAX_LATENCY_MICROS, 3);
    int found = 0;
    for (int i = 0; i < n; i++) {
      TraceId id = new TraceId(r.nextLong() | 1, r.nextLong());
      long t = System.nanoTime();
      if (storage.findTrace(id).isPresent()) found++;
      unknown.recordValue(Math.min(MAX_LATENCY_MICROS, (System.nanoTime() - t) / 1000));
    }
    lines.add(row("unknown IDs", unknown, found == 0 ? "none found" : found + " found (!)"));
    return null;
  }

  private static String row(String label, Histogram h, String check) {
    return String.format(Locale.ROOT, "| %s | %,d | %s | %s | %s | %s | %s | %s | %s |", label, h.getTotalCount(),
        ms(Math.round(h.getMean())), ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)),
        ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), check);
  }

  // ---------------------------------------------------------------- TraceQL

  private record Query(String label, String text, Set<TraceId> expected) {}

  private Void queries(LocalStorage storage, DataSetManifest data) {
    List<Query> queries = new ArrayList<>();
    queries.add(new Query("needle", NEEDLE_QUERY, new HashSet<>(data.needles())));
    queries.add(new Query("no match: unknown service", NO_SUCH_SERVICE_QUERY, Set.of()));
    queries.add(new Query("no match: unknown value on a common service", NO_SUCH_VALUE_QUERY, Set.of()));
    queries.add(new Query("structural", STRUCTURAL_QUERY, null));
    for (String q : options.extraQueries()) queries.add(new Query("extra", q, null));

    TraceQlSearch search = new TraceQlSearch(storage);
    List<String> lines = section("TraceQL search");
    lines.add(String.format(Locale.ROOT, "Window: the whole data set (%s .. %s), limit %d, %d runs of each query in a row; "
            + "one thread. Times in ms.", Instant.ofEpochSecond(0, data.startEpochNanos()),
        Instant.ofEpochSecond(0, data.endEpochNanos()), SEARCH_LIMIT, options.queryRuns()));
    lines.add("");
    lines.add("| query | first | min | median | max | traces | inspected | scans | check |");
    lines.add("|---|--:|--:|--:|--:|--:|--:|--:|---|");
    List<String> texts = new ArrayList<>();
    for (Query q : queries) {
      TraceQlQuery parsed = TraceQlQuery.parse(q.text());
      TraceQlSearch.Request request = new TraceQlSearch.Request(parsed, data.startEpochNanos(), data.endEpochNanos(), SEARCH_LIMIT);
      List<Long> micros = new ArrayList<>();
      SearchResult last = null;
      for (int run = 0; run < options.queryRuns(); run++) {
        long gc = gcMillis();
        long t = System.nanoTime();
        last = search.search(request);
        long took = (System.nanoTime() - t) / 1000;
        micros.add(took);
        out.printf(Locale.ROOT, "traceql: %-45s run %d: %,10.1f ms  %d traces, %,d inspected, %d scans, GC %,d ms%n",
            q.label(), run + 1, took / 1000.0, last.traces().size(), last.inspectedTraces(), last.scans(), gcMillis() - gc);
      }
      long first = micros.get(0);
      List<Long> sorted = new ArrayList<>(micros);
      sorted.sort(Comparator.naturalOrder());
      String check = "—";
      if (q.expected() != null) {
        Set<TraceId> got = new HashSet<>();
        for (TraceMatch m : last.traces()) got.add(m.trace().traceId());
        boolean ok = got.equals(q.expected());
        if (!ok) failed = true;
        check = ok ? (q.expected().isEmpty() ? "none, as expected" : "found all " + q.expected().size() + " needles, nothing else")
            : "expected " + q.expected().size() + ", got " + got.size() + " (!)";
      }
      lines.add(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %d | %,d | %d | %s |", q.label(), ms(first),
          ms(sorted.get(0)), ms(sorted.get(sorted.size() / 2)), ms(sorted.get(sorted.size() - 1)),
          last.traces().size(), last.inspectedTraces(), last.scans(), check));
      texts.add("- " + q.label() + ": `" + q.text() + "`");
    }
    lines.add("");
    lines.addAll(texts);
    return null;
  }

  // ---------------------------------------------------------------- plumbing

  private List<String> section(String title) {
    return report.computeIfAbsent(title, t -> new ArrayList<>());
  }

  private void printReport() {
    out.println();
    out.println("==================== results ====================");
    for (Map.Entry<String, List<String>> e : report.entrySet()) {
      out.println();
      out.println("### " + e.getKey());
      out.println();
      for (String line : e.getValue()) out.println(line);
    }
    out.println();
  }

  private static void onThread(String name, Callable<Void> work) throws Exception {
    AtomicReference<Exception> error = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        work.call();
      } catch (Exception e) {
        error.set(e);
      }
    }, name);
    t.start();
    t.join();
    if (error.get() != null) throw error.get();
  }

  private static long gcMillis() {
    long total = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) total += Math.max(0, gc.getCollectionTime());
    return total;
  }

  /** A duration as the command line takes it: {@code 4h}, {@code 90m}. */
  static String span(Duration d) {
    return d.toMinutes() % 60 == 0 ? d.toHours() + "h" : d.toMinutes() + "m";
  }

  /** Microseconds as milliseconds: 3 significant digits below 10 ms, then whole or one decimal. */
  static String ms(long micros) {
    double ms = micros / 1000.0;
    if (ms < 10) return String.format(Locale.ROOT, "%.2f", ms);
    if (ms < 1000) return String.format(Locale.ROOT, "%.1f", ms);
    return String.format(Locale.ROOT, "%,.0f", ms);
  }

  private static void requireEmpty(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      Files.createDirectories(dir);
      return;
    }
    if (!Files.isDirectory(dir)) throw new IllegalArgumentException("--dir: " + dir + " (expected: a directory)");
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      if (entries.iterator().hasNext()) {
        throw new IllegalArgumentException("--dir: " + dir + " is not empty (expected: an empty or missing directory;"
            + " --reuse measures the data set an earlier run left there with --keep)");
      }
    }
  }

  /** Deletes what this tool writes in {@code --dir}, and the directory when nothing else is left. */
  private void deleteDataSet() throws IOException {
    if (!Files.isDirectory(options.dir())) return;
    for (Path p : List.of(blocksDir, walDir)) {
      if (!Files.exists(p)) continue;
      try (Stream<Path> files = Files.walk(p)) {
        for (Path f : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) Files.delete(f);
      }
    }
    Files.deleteIfExists(options.dir().resolve(DataSetManifest.FILE));
    Files.deleteIfExists(options.dir().resolve(DataSetManifest.SAMPLES_FILE));
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(options.dir())) {
      if (!entries.iterator().hasNext()) Files.delete(options.dir());
    }
    out.println("deleted the data set in " + options.dir());
  }
}
