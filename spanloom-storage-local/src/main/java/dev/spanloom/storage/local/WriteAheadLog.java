package dev.spanloom.storage.local;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * The write-ahead log: numbered segment files of length-prefixed, CRC32C-checked records (format
 * in {@code docs/storage-format.md}). One record is one {@code write()} batch.
 *
 * <p>Durability is group-committed: {@link #append} only writes to the page cache and returns a
 * position; {@link #awaitDurable} waits until an fsync covers it. While one thread runs {@code
 * force()}, later appenders queue behind it and the next {@code force()} covers them all, so
 * concurrent writers share fsyncs instead of paying one each.
 *
 * <p>An fsync that fails leaves the file in an unknown state (the kernel may drop the dirty
 * pages), so the log then refuses every later append instead of retrying.
 */
final class WriteAheadLog implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(WriteAheadLog.class.getName());

  static final int MAGIC = 0x534C5741; // "SLWA"
  static final int FORMAT_VERSION = 1;
  static final int SEGMENT_HEADER_BYTES = 8;
  static final int RECORD_HEADER_BYTES = 8;
  static final String SUFFIX = ".wal";

  private final Path dir;
  private final long segmentMaxBytes;

  private final Object lock = new Object(); // guards the fields below
  private FileChannel channel;
  private long segmentNumber;
  private long segmentSize;
  private long written; // logical bytes appended since open, over all segments

  private final Object syncMonitor = new Object(); // guards syncing and synced
  private boolean syncing;
  private long synced;

  private volatile IOException failure;
  private final AtomicLong bytesWritten = new AtomicLong();
  private final CRC32C crc = new CRC32C(); // guarded by lock

  /** What {@link #open} found. */
  record ReplayResult(int segments, long records, int corruptTailsTruncated) {}

  /** Receives one record's payload during replay; may throw {@link CorruptDataException}. */
  interface RecordConsumer {
    void accept(byte[] payload, int offset, int length);
  }

  WriteAheadLog(Path dir, long segmentMaxBytes) {
    this.dir = dir;
    this.segmentMaxBytes = segmentMaxBytes;
  }

  /**
   * Deletes segments numbered below {@code firstUncovered} (their records are in blocks),
   * replays the others in order into {@code consumer}, cutting off a torn or corrupt tail, and
   * opens a fresh segment numbered at least {@code firstUncovered} for appends.
   */
  ReplayResult open(long firstUncovered, RecordConsumer consumer) throws IOException {
    Files.createDirectories(dir);
    List<Long> numbers = segmentNumbers();
    int replayed = 0;
    long records = 0;
    int truncated = 0;
    long next = Math.max(1, firstUncovered);
    for (long n : numbers) {
      next = Math.max(next, n + 1);
      Path file = segmentPath(n);
      if (n < firstUncovered) {
        Files.deleteIfExists(file);
        continue;
      }
      SegmentReplay r = replaySegment(file, consumer);
      replayed++;
      records += r.records;
      if (r.truncated) truncated++;
    }
    if (truncated > 0) DurableFiles.fsyncDirectory(dir);
    synchronized (lock) {
      openSegmentLocked(next);
    }
    return new ReplayResult(replayed, records, truncated);
  }

  private record SegmentReplay(long records, boolean truncated) {}

  private SegmentReplay replaySegment(Path file, RecordConsumer consumer) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length < SEGMENT_HEADER_BYTES) {
      // Torn while the segment was being created: it holds no record.
      LOG.log(Level.WARNING, "wal.truncate segment={0} offset=0 reason=\"{1}\"", file,
          "header torn (" + bytes.length + " bytes)");
      Files.delete(file);
      return new SegmentReplay(0, bytes.length > 0);
    }
    ReadBuffer header = new ReadBuffer(bytes, 0, SEGMENT_HEADER_BYTES);
    int magic = header.readInt();
    int version = header.readInt();
    if (magic != MAGIC || version != FORMAT_VERSION) {
      // Not a segment this code can read: keep it aside for a human rather than delete data.
      Path aside = file.resolveSibling(file.getFileName() + ".unreadable");
      LOG.log(Level.ERROR, "wal.skip segment={0} magic={1} version={2} moved_to={3}", file,
          Integer.toHexString(magic), version, aside);
      Files.move(file, aside);
      return new SegmentReplay(0, true);
    }
    int pos = SEGMENT_HEADER_BYTES;
    long records = 0;
    CRC32C check = new CRC32C();
    String problem = null;
    while (pos < bytes.length) {
      if (bytes.length - pos < RECORD_HEADER_BYTES) {
        problem = "record header torn";
        break;
      }
      ReadBuffer h = new ReadBuffer(bytes, pos, RECORD_HEADER_BYTES);
      int length = h.readInt();
      int expectedCrc = h.readInt();
      int payload = pos + RECORD_HEADER_BYTES;
      if (length <= 0 || length > bytes.length - payload) {
        problem = "record length " + length + " with " + (bytes.length - payload) + " bytes left";
        break;
      }
      check.reset();
      check.update(bytes, payload, length);
      if ((int) check.getValue() != expectedCrc) {
        problem = "record checksum mismatch";
        break;
      }
      try {
        consumer.accept(bytes, payload, length);
      } catch (CorruptDataException e) {
        problem = "record undecodable: " + e.getMessage();
        break;
      }
      records++;
      pos = payload + length;
    }
    if (problem == null) return new SegmentReplay(records, false);
    LOG.log(Level.WARNING,
        "wal.truncate segment={0} offset={1} dropped_bytes={2} records_kept={3} reason=\"{4}\"",
        file, pos, bytes.length - pos, records, problem);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(pos);
      ch.force(true);
    }
    return new SegmentReplay(records, true);
  }

  /**
   * Appends one record (to the page cache) and returns the log position after it, to pass to
   * {@link #awaitDurable}.
   */
  long append(byte[] payload, int offset, int length) throws IOException {
    checkHealthy();
    synchronized (lock) {
      if (channel == null) throw new IOException("write-ahead log is closed");
      if (segmentSize > SEGMENT_HEADER_BYTES
          && segmentSize + RECORD_HEADER_BYTES + length > segmentMaxBytes) {
        rollLocked();
      }
      crc.reset();
      crc.update(payload, offset, length);
      ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER_BYTES);
      header.putInt(length).putInt((int) crc.getValue()).flip();
      try {
        DurableFiles.writeFully(channel, header);
        DurableFiles.writeFully(channel, ByteBuffer.wrap(payload, offset, length));
      } catch (ClosedByInterruptException e) {
        // This writer was interrupted and the JDK closed the channel: the log is fine up to
        // segmentSize. Cut the partial record and carry on for the others.
        recoverLocked();
        throw e;
      } catch (IOException e) {
        // A partial record may be on disk; the next replay cuts it, but no append may follow it.
        fail(e);
        throw e;
      }
      long n = RECORD_HEADER_BYTES + (long) length;
      segmentSize += n;
      written += n;
      bytesWritten.addAndGet(n);
      return written;
    }
  }

  /** Blocks until an fsync covers everything up to {@code position} (group commit). */
  void awaitDurable(long position) throws IOException {
    while (true) {
      synchronized (syncMonitor) {
        while (synced < position && syncing) {
          try {
            syncMonitor.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for the write-ahead log fsync");
          }
        }
        checkHealthy();
        if (synced >= position) return;
        syncing = true;
      }
      long target = 0;
      boolean ok = false;
      try {
        FileChannel ch;
        synchronized (lock) {
          ch = channel;
          target = written;
        }
        if (ch != null) {
          try {
            ch.force(false);
          } catch (ClosedByInterruptException e) {
            // This thread's interrupt closed the channel unsynced: reopen and let a waiter retry.
            synchronized (lock) {
              if (channel == ch) recoverLocked();
            }
            throw e;
          } catch (ClosedChannelException e) {
            // Rolled or closed meanwhile: both fsync the segment before closing it.
          }
        }
        ok = true;
      } catch (ClosedByInterruptException e) {
        throw e; // recovered above; not a failure of the log
      } catch (IOException e) {
        fail(e);
        throw e;
      } finally {
        synchronized (syncMonitor) {
          syncing = false;
          if (ok) synced = Math.max(synced, target);
          syncMonitor.notifyAll();
        }
      }
    }
  }

  /** Fsyncs everything appended so far (the interval policy's tick). */
  void sync() throws IOException {
    long position;
    synchronized (lock) {
      position = written;
    }
    awaitDurable(position);
  }

  /**
   * Closes the current segment and starts the next. Returns the new segment's number: every
   * record appended before this call is in a segment numbered below it.
   */
  long roll() throws IOException {
    checkHealthy();
    synchronized (lock) {
      rollLocked();
      return segmentNumber;
    }
  }

  private void rollLocked() throws IOException {
    try {
      channel.force(false);
      channel.close();
      openSegmentLocked(segmentNumber + 1);
    } catch (IOException e) {
      fail(e);
      throw e;
    }
  }

  /** Reopens the current segment after an interrupt closed it, cutting it back to the last whole record. */
  private void recoverLocked() throws IOException {
    if (channel == null) return; // closed on purpose
    // Still interrupted, this thread would close the new channel too: clear the flag meanwhile.
    boolean interrupted = Thread.interrupted();
    try {
      FileChannel ch = FileChannel.open(segmentPath(segmentNumber), StandardOpenOption.WRITE);
      ch.truncate(segmentSize);
      ch.position(segmentSize);
      channel = ch;
      LOG.log(Level.WARNING, "wal.reopened segment={0} reason=\"writer interrupted\"", segmentNumber);
    } catch (IOException e) {
      fail(e);
      throw e;
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  private void openSegmentLocked(long number) throws IOException {
    Path file = segmentPath(number);
    FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    ByteBuffer header = ByteBuffer.allocate(SEGMENT_HEADER_BYTES);
    header.putInt(MAGIC).putInt(FORMAT_VERSION).flip();
    DurableFiles.writeFully(ch, header);
    ch.force(false);
    DurableFiles.fsyncDirectory(dir);
    channel = ch;
    segmentNumber = number;
    segmentSize = SEGMENT_HEADER_BYTES;
  }

  /** Deletes the segments numbered below {@code number}, whose records are now in a block. */
  void deleteSegmentsBefore(long number) throws IOException {
    boolean deleted = false;
    for (long n : segmentNumbers()) {
      if (n < number) {
        Files.deleteIfExists(segmentPath(n));
        deleted = true;
      }
    }
    if (deleted) DurableFiles.fsyncDirectory(dir);
  }

  long currentSegment() {
    synchronized (lock) {
      return segmentNumber;
    }
  }

  /** Bytes appended (headers included) since this log was opened. */
  long bytesWritten() {
    return bytesWritten.get();
  }

  boolean isHealthy() {
    return failure == null;
  }

  private void checkHealthy() throws IOException {
    IOException f = failure;
    if (f != null) throw new IOException("write-ahead log failed earlier: " + f.getMessage(), f);
  }

  private void fail(IOException e) {
    if (failure == null) {
      failure = e;
      LOG.log(Level.ERROR, "wal.failed dir={0} error=\"{1}\"", dir, e.toString());
    }
  }

  @Override
  public void close() throws IOException {
    synchronized (lock) {
      if (channel == null) return;
      try {
        if (failure == null) channel.force(false);
      } finally {
        channel.close();
        channel = null;
      }
    }
  }

  private List<Long> segmentNumbers() throws IOException {
    List<Long> numbers = new ArrayList<>();
    if (!Files.isDirectory(dir)) return numbers;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        try {
          numbers.add(Long.parseLong(name.substring(0, name.length() - SUFFIX.length())));
        } catch (NumberFormatException e) {
          // Not a segment name: leave it alone.
        }
      }
    }
    numbers.sort(null);
    return numbers;
  }

  Path segmentPath(long number) {
    return dir.resolve(String.format("%020d", number) + SUFFIX);
  }

  @Override
  public String toString() {
    return "WriteAheadLog{dir=" + dir + ", segmentMaxBytes=" + segmentMaxBytes + "}";
  }
}
