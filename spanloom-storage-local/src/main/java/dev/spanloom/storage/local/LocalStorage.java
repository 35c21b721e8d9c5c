package dev.spanloom.storage.local;

import static java.util.Objects.requireNonNull;

import dev.spanloom.model.Span;
import dev.spanloom.model.Trace;
import dev.spanloom.model.TraceId;
import dev.spanloom.storage.AttributeEquality;
import dev.spanloom.storage.SearchRequest;
import dev.spanloom.storage.SpanMatcher;
import dev.spanloom.storage.SpanName;
import dev.spanloom.storage.SpanWriter;
import dev.spanloom.storage.StorageComponent;
import dev.spanloom.storage.StorageException;
import dev.spanloom.storage.TraceReader;
import dev.spanloom.storage.TraceScan;
import dev.spanloom.storage.TraceSummary;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The embedded storage engine: every write goes to the write-ahead log and the in-memory head
 * block; a full or old head is cut into an immutable columnar block on disk; a compactor merges
 * blocks and applies retention. See {@code docs/storage-format.md} for the files.
 *
 * <p>Reads see the head, a head being cut, and every block: {@link #findTrace} merges all parts
 * of a trace ({@link Trace#of} drops duplicates); {@link #search} skips blocks and row groups
 * whose statistics cannot match and returns newest traces first; {@link #scan} streams whole
 * traces row group by row group, skipping what its window and one hint rule out; {@link
 * #serviceNames} and {@link #spanNames} answer from span-name catalogs kept in memory and in
 * every block's index, without decoding spans.
 *
 * <p>The constructor does no I/O; {@link #start()} opens the blocks, deletes half-written ones,
 * replays the WAL and starts two background threads (head cutting, compaction) plus a third for
 * {@link FsyncPolicy#INTERVAL}. {@link #close()} fsyncs the WAL and stops them; the head is
 * recovered from the WAL at the next start.
 */
public final class LocalStorage implements StorageComponent, SpanWriter, TraceReader {
  private static final System.Logger LOG = System.getLogger(LocalStorage.class.getName());
  /** The first payload byte of a WAL record that holds a span batch. */
  static final int RECORD_SPANS = 1;
  /** How long a write waits for a running cut when the head is full, before it is refused. */
  static final Duration WRITE_STALL_TIMEOUT = Duration.ofSeconds(10);
  /**
   * How far outside a search's time window a block or row group may lie and still be scanned.
   * The window is a condition on the whole trace, but statistics describe only the part of a
   * trace that a block holds: a part wholly before the window may hold the matching span of a
   * trace whose later part reaches into it. Parts of one trace lie within the trace's duration
   * of each other, so pruning with this slack is exact for traces shorter than it.
   */
  static final long SEARCH_TIME_SLACK_NANOS = Duration.ofHours(1).toNanos();

  private enum State { NEW, RUNNING, CLOSED, FAILED }

  private final LocalStorageConfig config;
  private final ReentrantLock appendLock = new ReentrantLock(); // orders WAL appends with head adds
  private final Object cutLock = new Object(); // serializes cuts
  private final Object cutDone = new Object(); // notified after every cut
  private final BlockSet blocks = new BlockSet();
  private final Compactor compactor;
  private final ThreadLocal<Encoding> encodings = ThreadLocal.withInitial(Encoding::new);
  private final AtomicBoolean cutScheduled = new AtomicBoolean();

  // Readers read head, then flushing, then blocks; a cut writes them in the reverse order, so a
  // reader never misses spans that move from one to the next.
  private volatile HeadBlock head = new HeadBlock();
  private volatile Flushing flushing;
  private volatile State state = State.NEW;
  private WriteAheadLog wal;
  private ScheduledExecutorService cutter;
  private ScheduledExecutorService compactorThread;
  private ScheduledExecutorService fsyncThread;

  private final LongAdder spansWritten = new LongAdder();
  private final AtomicLong corruptTailsTruncated = new AtomicLong();
  private final AtomicLong blocksCut = new AtomicLong();
  private final AtomicLong refusedWrites = new AtomicLong();
  private final AtomicLong readErrors = new AtomicLong();

  /** A head that is being written to a block; its WAL segments are those below {@code walEnd}. */
  private record Flushing(HeadBlock head, long walEnd) {}

  /** A writer thread's reusable encoder and buffer, to spare garbage on the hot path. */
  private static final class Encoding {
    final SpanBatchEncoder encoder = new SpanBatchEncoder();
    final WriteBuffer buffer = new WriteBuffer(16 * 1024);
  }

  public LocalStorage(LocalStorageConfig config) {
    this.config = requireNonNull(config, "config");
    this.compactor = new Compactor(config, blocks, () -> state != State.RUNNING);
  }

  public LocalStorageConfig config() {
    return config;
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
  public synchronized void start() {
    if (state != State.NEW) throw new IllegalStateException("local storage already " + state);
    try {
      Files.createDirectories(config.path());
      openBlocks();
      long walCovered = 0;
      for (Block b : blocks.snapshot()) walCovered = Math.max(walCovered, b.meta().walSegmentEnd());
      wal = new WriteAheadLog(config.walPath(), config.walSegmentBytes());
      WriteAheadLog.ReplayResult replay = wal.open(walCovered, this::replay);
      corruptTailsTruncated.addAndGet(replay.corruptTailsTruncated());
      LOG.log(Level.INFO, "storage.local.started blocks={0} wal_segments={1} wal_records={2} "
          + "head_spans={3} corrupt_tails_truncated={4} config=\"{5}\"", blocks.size(),
          replay.segments(), replay.records(), head.spanCount(), replay.corruptTailsTruncated(),
          config);
    } catch (IOException | RuntimeException e) {
      state = State.FAILED;
      closeQuietly();
      throw new StorageException("local storage failed to start: " + e.getMessage(), e);
    }
    state = State.RUNNING;
    long tick = Math.max(10, Math.min(1000, config.headMaxAge().toMillis() / 4));
    cutter = singleThread("spanloom-local-cut");
    cutter.scheduleWithFixedDelay(this::cutIfDue, tick, tick, TimeUnit.MILLISECONDS);
    compactorThread = singleThread("spanloom-local-compactor");
    long cycle = config.compactionCycle().toMillis();
    compactorThread.scheduleWithFixedDelay(this::compactQuietly, cycle, cycle, TimeUnit.MILLISECONDS);
    if (config.fsyncPolicy() == FsyncPolicy.INTERVAL) {
      fsyncThread = singleThread("spanloom-wal-fsync");
      long interval = Math.max(1, config.fsyncInterval().toMillis());
      fsyncThread.scheduleWithFixedDelay(this::syncQuietly, interval, interval, TimeUnit.MILLISECONDS);
    }
  }

  /** Opens every block directory with a meta file; deletes the rest (half-written blocks). */
  private void openBlocks() throws IOException {
    List<Path> dirs = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(config.path())) {
      for (Path p : entries) if (Files.isDirectory(p)) dirs.add(p);
    }
    dirs.sort(null);
    for (Path dir : dirs) {
      if (!Files.exists(dir.resolve(BlockMeta.FILE_NAME))) {
        LOG.log(Level.WARNING, "block.garbage dir={0} reason=\"no meta file: an interrupted write\"", dir);
        DurableFiles.deleteRecursively(dir);
        continue;
      }
      try {
        blocks.add(Block.open(dir));
      } catch (CorruptDataException | IOException e) {
        // Left on disk for a human: deleting what might be the only copy of data is not ours to do.
        LOG.log(Level.ERROR, "block.unreadable dir={0} error=\"{1}\"", dir, e.getMessage());
      }
    }
  }

  private void replay(byte[] payload, int offset, int length) {
    ReadBuffer in = new ReadBuffer(payload, offset, length);
    int type = in.readByte();
    if (type != RECORD_SPANS) throw new CorruptDataException("unknown WAL record type " + type);
    List<Span> spans = SpanBatchDecoder.decode(in, null);
    head.add(spans, config.clock().millis());
  }

  // ---------------------------------------------------------------- write path

  @Override
  public void write(List<Span> spans) {
    if (spans.isEmpty()) return;
    checkRunning();
    awaitHeadRoom();
    Encoding enc = encodings.get();
    WriteBuffer buf = enc.buffer;
    buf.reset();
    buf.writeByte(RECORD_SPANS);
    enc.encoder.encode(spans, buf);
    long position;
    appendLock.lock();
    try {
      checkRunning();
      position = wal.append(buf.array(), 0, buf.size());
      // Added before the fsync, under the lock that a cut takes, so that a record is in the head
      // that the cut takes with its segment. Readers may see it a moment before it is durable.
      head.add(spans, config.clock().millis());
    } catch (IOException e) {
      throw new StorageException("write-ahead log append failed: " + e.getMessage(), e);
    } finally {
      appendLock.unlock();
    }
    if (config.fsyncPolicy() == FsyncPolicy.BATCH) {
      try {
        wal.awaitDurable(position);
      } catch (IOException e) {
        throw new StorageException("write-ahead log fsync failed: " + e.getMessage(), e);
      }
    }
    spansWritten.add(spans.size());
    if (head.bytes() >= config.headMaxBytes() && cutScheduled.compareAndSet(false, true)) {
      try {
        cutter.execute(() -> {
          cutScheduled.set(false);
          cutIfDue();
        });
      } catch (RejectedExecutionException e) {
        cutScheduled.set(false); // closing: the WAL keeps the head
      }
    }
  }

  /**
   * Backpressure: while a cut runs and the new head is already full, wait for the cut, then
   * refuse, so that memory stays near twice {@code max_block_bytes} however slow the disk.
   */
  private void awaitHeadRoom() {
    if (flushing == null || head.bytes() < config.headMaxBytes()) return;
    long deadline = System.nanoTime() + WRITE_STALL_TIMEOUT.toNanos();
    synchronized (cutDone) {
      while (flushing != null && head.bytes() >= config.headMaxBytes() && state == State.RUNNING) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          refusedWrites.incrementAndGet();
          throw new StorageException("head block full: " + head.bytes() + " of "
              + config.headMaxBytes() + " bytes while the previous block is still being written"
              + " (retry later)");
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(cutDone, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new StorageException("interrupted waiting for head block room");
        }
      }
    }
  }

  private boolean cutDue() {
    HeadBlock h = head;
    if (h.isEmpty()) return false;
    if (h.bytes() >= config.headMaxBytes()) return true;
    return config.clock().millis() - h.firstWriteMillis() >= config.headMaxAge().toMillis();
  }

  private void cutIfDue() {
    try {
      while (state == State.RUNNING && (flushing != null || cutDue())) cutHead();
    } catch (IOException | RuntimeException e) {
      // The head stays readable and in the WAL; the next tick retries.
      LOG.log(Level.ERROR, "block.cut_failed error=\"{0}\"", e.toString());
    }
  }

  /**
   * Cuts the head into a block now and waits until the block is durable (an admin "flush");
   * returns at once when the head is empty.
   */
  public void flush() {
    checkRunning();
    try {
      cutHead();
    } catch (IOException e) {
      throw new StorageException("cutting the head block failed: " + e.getMessage(), e);
    }
  }

  private void cutHead() throws IOException {
    synchronized (cutLock) {
      Flushing f = flushing;
      if (f == null) {
        appendLock.lock();
        try {
          if (head.isEmpty()) return;
          f = new Flushing(head, wal.roll());
          flushing = f;
          head = new HeadBlock();
        } finally {
          appendLock.unlock();
        }
      }
      String id = UUID.randomUUID().toString();
      Path dir = config.path().resolve(id);
      try (BlockWriter writer = new BlockWriter(dir, id, config.rowGroupSpans())) {
        for (Trace t : f.head().sortedTraces()) writer.add(t.traceId(), t.spans());
        writer.finish(0, config.clock().millis(), f.walEnd());
      }
      Block block = Block.open(dir);
      blocks.add(block);
      flushing = null;
      synchronized (cutDone) {
        cutDone.notifyAll();
      }
      blocksCut.incrementAndGet();
      LOG.log(Level.INFO, "block.cut block={0} traces={1} spans={2} data_bytes={3}", id,
          block.meta().traceCount(), block.meta().spanCount(), block.meta().dataBytes());
      try {
        wal.deleteSegmentsBefore(f.walEnd());
      } catch (IOException e) {
        // Harmless: the block's meta says which segments it covers; the next start deletes them.
        LOG.log(Level.WARNING, "wal.delete_failed error=\"{0}\"", e.toString());
      }
    }
  }

  /** Runs retention and compaction once now and waits for them (for tests and admin use). */
  public void compact() {
    checkRunning();
    try {
      compactor.run();
    } catch (IOException e) {
      throw new StorageException("compaction failed: " + e.getMessage(), e);
    }
  }

  private void compactQuietly() {
    try {
      if (state == State.RUNNING) compactor.run();
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.ERROR, "block.compaction_failed error=\"{0}\"", e.toString());
    }
  }

  private void syncQuietly() {
    try {
      wal.sync();
    } catch (IOException e) {
      // The WAL has marked itself failed: writes are refused and isReady() turns false.
      LOG.log(Level.ERROR, "wal.fsync_failed error=\"{0}\"", e.toString());
    }
  }

  // ---------------------------------------------------------------- read path

  @Override
  public Optional<Trace> findTrace(TraceId traceId) {
    requireNonNull(traceId, "traceId");
    checkRunning();
    List<Span> parts = new ArrayList<>();
    HeadBlock h = head;
    parts.addAll(h.get(traceId));
    Flushing f = flushing;
    if (f != null) parts.addAll(f.head().get(traceId));
    blocks.read(list -> {
      for (Block b : list) addBlockParts(b, traceId, parts, null, Long.MIN_VALUE, Long.MAX_VALUE);
      return null;
    });
    return parts.isEmpty() ? Optional.empty() : Optional.of(Trace.of(traceId, parts));
  }

  /**
   * Adds the spans {@code block} holds for {@code traceId}, unless its statistics put them outside
   * {@code [reachStart, reachEnd]}; uses and fills {@code cache} if given.
   */
  private void addBlockParts(Block block, TraceId traceId, List<Span> out, RowGroupCache cache,
      long reachStart, long reachEnd) {
    BlockMeta m = block.meta();
    if (m.maxEndEpochNanos() < reachStart || m.minStartEpochNanos() > reachEnd) return;
    if (!block.mightContain(traceId)) return;
    int rg = block.rowGroupOf(traceId);
    if (rg < 0) return;
    RowGroupInfo info = block.rowGroups().get(rg);
    if (info.maxEndEpochNanos() < reachStart || info.minStartEpochNanos() > reachEnd) return;
    if (cache == null) {
      try {
        out.addAll(block.find(traceId));
      } catch (IOException | CorruptDataException e) {
        readFailed(block, rg, e);
      }
      return;
    }
    List<Span> spans = cache.get(block, rg);
    if (spans == null) {
      spans = readRowGroup(block, rg);
      if (spans == null) return;
      cache.put(block, rg, spans);
    }
    addTraceRun(spans, traceId, out);
  }

  /** Every span of a row group, or null when it cannot be read (logged and counted). */
  private List<Span> readRowGroup(Block block, int rowGroup) {
    try {
      return block.spans(block.rowGroups().get(rowGroup));
    } catch (IOException | CorruptDataException e) {
      readFailed(block, rowGroup, e);
      return null;
    }
  }

  // One bad row group must not fail a whole read: the rest is returned, the error counted.
  private void readFailed(Block block, int rowGroup, Exception e) {
    readErrors.incrementAndGet();
    LOG.log(Level.ERROR, "block.read_failed block={0} row_group={1} error=\"{2}\"", block.id(),
        rowGroup, e.getMessage());
  }

  /** {@code t} moved earlier by the search slack, saturating. */
  private static long minusSlack(long t) {
    long s = t - SEARCH_TIME_SLACK_NANOS;
    return s > t ? Long.MIN_VALUE : s;
  }

  /** {@code t} moved later by the search slack, saturating. */
  private static long plusSlack(long t) {
    long s = t + SEARCH_TIME_SLACK_NANOS;
    return s < t ? Long.MAX_VALUE : s;
  }

  /** Adds the run of {@code traceId}'s spans from a row group's spans, sorted by trace ID. */
  private static void addTraceRun(List<Span> sortedByTrace, TraceId traceId, List<Span> out) {
    int lo = 0, hi = sortedByTrace.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sortedByTrace.get(mid).traceId().compareTo(traceId) < 0) lo = mid + 1;
      else hi = mid;
    }
    for (int i = lo; i < sortedByTrace.size() && sortedByTrace.get(i).traceId().equals(traceId); i++) {
      out.add(sortedByTrace.get(i));
    }
  }

  @Override
  public List<TraceSummary> search(SearchRequest request) {
    checkRunning();
    Search search = new Search(SpanMatcher.of(request));
    blocks.read(list -> {
      // Blocks first known, then the heads: a head candidate's trace is checked with its block parts.
      search.blocks = list;
      search.scanHead(search.h);
      if (search.f != null) search.scanHead(search.f.head());
      List<Block> newestFirst = new ArrayList<>(list);
      newestFirst.sort(Comparator.comparingLong((Block b) -> b.meta().maxEndEpochNanos()).reversed());
      for (Block b : newestFirst) {
        if (!search.mayImprove(b.meta().maxEndEpochNanos())) break;
        search.scanBlock(b);
      }
      return null;
    });
    return search.matcher.newestFirst(search.hits);
  }

  /**
   * One search. Candidates are trace parts with a matching span; each is checked on the whole
   * trace (every part merged) with {@link SpanMatcher#match}. A trace's start is at most the
   * start of any of its parts, so a candidate or block that starts after the worst of a full hit
   * list cannot enter it and is skipped.
   */
  private final class Search {
    final SpanMatcher matcher;
    final int limit;
    // Worst hit first, so the head of the queue is the one to displace.
    final PriorityQueue<TraceSummary> hits;
    final Set<TraceId> seen = new HashSet<>();
    final RowGroupCache cache = new RowGroupCache();
    final HeadBlock h = head;
    final Flushing f = flushing;
    List<Block> blocks = List.of();

    Search(SpanMatcher matcher) {
      this.matcher = matcher;
      this.limit = matcher.request().limit();
      this.hits = new PriorityQueue<>(SpanMatcher.NEWEST_FIRST.reversed());
    }

    /** False when nothing that starts at or before {@code latestStart} can enter the hits. */
    boolean mayImprove(long latestStart) {
      return hits.size() < limit || latestStart >= hits.peek().startEpochNanos();
    }

    void scanHead(HeadBlock head) {
      List<Candidate> candidates = new ArrayList<>();
      head.forEach((id, spans) -> consider(id, spans, candidates));
      verify(candidates);
    }

    void scanBlock(Block b) {
      SearchRequest r = matcher.request();
      BlockMeta m = b.meta();
      if (!overlapsWithSlack(m.minStartEpochNanos(), m.maxEndEpochNanos())
          || !durationsMayMatch(r, m.minDurationNanos(), m.maxDurationNanos())
          || (!r.serviceName().isEmpty() && !b.mayHaveService(r.serviceName()))
          || (!r.spanName().isEmpty() && !b.mayHaveSpanName(r.spanName()))) {
        return;
      }
      List<RowGroupInfo> rgs = b.rowGroups();
      for (int i = 0; i < rgs.size(); i++) {
        RowGroupInfo rg = rgs.get(i);
        if (!mayImprove(rg.maxEndEpochNanos())
            || !overlapsWithSlack(rg.minStartEpochNanos(), rg.maxEndEpochNanos())
            || !durationsMayMatch(r, rg.minDurationNanos(), rg.maxDurationNanos())
            || (!r.serviceName().isEmpty() && !rg.serviceNames().mightContain(r.serviceName()))
            || (!r.spanName().isEmpty() && !rg.spanNames().mightContain(r.spanName()))) {
          continue;
        }
        List<Span> spans = readRowGroup(b, i);
        if (spans == null) continue;
        cache.put(b, i, spans);
        List<Candidate> candidates = new ArrayList<>();
        int start = 0;
        for (int k = 1; k <= spans.size(); k++) {
          if (k == spans.size() || !spans.get(k).traceId().equals(spans.get(start).traceId())) {
            consider(spans.get(start).traceId(), spans.subList(start, k), candidates);
            start = k;
          }
        }
        verify(candidates);
      }
    }

    private boolean overlapsWithSlack(long minStart, long maxEnd) {
      return matcher.overlaps(minusSlack(minStart), plusSlack(maxEnd));
    }

    private void consider(TraceId id, List<Span> part, List<Candidate> out) {
      if (seen.contains(id)) return;
      long partStart = Long.MAX_VALUE;
      boolean matches = false;
      for (Span s : part) {
        partStart = Math.min(partStart, s.startEpochNanos());
        if (!matches && matcher.matches(s)) matches = true;
      }
      if (matches) out.add(new Candidate(id, partStart));
    }

    /** Checks candidates latest first, while they can still enter the hits. */
    private void verify(List<Candidate> candidates) {
      candidates.sort(Comparator.comparingLong(Candidate::partStart).reversed());
      for (Candidate c : candidates) {
        if (!mayImprove(c.partStart())) return;
        if (!seen.add(c.traceId())) continue;
        matcher.match(wholeTrace(c.traceId())).ifPresent(this::offer);
      }
    }

    private Trace wholeTrace(TraceId id) {
      List<Span> parts = new ArrayList<>(h.get(id));
      if (f != null) parts.addAll(f.head().get(id));
      for (Block b : blocks) addBlockParts(b, id, parts, cache, Long.MIN_VALUE, Long.MAX_VALUE);
      return Trace.of(id, parts);
    }

    private void offer(TraceSummary hit) {
      hits.add(hit);
      if (hits.size() > limit) hits.poll();
    }
  }

  private record Candidate(TraceId traceId, long partStart) {}

  private static boolean durationsMayMatch(SearchRequest r, long minDuration, long maxDuration) {
    if (r.minDurationNanos() != 0 && maxDuration < r.minDurationNanos()) return false;
    return r.maxDurationNanos() == 0 || minDuration <= r.maxDurationNanos();
  }

  /** The last few decoded row groups of one search, so that checking a candidate's whole trace does not decode its row group again. */
  private static final class RowGroupCache {
    private static final int MAX_ENTRIES = 8;
    private final Map<String, List<Span>> entries = new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, List<Span>> eldest) {
        return size() > MAX_ENTRIES;
      }
    };

    List<Span> get(Block b, int rowGroup) {
      return entries.get(b.id() + "/" + rowGroup);
    }

    void put(Block b, int rowGroup, List<Span> spans) {
      entries.put(b.id() + "/" + rowGroup, spans);
    }
  }

  @Override
  public void scan(TraceScan scan, Predicate<Trace> visitor) {
    requireNonNull(scan, "scan");
    requireNonNull(visitor, "visitor");
    checkRunning();
    Scan run = new Scan(scan, visitor);
    // Held throughout, as by search, so that no block is deleted under the scan: a compaction's
    // swap waits for it.
    blocks.read(list -> {
      run.run(list);
      return null;
    });
  }

  /**
   * One scan, streaming: the head, a head being cut, then each block row group by row group, so
   * that memory holds a few decoded row groups, never all the data.
   *
   * <p>Blocks and row groups are skipped by their statistics: their time range (with the search
   * slack, none before the window when only traces starting in it are wanted) and <em>one</em>
   * hint, the same for every source (services, span names, duration, or one attribute equality,
   * which only row groups of format 3 can rule out). A trace satisfies each hint with some
   * span, but those spans may lie in different parts; a part that lacks one hint may still belong
   * to a trace that satisfies them all, so pruning with every hint could hide it. The part holding
   * the chosen hint's span survives pruning by that hint alone and makes the trace a candidate.
   * Each candidate is assembled whole, from every part that may lie within the slack of it (as
   * {@link #findTrace}, bloom filter then row group), checked against the window and every hint,
   * and visited.
   *
   * <p>A trace's parts in one source are one candidate, so only a trace found in several sources
   * can come up twice; those are remembered, which keeps the memory of a scan far below one entry
   * per trace. As for search, a trace is whole and visited once when its parts lie within the
   * slack of each other: parts further apart are not joined and come up as traces of their own.
   */
  private final class Scan {
    final TraceScan scan;
    final Predicate<Trace> visitor;
    // Head before flushing, as every reader reads them (see the fields).
    final HeadBlock h = head;
    final Flushing f = flushing;
    final Set<TraceId> inSeveralSources = new HashSet<>();
    final RowGroupCache cache = new RowGroupCache();
    List<Block> blocks = List.of();
    // Every hint given, in the order the cheapest is looked for (first wins a tie).
    final List<Hint> given;
    Hint hint = Hint.NONE;
    boolean stopped;

    Scan(TraceScan scan, Predicate<Trace> visitor) {
      this.scan = scan;
      this.visitor = visitor;
      List<Hint> hints = new ArrayList<>();
      for (ScanHint h : ScanHint.GIVEN_ORDER) {
        if (h.isGiven(scan)) hints.add(new StatisticsHint(h, scan));
      }
      for (AttributeEquality e : scan.attributeEqualities()) hints.add(new EqualityHint(e));
      this.given = hints;
    }

    void run(List<Block> list) {
      blocks = list;
      hint = cheapestHint();
      scanHead(h);
      // A cut between reading head and flushing leaves them the same head.
      if (f != null && f.head() != h) scanHead(f.head());
      for (Block b : list) {
        if (stopped) return;
        scanBlock(b);
      }
    }

    /** The given hint whose statistics leave the fewest compressed bytes to read. */
    private Hint cheapestHint() {
      Hint best = Hint.NONE;
      long bestBytes = Long.MAX_VALUE;
      for (Hint candidate : given) {
        long bytes = 0;
        for (Block b : blocks) {
          if (!mayHold(candidate, b)) continue;
          for (RowGroupInfo rg : b.rowGroups()) {
            if (mayHold(candidate, rg)) bytes += rg.compressedLength();
          }
        }
        if (bytes < bestBytes) {
          best = candidate;
          bestBytes = bytes;
        }
      }
      return best;
    }

    private boolean mayHold(Hint hint, Block b) {
      BlockMeta m = b.meta();
      return mayBeInWindow(hint, m.minStartEpochNanos(), m.maxEndEpochNanos()) && hint.mayHold(b);
    }

    private boolean mayHold(Hint hint, RowGroupInfo rg) {
      return mayBeInWindow(hint, rg.minStartEpochNanos(), rg.maxEndEpochNanos()) && hint.mayHold(rg);
    }

    /**
     * False only when no candidate part of a visited trace can lie in {@code [minStart, maxEnd]},
     * when {@code hint} is the chosen hint.
     *
     * <p>A trace overlapping the window may have parts up to the slack away from it. A trace
     * <em>starting</em> in the window ({@link TraceScan#startsInWindow}) has every span ending at
     * or after the window's start, so no margin is needed before it. After it: with no hint, the
     * part holding the earliest span is a candidate, and it overlaps the window; with a hint, the
     * candidate is the part holding the hint's span, which may start later than the window's end,
     * within the slack (as for any scan).
     */
    private boolean mayBeInWindow(Hint hint, long minStart, long maxEnd) {
      if (!scan.startsInWindow()) return scan.overlaps(minusSlack(minStart), plusSlack(maxEnd));
      return scan.overlaps(hint == Hint.NONE ? minStart : minusSlack(minStart), maxEnd);
    }

    void scanHead(HeadBlock source) {
      List<TraceId> candidates = new ArrayList<>();
      source.forEach((id, part) -> {
        if (isCandidate(part, 0, part.size())) candidates.add(id);
      });
      // In trace-ID order, so that the lookups walk each block's row groups forward.
      candidates.sort(null);
      for (TraceId id : candidates) {
        if (stopped) return;
        visit(id, List.of(), null);
      }
    }

    void scanBlock(Block b) {
      if (!mayHold(hint, b)) return;
      List<RowGroupInfo> rgs = b.rowGroups();
      for (int i = 0; i < rgs.size() && !stopped; i++) {
        if (!mayHold(hint, rgs.get(i))) continue;
        // Not put in the cache: its traces are done with here, and the cache is for lookups.
        List<Span> spans = cache.get(b, i);
        if (spans == null) spans = readRowGroup(b, i);
        if (spans == null) continue;
        int start = 0;
        for (int k = 1; k <= spans.size() && !stopped; k++) {
          if (k < spans.size() && spans.get(k).traceId().equals(spans.get(start).traceId())) continue;
          if (isCandidate(spans, start, k)) visit(spans.get(start).traceId(), spans.subList(start, k), b);
          start = k;
        }
      }
    }

    /** True when a part holds a span of the chosen hint and may lie within the window. */
    private boolean isCandidate(List<Span> spans, int from, int to) {
      long start = Long.MAX_VALUE;
      long end = Long.MIN_VALUE;
      boolean witness = false;
      for (int i = from; i < to; i++) {
        Span s = spans.get(i);
        start = Math.min(start, s.startEpochNanos());
        end = Math.max(end, s.endEpochNanos());
        if (!witness && hint.isSatisfiedBy(s)) witness = true;
      }
      return witness && mayBeInWindow(hint, start, end);
    }

    /**
     * Assembles a candidate (its part from {@code sourceBlock}, or from a head when that is null)
     * and visits it when the whole trace overlaps the window and satisfies every hint.
     */
    private void visit(TraceId id, List<Span> part, Block sourceBlock) {
      if (inSeveralSources.contains(id)) return;
      List<Span> spans = new ArrayList<>(part);
      int sources = part.isEmpty() ? 0 : 1;
      sources += addAll(h.get(id), spans);
      if (f != null && f.head() != h) sources += addAll(f.head().get(id), spans);
      if (spans.isEmpty()) return;
      long start = Long.MAX_VALUE;
      long end = Long.MIN_VALUE;
      for (Span s : spans) {
        start = Math.min(start, s.startEpochNanos());
        end = Math.max(end, s.endEpochNanos());
      }
      for (Block b : blocks) {
        if (b == sourceBlock) continue; // a block holds a trace in one row group: the part
        int before = spans.size();
        addBlockParts(b, id, spans, cache, minusSlack(start), plusSlack(end));
        if (spans.size() > before) sources++;
      }
      if (sources > 1) inSeveralSources.add(id);
      Trace trace = Trace.of(id, spans);
      if (!scan.passesWindow(trace.startEpochNanos(), trace.endEpochNanos())) return;
      for (Hint h : given) {
        if (!h.isSatisfiedBy(trace)) return;
      }
      if (!visitor.test(trace)) stopped = true;
    }

    private static int addAll(List<Span> part, List<Span> out) {
      out.addAll(part);
      return part.isEmpty() ? 0 : 1;
    }
  }

  /**
   * One hint of a scan: a condition some span of a visited trace meets, and what a block's or row
   * group's statistics say of it.
   */
  private interface Hint {
    Hint NONE = new StatisticsHint(ScanHint.NONE, TraceScan.ALL);

    boolean isSatisfiedBy(Span span);

    /** False only when no span of the block can satisfy the hint. */
    boolean mayHold(Block b);

    /** False only when no span of the row group can satisfy the hint. */
    boolean mayHold(RowGroupInfo rg);

    default boolean isSatisfiedBy(Trace trace) {
      for (Span span : trace.spans()) {
        if (isSatisfiedBy(span)) return true;
      }
      return false;
    }
  }

  /** A hint on services, span names or durations, which block and row-group statistics cover. */
  private record StatisticsHint(ScanHint hint, TraceScan scan) implements Hint {
    @Override public boolean isSatisfiedBy(Span span) {
      return hint.isSatisfiedBy(scan, span);
    }

    @Override public boolean mayHold(Block b) {
      return hint.mayHold(scan, b);
    }

    @Override public boolean mayHold(RowGroupInfo rg) {
      return hint.mayHold(scan, rg);
    }
  }

  /** An attribute equality: row groups of format 3 filter their attribute values, blocks do not. */
  private record EqualityHint(AttributeEquality equality) implements Hint {
    @Override public boolean isSatisfiedBy(Span span) {
      return equality.isSatisfiedBy(span);
    }

    @Override public boolean mayHold(Block b) {
      return true;
    }

    @Override public boolean mayHold(RowGroupInfo rg) {
      return AttributeValueFilter.mayHold(rg.attributeValues(), equality);
    }
  }

  /** A {@link TraceScan} hint: a condition on a span, and on a block's or row group's statistics. */
  private enum ScanHint {
    NONE {
      @Override boolean isGiven(TraceScan s) {
        return false;
      }

      @Override boolean isSatisfiedBy(TraceScan s, Span span) {
        return true;
      }

      @Override boolean mayHold(TraceScan s, Block b) {
        return true;
      }

      @Override boolean mayHold(TraceScan s, RowGroupInfo rg) {
        return true;
      }
    },
    SERVICE {
      @Override boolean isGiven(TraceScan s) {
        return !s.serviceNames().isEmpty();
      }

      @Override boolean isSatisfiedBy(TraceScan s, Span span) {
        return s.serviceNames().contains(span.serviceName());
      }

      @Override boolean mayHold(TraceScan s, Block b) {
        return anyMayBeIn(s.serviceNames(), b::mayHaveService);
      }

      @Override boolean mayHold(TraceScan s, RowGroupInfo rg) {
        return anyMayBeIn(s.serviceNames(), rg.serviceNames()::mightContain);
      }
    },
    SPAN_NAME {
      @Override boolean isGiven(TraceScan s) {
        return !s.spanNames().isEmpty();
      }

      @Override boolean isSatisfiedBy(TraceScan s, Span span) {
        return s.spanNames().contains(span.name());
      }

      @Override boolean mayHold(TraceScan s, Block b) {
        return anyMayBeIn(s.spanNames(), b::mayHaveSpanName);
      }

      @Override boolean mayHold(TraceScan s, RowGroupInfo rg) {
        return anyMayBeIn(s.spanNames(), rg.spanNames()::mightContain);
      }
    },
    DURATION {
      @Override boolean isGiven(TraceScan s) {
        return s.minSpanDurationNanos() > 0;
      }

      @Override boolean isSatisfiedBy(TraceScan s, Span span) {
        return span.durationNanos() >= s.minSpanDurationNanos();
      }

      @Override boolean mayHold(TraceScan s, Block b) {
        return b.meta().maxDurationNanos() >= s.minSpanDurationNanos();
      }

      @Override boolean mayHold(TraceScan s, RowGroupInfo rg) {
        return rg.maxDurationNanos() >= s.minSpanDurationNanos();
      }
    };

    /** The hints a scan may give, in the order the cheapest is looked for (first wins a tie). */
    static final List<ScanHint> GIVEN_ORDER = List.of(SERVICE, SPAN_NAME, DURATION);

    abstract boolean isGiven(TraceScan s);

    abstract boolean isSatisfiedBy(TraceScan s, Span span);

    /** False only when no span of the block can satisfy the hint. */
    abstract boolean mayHold(TraceScan s, Block b);

    /** False only when no span of the row group can satisfy the hint. */
    abstract boolean mayHold(TraceScan s, RowGroupInfo rg);

    private static boolean anyMayBeIn(Set<String> values, Predicate<String> mightContain) {
      for (String v : values) {
        if (mightContain.test(v)) return true;
      }
      return false;
    }
  }

  @Override
  public List<String> serviceNames() {
    TreeSet<String> names = new TreeSet<>();
    for (SpanNameCatalog c : catalogs()) names.addAll(c.serviceNames());
    return List.copyOf(names);
  }

  @Override
  public List<SpanName> spanNames(String serviceName) {
    requireNonNull(serviceName, "serviceName");
    TreeSet<SpanName> names = new TreeSet<>();
    for (SpanNameCatalog c : catalogs()) c.addSpanNamesTo(serviceName, names);
    return List.copyOf(names);
  }

  /**
   * The span-name catalogs of the head, a head being cut and every block: from memory, without
   * decoding spans, except once for a block of format 1, which has none stored.
   */
  private List<SpanNameCatalog> catalogs() {
    checkRunning();
    List<SpanNameCatalog> catalogs = new ArrayList<>();
    HeadBlock h = head;
    Flushing f = flushing;
    catalogs.add(h.names());
    if (f != null) catalogs.add(f.head().names());
    blocks.read(list -> {
      for (Block b : list) {
        try {
          catalogs.add(b.names());
        } catch (IOException | CorruptDataException e) {
          // Its names are missing from this answer; the next one tries again.
          readErrors.incrementAndGet();
          LOG.log(Level.ERROR, "block.names_failed block={0} error=\"{1}\"", b.id(), e.getMessage());
        }
      }
      return null;
    });
    return catalogs;
  }

  // ---------------------------------------------------------------- lifecycle and counters

  /** True once started, until closed or until the WAL failed (then writes are refused). */
  @Override
  public boolean isReady() {
    return state == State.RUNNING && wal.isHealthy();
  }

  /** Stops the background threads and fsyncs the WAL; the head is replayed from it at next start. */
  @Override
  public synchronized void close() {
    if (state == State.CLOSED) return;
    state = State.CLOSED;
    synchronized (cutDone) {
      cutDone.notifyAll();
    }
    closeQuietly();
  }

  private void closeQuietly() {
    for (ScheduledExecutorService s : new ScheduledExecutorService[] {cutter, compactorThread, fsyncThread}) {
      if (s == null) continue;
      // No interrupt: it would close the block and WAL channels under the thread. The
      // compactor stops between traces once the state is no longer RUNNING.
      s.shutdown();
      try {
        if (!s.awaitTermination(30, TimeUnit.SECONDS)) {
          LOG.log(Level.WARNING, "storage.local.close thread_still_running={0}", s);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    // Writers that passed checkRunning() finish their append before the WAL closes.
    appendLock.lock();
    try {
      if (wal != null) wal.close();
    } catch (IOException e) {
      LOG.log(Level.ERROR, "wal.close_failed error=\"{0}\"", e.toString());
    } finally {
      appendLock.unlock();
    }
    blocks.close();
  }

  private static ScheduledExecutorService singleThread(String name) {
    return Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
  }

  private void checkRunning() {
    State s = state;
    if (s != State.RUNNING) {
      throw new StorageException(s == State.NEW
          ? "local storage not started (call start())" : "local storage is " + s.name().toLowerCase());
    }
  }

  /** Spans accepted by {@link #write} since start. */
  public long spansWritten() {
    return spansWritten.sum();
  }

  /** Bytes appended to the write-ahead log since start. */
  public long walBytesWritten() {
    WriteAheadLog w = wal;
    return w == null ? 0 : w.bytesWritten();
  }

  /** Blocks on disk and visible to reads now. */
  public int blockCount() {
    return blocks.size();
  }

  /** Head blocks cut into blocks since start. */
  public long blocksCut() {
    return blocksCut.get();
  }

  /** Merges done by the compactor since start. */
  public long compactions() {
    return compactor.compactions();
  }

  /** Blocks deleted for being past retention since start. */
  public long blocksExpired() {
    return compactor.blocksExpired();
  }

  /** Torn or corrupt WAL tails cut off by the replay at start. */
  public long corruptWalTailsTruncated() {
    return corruptTailsTruncated.get();
  }

  /** Writes refused because the head was full while a cut ran (backpressure). */
  public long refusedWrites() {
    return refusedWrites.get();
  }

  /** Row groups that could not be read (I/O error or checksum mismatch) during reads. */
  public long readErrors() {
    return readErrors.get();
  }

  /** The head block's estimated heap size now. */
  public long headBytes() {
    return head.bytes();
  }

  /** Spans in the head block now. */
  public long headSpans() {
    return head.spanCount();
  }

  @Override
  public String toString() {
    return "LocalStorage{" + config + "}";
  }
}
