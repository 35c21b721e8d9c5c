package dev.spanloom.storage.local;

import com.github.luben.zstd.Zstd;
import dev.spanloom.model.Span;
import dev.spanloom.model.TraceId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Writes one immutable block, streaming: traces arrive in ascending trace-ID order (from a head
 * block or a merge of blocks), are gathered into row groups of about {@code rowGroupSpans} spans
 * (a trace is never split), each encoded as a span batch and compressed into one zstd frame.
 * {@link #finish} then writes the bloom filter, the index with the statistics and the span-name
 * catalog, and last, {@code meta.json} atomically: until then the directory is not a block and
 * is deleted at the next start.
 */
final class BlockWriter implements AutoCloseable {
  static final int DATA_MAGIC = 0x534C4244; // "SLBD"
  static final int INDEX_MAGIC = 0x534C4249; // "SLBI"
  static final int BLOOM_MAGIC = 0x534C4246; // "SLBF"
  static final int HEADER_BYTES = 8;
  static final String DATA = "data";
  static final String INDEX = "index";
  static final String BLOOM = "bloom";
  /** zstd's default level: most of the ratio of higher levels at a fraction of the CPU. */
  static final int ZSTD_LEVEL = 3;

  private final Path dir;
  private final String blockId;
  private final int rowGroupSpans;
  private final FileChannel data;
  private final SpanBatchEncoder encoder = new SpanBatchEncoder();
  private final WriteBuffer batch = new WriteBuffer(64 * 1024);
  private final CRC32C crc = new CRC32C();

  private final List<Span> pending = new ArrayList<>();
  private int pendingTraces;
  private TraceId pendingFirst;
  private TraceId last;
  private final List<RowGroupInfo> rowGroups = new ArrayList<>();
  private long[] traceIds = new long[256]; // high, low pairs, for the bloom filter
  private int traceCount;
  private long spanCount;
  private long dataBytes = HEADER_BYTES;
  private final SpanNameCatalog names = new SpanNameCatalog();
  private boolean finished;

  BlockWriter(Path dir, String blockId, int rowGroupSpans) throws IOException {
    this.dir = dir;
    this.blockId = blockId;
    this.rowGroupSpans = rowGroupSpans;
    Files.createDirectories(dir.getParent());
    Files.createDirectory(dir);
    data = FileChannel.open(dir.resolve(DATA), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
    header.putInt(DATA_MAGIC).putInt(BlockMeta.FORMAT_VERSION).flip();
    DurableFiles.writeFully(data, header);
  }

  /** Adds every span of one trace; trace IDs must ascend. Spans should be in start order. */
  void add(TraceId traceId, List<Span> spans) throws IOException {
    if (spans.isEmpty()) return;
    if (last != null && last.compareTo(traceId) >= 0) {
      throw new IllegalStateException("trace " + traceId + " after " + last + " (expected: ascending)");
    }
    last = traceId;
    if (pendingFirst == null) pendingFirst = traceId;
    pending.addAll(spans);
    pendingTraces++;
    if (traceCount * 2 == traceIds.length) traceIds = java.util.Arrays.copyOf(traceIds, traceIds.length * 2);
    traceIds[traceCount * 2] = traceId.high();
    traceIds[traceCount * 2 + 1] = traceId.low();
    traceCount++;
    if (pending.size() >= rowGroupSpans) flushRowGroup();
  }

  private void flushRowGroup() throws IOException {
    if (pending.isEmpty()) return;
    long minStart = Long.MAX_VALUE, maxEnd = Long.MIN_VALUE;
    long minDuration = Long.MAX_VALUE, maxDuration = Long.MIN_VALUE;
    Set<String> services = new HashSet<>();
    Set<String> spanNames = new HashSet<>();
    AttributeValueFilter.Collector attributes = new AttributeValueFilter.Collector();
    for (Span s : pending) {
      minStart = Math.min(minStart, s.startEpochNanos());
      maxEnd = Math.max(maxEnd, s.endEpochNanos());
      minDuration = Math.min(minDuration, s.durationNanos());
      maxDuration = Math.max(maxDuration, s.durationNanos());
      services.add(s.serviceName());
      spanNames.add(s.name());
      names.add(s);
      attributes.add(s);
    }
    batch.reset();
    encoder.encode(pending, batch);
    int rawLength = batch.size();
    byte[] compressed = new byte[(int) Zstd.compressBound(rawLength)];
    long n = Zstd.compressByteArray(compressed, 0, compressed.length, batch.array(), 0, rawLength, ZSTD_LEVEL);
    if (Zstd.isError(n)) throw new IOException("zstd: " + Zstd.getErrorName(n));
    int length = (int) n;
    crc.reset();
    crc.update(compressed, 0, length);
    DurableFiles.writeFully(data, ByteBuffer.wrap(compressed, 0, length));
    rowGroups.add(new RowGroupInfo(pendingFirst, last, dataBytes, length, rawLength,
        (int) crc.getValue(), pending.size(), pendingTraces, minStart, maxEnd, minDuration,
        maxDuration, StringFilter.of(services), StringFilter.of(spanNames),
        StringFilter.of(attributes.entries())));
    dataBytes += length;
    spanCount += pending.size();
    pending.clear();
    pendingTraces = 0;
    pendingFirst = null;
  }

  boolean isEmpty() {
    return traceCount == 0;
  }

  /**
   * Writes the rest and makes the block durable and visible. {@code walSegmentEnd}: every WAL
   * record in a segment numbered below it is in this block or an older one.
   */
  BlockMeta finish(int compactionLevel, long createdAtMillis, long walSegmentEnd) throws IOException {
    flushRowGroup();
    data.force(true);
    data.close();

    BloomFilter bloom = BloomFilter.withExpectedEntries(traceCount);
    for (int i = 0; i < traceCount; i++) bloom.add(new TraceId(traceIds[2 * i], traceIds[2 * i + 1]));
    WriteBuffer out = new WriteBuffer((int) Math.min(Integer.MAX_VALUE - 64, bloom.sizeBytes() + 32));
    out.writeInt(BLOOM_MAGIC);
    out.writeInt(BlockMeta.FORMAT_VERSION);
    bloom.writeTo(out);
    appendCrc(out);
    DurableFiles.writeAndSync(dir.resolve(BLOOM), out.toByteArray());

    long minStart = Long.MAX_VALUE, maxEnd = Long.MIN_VALUE;
    long minDuration = Long.MAX_VALUE, maxDuration = Long.MIN_VALUE;
    out = new WriteBuffer(256 * (rowGroups.size() + 1));
    out.writeInt(INDEX_MAGIC);
    out.writeInt(BlockMeta.FORMAT_VERSION);
    StringFilter.of(names.serviceNames()).writeTo(out);
    StringFilter.of(names.allSpanNames()).writeTo(out);
    out.writeVarint(rowGroups.size());
    for (RowGroupInfo rg : rowGroups) {
      rg.writeTo(out);
      minStart = Math.min(minStart, rg.minStartEpochNanos());
      maxEnd = Math.max(maxEnd, rg.maxEndEpochNanos());
      minDuration = Math.min(minDuration, rg.minDurationNanos());
      maxDuration = Math.max(maxDuration, rg.maxDurationNanos());
    }
    names.writeTo(out); // format 2: so that name lists never decode spans
    appendCrc(out);
    DurableFiles.writeAndSync(dir.resolve(INDEX), out.toByteArray());

    BlockMeta meta = new BlockMeta(BlockMeta.FORMAT_VERSION, blockId, compactionLevel,
        createdAtMillis, traceCount, spanCount, rowGroups.size(), minStart, maxEnd, minDuration,
        maxDuration, walSegmentEnd, dataBytes);
    DurableFiles.fsyncDirectory(dir);
    DurableFiles.writeAtomically(dir.resolve(BlockMeta.FILE_NAME), meta.toJson());
    DurableFiles.fsyncDirectory(dir.getParent());
    finished = true;
    return meta;
  }

  private void appendCrc(WriteBuffer out) {
    CRC32C c = new CRC32C();
    c.update(out.array(), 0, out.size());
    out.writeInt((int) c.getValue());
  }

  /** Abandons an unfinished block: its directory is removed. */
  @Override
  public void close() throws IOException {
    if (finished) return;
    try {
      data.close();
    } finally {
      DurableFiles.deleteRecursively(dir);
    }
  }
}
