package dev.spanloom.storage.local;

import dev.spanloom.model.Span;
import dev.spanloom.model.Trace;
import dev.spanloom.model.TraceId;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Deletes blocks past retention and merges small blocks into bigger ones, joining the parts of a
 * trace that several blocks hold and dropping duplicate spans.
 *
 * <p>Blocks are merged only with blocks whose newest span ends in the same {@code
 * compaction_window}. Within a window, blocks of the lowest compaction level with at least two
 * members are merged first (up to {@link #MAX_INPUTS}), which keeps rewriting logarithmic like a
 * tiered LSM tree; once the window is closed (it ended more than a head age ago, so no new
 * block lands in it), all its blocks are merged regardless of level.
 *
 * <p>Only the compactor removes blocks, so it reads its inputs without holding the block set's
 * lock. Runs are serialized.
 */
final class Compactor {
  private static final System.Logger LOG = System.getLogger(Compactor.class.getName());
  static final int MAX_INPUTS = 8;
  /** A merge stops adding inputs beyond this many spans, to bound one merge's work and block size. */
  static final long MAX_OUTPUT_SPANS = 20_000_000;

  private final LocalStorageConfig config;
  private final BlockSet blocks;
  private final BooleanSupplier stopping;
  private final AtomicLong compactions = new AtomicLong();
  private final AtomicLong blocksExpired = new AtomicLong();

  Compactor(LocalStorageConfig config, BlockSet blocks, BooleanSupplier stopping) {
    this.config = config;
    this.blocks = blocks;
    this.stopping = stopping;
  }

  /** One cycle: retention, then merges until no window has anything left to merge. */
  synchronized void run() throws IOException {
    applyRetention();
    while (!stopping.getAsBoolean()) {
      List<Block> plan = plan(blocks.snapshot());
      if (plan.isEmpty()) return;
      Block merged = merge(plan);
      if (merged == null) return; // stopped midway
      blocks.replace(plan, merged);
      compactions.incrementAndGet();
      LOG.log(Level.INFO, "block.compacted inputs={0} output={1} level={2} traces={3} spans={4}",
          plan.size(), merged.id(), merged.meta().compactionLevel(), merged.meta().traceCount(),
          merged.meta().spanCount());
    }
  }

  private void applyRetention() {
    long cutoff = nowNanos() - config.blockRetention().toNanos();
    List<Block> expired = new ArrayList<>();
    for (Block b : blocks.snapshot()) {
      if (b.meta().maxEndEpochNanos() < cutoff) expired.add(b);
    }
    if (expired.isEmpty()) return;
    blocks.replace(expired, null);
    blocksExpired.addAndGet(expired.size());
    for (Block b : expired) {
      LOG.log(Level.INFO, "block.expired block={0} max_end={1} retention={2}", b.id(),
          Instant.ofEpochSecond(0, b.meta().maxEndEpochNanos()),
          LocalStorageConfig.format(config.blockRetention()));
    }
  }

  /** The next blocks to merge, or empty. */
  List<Block> plan(List<Block> current) {
    long window = config.compactionWindow().toNanos();
    Map<Long, List<Block>> byWindow = new TreeMap<>();
    for (Block b : current) {
      byWindow.computeIfAbsent(Math.floorDiv(b.meta().maxEndEpochNanos(), window),
          w -> new ArrayList<>()).add(b);
    }
    long now = nowNanos();
    for (Map.Entry<Long, List<Block>> e : byWindow.entrySet()) {
      List<Block> inWindow = e.getValue();
      if (inWindow.size() < 2) continue;
      boolean closed = (e.getKey() + 1) * window + config.headMaxAge().toNanos() < now;
      List<Block> candidates = closed ? inWindow : lowestLevelWithPeers(inWindow);
      List<Block> chosen = smallestFirst(candidates);
      if (chosen.size() >= 2) return chosen;
    }
    return List.of();
  }

  private static List<Block> lowestLevelWithPeers(List<Block> inWindow) {
    Map<Integer, List<Block>> byLevel = new TreeMap<>();
    for (Block b : inWindow) {
      byLevel.computeIfAbsent(b.meta().compactionLevel(), l -> new ArrayList<>()).add(b);
    }
    for (List<Block> level : byLevel.values()) {
      if (level.size() >= 2) return level;
    }
    return List.of();
  }

  private static List<Block> smallestFirst(List<Block> candidates) {
    List<Block> sorted = new ArrayList<>(candidates);
    sorted.sort(Comparator.comparingLong(b -> b.meta().spanCount()));
    List<Block> chosen = new ArrayList<>();
    long spans = 0;
    for (Block b : sorted) {
      if (chosen.size() == MAX_INPUTS || spans + b.meta().spanCount() > MAX_OUTPUT_SPANS) break;
      chosen.add(b);
      spans += b.meta().spanCount();
    }
    return chosen;
  }

  /** Writes one block holding every trace of {@code inputs}; null when stopped meanwhile. */
  private Block merge(List<Block> inputs) throws IOException {
    String id = UUID.randomUUID().toString();
    Path dir = config.path().resolve(id);
    int level = 0;
    long walEnd = 0;
    PriorityQueue<TraceCursor> queue =
        new PriorityQueue<>(Comparator.comparing(TraceCursor::current));
    for (Block b : inputs) {
      level = Math.max(level, b.meta().compactionLevel() + 1);
      walEnd = Math.max(walEnd, b.meta().walSegmentEnd());
      TraceCursor c = new TraceCursor(b);
      if (c.advance()) queue.add(c);
    }
    try (BlockWriter writer = new BlockWriter(dir, id, config.rowGroupSpans())) {
      List<Span> parts = new ArrayList<>();
      while (!queue.isEmpty()) {
        if (stopping.getAsBoolean()) return null; // the writer's close() removes the partial block
        TraceId traceId = queue.peek().current();
        parts.clear();
        while (!queue.isEmpty() && queue.peek().current().equals(traceId)) {
          TraceCursor c = queue.poll();
          c.takeTrace(parts);
          if (c.advance()) queue.add(c);
        }
        writer.add(traceId, Trace.of(traceId, parts).spans());
      }
      writer.finish(level, config.clock().millis(), walEnd);
    }
    return Block.open(dir);
  }

  private long nowNanos() {
    Instant now = config.clock().instant();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  long compactions() {
    return compactions.get();
  }

  long blocksExpired() {
    return blocksExpired.get();
  }

  /** Walks a block's traces in trace-ID order, one row group in memory at a time. */
  private static final class TraceCursor {
    private final Block block;
    private int rowGroup = -1;
    private List<Span> spans = List.of();
    private int pos;

    TraceCursor(Block block) {
      this.block = block;
    }

    TraceId current() {
      return spans.get(pos).traceId();
    }

    /** Moves to the next trace if the current one was taken; false when the block is done. */
    boolean advance() throws IOException {
      while (pos >= spans.size()) {
        rowGroup++;
        if (rowGroup >= block.rowGroups().size()) return false;
        spans = block.spans(block.rowGroups().get(rowGroup));
        pos = 0;
      }
      return true;
    }

    void takeTrace(List<Span> out) {
      TraceId id = current();
      while (pos < spans.size() && spans.get(pos).traceId().equals(id)) out.add(spans.get(pos++));
    }
  }
}
