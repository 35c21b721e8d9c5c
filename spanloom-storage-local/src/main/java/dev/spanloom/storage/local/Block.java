package dev.spanloom.storage.local;

import com.github.luben.zstd.Zstd;
import dev.spanloom.model.Span;
import dev.spanloom.model.TraceId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * An immutable block opened for reading. Meta, bloom filter and index (with the row-group
 * statistics and the span-name catalog) are held in memory; row groups are read from the data
 * file on demand. Thread-safe: reads are positional.
 */
final class Block implements AutoCloseable {
  private final Path dir;
  private final BlockMeta meta;
  private final BloomFilter bloom;
  private final StringFilter serviceNames;
  private final StringFilter spanNames;
  private final List<RowGroupInfo> rowGroups;
  // From the index since format 2; for an older block decoded from its row groups on first use.
  private volatile SpanNameCatalog names;
  // Replaced when a reader's interrupt closed it (FileChannel closes itself on interrupt).
  private volatile FileChannel data;
  private volatile boolean closed;

  private Block(Path dir, BlockMeta meta, BloomFilter bloom, StringFilter serviceNames,
      StringFilter spanNames, List<RowGroupInfo> rowGroups, SpanNameCatalog names, FileChannel data) {
    this.dir = dir;
    this.meta = meta;
    this.bloom = bloom;
    this.serviceNames = serviceNames;
    this.spanNames = spanNames;
    this.rowGroups = rowGroups;
    this.names = names;
    this.data = data;
  }

  /** Opens a block directory that has a meta file; corrupt files throw {@link CorruptDataException}. */
  static Block open(Path dir) throws IOException {
    BlockMeta meta = BlockMeta.fromJson(Files.readAllBytes(dir.resolve(BlockMeta.FILE_NAME)));

    int version = meta.formatVersion();
    ReadBuffer bloomIn = checked(dir.resolve(BlockWriter.BLOOM), BlockWriter.BLOOM_MAGIC, version);
    BloomFilter bloom = BloomFilter.readFrom(bloomIn);

    ReadBuffer in = checked(dir.resolve(BlockWriter.INDEX), BlockWriter.INDEX_MAGIC, version);
    StringFilter services = StringFilter.readFrom(in);
    StringFilter spanNames = StringFilter.readFrom(in);
    int count = in.readCount(in.remaining());
    List<RowGroupInfo> rowGroups = new ArrayList<>(count);
    for (int i = 0; i < count; i++) rowGroups.add(RowGroupInfo.readFrom(in, version));
    if (count != meta.rowGroupCount()) {
      throw new CorruptDataException("index has " + count + " row groups, meta says " + meta.rowGroupCount());
    }
    SpanNameCatalog names = meta.hasSpanNameCatalog() ? SpanNameCatalog.readFrom(in) : null;
    FileChannel data = FileChannel.open(dir.resolve(BlockWriter.DATA), StandardOpenOption.READ);
    if (data.size() != meta.dataBytes()) {
      data.close();
      throw new CorruptDataException("data file has " + data.size() + " bytes, meta says " + meta.dataBytes());
    }
    return new Block(dir, meta, bloom, services, spanNames, Collections.unmodifiableList(rowGroups),
        names, data);
  }

  /** The file's body after its magic/version header, its trailing CRC32C verified. */
  private static ReadBuffer checked(Path file, int magic, int expectedVersion) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length < BlockWriter.HEADER_BYTES + 4) throw new CorruptDataException(file + " is too short");
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    ReadBuffer tail = new ReadBuffer(bytes, bytes.length - 4, 4);
    if ((int) crc.getValue() != tail.readInt()) throw new CorruptDataException(file + ": checksum mismatch");
    ReadBuffer in = new ReadBuffer(bytes, 0, bytes.length - 4);
    int m = in.readInt();
    int version = in.readInt();
    if (m != magic || version != expectedVersion) {
      throw new CorruptDataException(file + ": magic " + Integer.toHexString(m) + " version "
          + version + " (expected: " + Integer.toHexString(magic) + " version " + expectedVersion
          + ", the format in meta.json)");
    }
    return in;
  }

  Path dir() {
    return dir;
  }

  BlockMeta meta() {
    return meta;
  }

  String id() {
    return meta.blockId();
  }

  List<RowGroupInfo> rowGroups() {
    return rowGroups;
  }

  /**
   * The block's (service, span name, kind) triples. A block of format 1 has none stored: the first
   * call decodes every row group for them, and keeps the result; a read error is thrown and the
   * next call tries again.
   */
  SpanNameCatalog names() throws IOException {
    SpanNameCatalog n = names;
    if (n != null) return n;
    synchronized (this) {
      if (names == null) {
        SpanNameCatalog decoded = new SpanNameCatalog();
        for (RowGroupInfo rg : rowGroups) {
          for (Span s : spans(rg)) decoded.add(s);
        }
        names = decoded;
      }
      return names;
    }
  }

  /** False when no span of the block has this service name; never a false negative. */
  boolean mayHaveService(String service) {
    SpanNameCatalog n = names;
    return n != null ? n.hasService(service) : serviceNames.mightContain(service);
  }

  /** False when no span of the block has this name; never a false negative. */
  boolean mayHaveSpanName(String name) {
    SpanNameCatalog n = names;
    return n != null ? n.hasSpanName(name) : spanNames.mightContain(name);
  }

  boolean mightContain(TraceId traceId) {
    return bloom.mightContain(traceId);
  }

  /** The spans of {@code traceId} in this block; empty when it has none. */
  List<Span> find(TraceId traceId) throws IOException {
    if (!bloom.mightContain(traceId)) return List.of();
    int i = rowGroupOf(traceId);
    if (i < 0) return List.of();
    return SpanBatchDecoder.decode(readRowGroup(rowGroups.get(i)), traceId::equals);
  }

  /** Binary search over the row groups' trace-ID ranges; -1 when no range holds the ID. */
  int rowGroupOf(TraceId traceId) {
    int lo = 0, hi = rowGroups.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      RowGroupInfo rg = rowGroups.get(mid);
      if (rg.maxTraceId().compareTo(traceId) < 0) {
        lo = mid + 1;
      } else if (rg.minTraceId().compareTo(traceId) > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -1;
  }

  /** Every span of a row group, grouped by trace in ascending trace-ID order. */
  List<Span> spans(RowGroupInfo rg) throws IOException {
    return SpanBatchDecoder.decode(readRowGroup(rg), null);
  }

  private ReadBuffer readRowGroup(RowGroupInfo rg) throws IOException {
    byte[] compressed = new byte[rg.compressedLength()];
    for (int attempt = 0; ; attempt++) {
      FileChannel ch = data;
      try {
        readFully(ch, compressed, rg.offset());
        break;
      } catch (ClosedChannelException e) {
        // Another reader was interrupted and so closed the shared channel: reopen it for all.
        if (closed || attempt > 0) throw e;
        reopen(ch);
        if (Thread.currentThread().isInterrupted()) throw e;
      }
    }
    CRC32C crc = new CRC32C();
    crc.update(compressed);
    if ((int) crc.getValue() != rg.crc32c()) {
      throw new CorruptDataException(dir + ": row group at " + rg.offset() + " checksum mismatch");
    }
    byte[] raw = new byte[rg.uncompressedLength()];
    long n = Zstd.decompressByteArray(raw, 0, raw.length, compressed, 0, compressed.length);
    if (Zstd.isError(n) || n != raw.length) {
      throw new CorruptDataException(dir + ": row group at " + rg.offset() + " does not decompress");
    }
    return new ReadBuffer(raw);
  }

  private void readFully(FileChannel ch, byte[] into, long offset) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(into);
    while (buf.hasRemaining()) {
      int n = ch.read(buf, offset + buf.position());
      if (n < 0) throw new CorruptDataException(dir + ": row group at " + offset + " past end of data");
    }
  }

  private synchronized void reopen(FileChannel broken) throws IOException {
    if (data == broken && !closed) {
      data = FileChannel.open(dir.resolve(BlockWriter.DATA), StandardOpenOption.READ);
    }
  }

  @Override
  public synchronized void close() throws IOException {
    closed = true;
    data.close();
  }

  /** Removes a block directory, meta first: a crash midway leaves garbage, never a broken block. */
  static void delete(Path dir) throws IOException {
    Files.deleteIfExists(dir.resolve(BlockMeta.FILE_NAME));
    DurableFiles.deleteRecursively(dir);
  }

  @Override
  public String toString() {
    return "Block{" + meta.blockId() + ", level=" + meta.compactionLevel() + ", traces="
        + meta.traceCount() + ", spans=" + meta.spanCount() + "}";
  }
}
