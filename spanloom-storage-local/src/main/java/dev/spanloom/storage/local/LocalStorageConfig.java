package dev.spanloom.storage.local;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * The local engine's configuration, immutable and validated. Keys in messages and {@link
 * #toString()} are those of Tempo's YAML ({@code storage.trace.local.path}, {@code
 * compactor.compaction.block_retention}, …) plus Spanloom's own in the same style.
 *
 * @param path where blocks live ({@code storage.trace.local.path})
 * @param walPath where the write-ahead log lives ({@code storage.trace.wal.path}); not inside
 *     {@code path}
 * @param fsyncPolicy {@code storage.trace.wal.fsync}
 * @param fsyncInterval {@code storage.trace.wal.fsync_interval}, used by {@link
 *     FsyncPolicy#INTERVAL}
 * @param walSegmentBytes {@code storage.trace.wal.segment_bytes}: a segment is closed past this
 * @param headMaxBytes {@code ingester.max_block_bytes}: the head block is cut at this estimated
 *     heap size
 * @param headMaxAge {@code ingester.max_block_duration}: the head block is cut this long after
 *     its first span
 * @param rowGroupSpans {@code storage.trace.block.row_group_spans}: spans per row group (a
 *     trace is never split, so a group may hold more)
 * @param blockRetention {@code compactor.compaction.block_retention}: blocks whose newest span
 *     ended longer ago are deleted
 * @param compactionWindow {@code compactor.compaction.compaction_window}: only blocks whose
 *     newest span ends in the same window are merged
 * @param compactionCycle {@code compactor.compaction.compaction_cycle}: how often the
 *     compactor runs
 * @param clock the time source for head age, retention and compaction; injectable for tests
 */
public record LocalStorageConfig(
    Path path,
    Path walPath,
    FsyncPolicy fsyncPolicy,
    Duration fsyncInterval,
    long walSegmentBytes,
    long headMaxBytes,
    Duration headMaxAge,
    int rowGroupSpans,
    Duration blockRetention,
    Duration compactionWindow,
    Duration compactionCycle,
    Clock clock) {
  public static final Path DEFAULT_PATH = Path.of("data", "blocks");
  public static final Path DEFAULT_WAL_PATH = Path.of("data", "wal");
  public static final Duration DEFAULT_FSYNC_INTERVAL = Duration.ofSeconds(1);
  public static final long DEFAULT_WAL_SEGMENT_BYTES = 64L << 20;
  public static final long DEFAULT_HEAD_MAX_BYTES = 256L << 20;
  public static final Duration DEFAULT_HEAD_MAX_AGE = Duration.ofMinutes(5);
  public static final int DEFAULT_ROW_GROUP_SPANS = 4096;
  public static final Duration DEFAULT_BLOCK_RETENTION = Duration.ofHours(168);
  public static final Duration DEFAULT_COMPACTION_WINDOW = Duration.ofHours(1);
  public static final Duration DEFAULT_COMPACTION_CYCLE = Duration.ofSeconds(30);

  /** Use {@link #builder()}; the canonical constructor does not validate. */
  public LocalStorageConfig {
    requireNonNull(path, "path");
    requireNonNull(walPath, "walPath");
    requireNonNull(fsyncPolicy, "fsyncPolicy");
    requireNonNull(fsyncInterval, "fsyncInterval");
    requireNonNull(headMaxAge, "headMaxAge");
    requireNonNull(blockRetention, "blockRetention");
    requireNonNull(compactionWindow, "compactionWindow");
    requireNonNull(compactionCycle, "compactionCycle");
    requireNonNull(clock, "clock");
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.path = path;
    b.walPath = walPath;
    b.fsyncPolicy = fsyncPolicy;
    b.fsyncInterval = fsyncInterval;
    b.walSegmentBytes = walSegmentBytes;
    b.headMaxBytes = headMaxBytes;
    b.headMaxAge = headMaxAge;
    b.rowGroupSpans = rowGroupSpans;
    b.blockRetention = blockRetention;
    b.compactionWindow = compactionWindow;
    b.compactionCycle = compactionCycle;
    b.clock = clock;
    return b;
  }

  @Override
  public String toString() {
    return "LocalStorageConfig{storage.trace.local.path=" + path
        + ", storage.trace.wal.path=" + walPath
        + ", storage.trace.wal.fsync=" + fsyncPolicy.configName()
        + (fsyncPolicy == FsyncPolicy.INTERVAL ? ", storage.trace.wal.fsync_interval=" + format(fsyncInterval) : "")
        + ", storage.trace.wal.segment_bytes=" + walSegmentBytes
        + ", ingester.max_block_bytes=" + headMaxBytes
        + ", ingester.max_block_duration=" + format(headMaxAge)
        + ", storage.trace.block.row_group_spans=" + rowGroupSpans
        + ", compactor.compaction.block_retention=" + format(blockRetention)
        + ", compactor.compaction.compaction_window=" + format(compactionWindow)
        + ", compactor.compaction.compaction_cycle=" + format(compactionCycle)
        + (clock.equals(Clock.systemUTC()) ? "" : ", clock=" + clock)
        + "}";
  }

  /** A duration as the YAML writes it: {@code 168h}, {@code 1m30s}, {@code 250ms}. */
  static String format(Duration d) {
    if (d.isZero()) return "0s";
    if (d.isNegative()) return "-" + format(d.negated());
    StringBuilder sb = new StringBuilder();
    long h = d.toHours();
    int m = d.toMinutesPart();
    int s = d.toSecondsPart();
    int ms = d.toMillisPart();
    if (h > 0) sb.append(h).append('h');
    if (m > 0) sb.append(m).append('m');
    if (s > 0) sb.append(s).append('s');
    if (ms > 0) sb.append(ms).append("ms");
    if (sb.length() == 0) sb.append(d.toNanos()).append("ns");
    return sb.toString();
  }

  /** Builds a {@link LocalStorageConfig}: each setter checks its value, {@link #build()} the whole. */
  public static final class Builder {
    private Path path = DEFAULT_PATH;
    private Path walPath = DEFAULT_WAL_PATH;
    private FsyncPolicy fsyncPolicy = FsyncPolicy.BATCH;
    private Duration fsyncInterval = DEFAULT_FSYNC_INTERVAL;
    private long walSegmentBytes = DEFAULT_WAL_SEGMENT_BYTES;
    private long headMaxBytes = DEFAULT_HEAD_MAX_BYTES;
    private Duration headMaxAge = DEFAULT_HEAD_MAX_AGE;
    private int rowGroupSpans = DEFAULT_ROW_GROUP_SPANS;
    private Duration blockRetention = DEFAULT_BLOCK_RETENTION;
    private Duration compactionWindow = DEFAULT_COMPACTION_WINDOW;
    private Duration compactionCycle = DEFAULT_COMPACTION_CYCLE;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** Directory of the blocks; default {@code data/blocks}. Created at start if missing. */
    public Builder path(Path path) {
      this.path = directory("storage.trace.local.path", path);
      return this;
    }

    public Builder path(String path) {
      return path(toPath("storage.trace.local.path", path));
    }

    /** Directory of the write-ahead log; default {@code data/wal}. Created at start if missing. */
    public Builder walPath(Path walPath) {
      this.walPath = directory("storage.trace.wal.path", walPath);
      return this;
    }

    public Builder walPath(String walPath) {
      return walPath(toPath("storage.trace.wal.path", walPath));
    }

    /** Default {@link FsyncPolicy#BATCH}. */
    public Builder fsyncPolicy(FsyncPolicy fsyncPolicy) {
      this.fsyncPolicy = requireNonNull(fsyncPolicy, "fsyncPolicy");
      return this;
    }

    /** How often {@link FsyncPolicy#INTERVAL} fsyncs; default 1s. */
    public Builder fsyncInterval(Duration fsyncInterval) {
      this.fsyncInterval = positive("storage.trace.wal.fsync_interval", fsyncInterval);
      return this;
    }

    /** Default 64 MiB; at least 4 KiB. */
    public Builder walSegmentBytes(long walSegmentBytes) {
      if (walSegmentBytes < 4096) {
        throw new IllegalArgumentException(
            "storage.trace.wal.segment_bytes: " + walSegmentBytes + " (expected: >= 4096)");
      }
      this.walSegmentBytes = walSegmentBytes;
      return this;
    }

    /** Default 256 MiB of estimated span heap. */
    public Builder headMaxBytes(long headMaxBytes) {
      if (headMaxBytes <= 0) {
        throw new IllegalArgumentException(
            "ingester.max_block_bytes: " + headMaxBytes + " (expected: > 0)");
      }
      this.headMaxBytes = headMaxBytes;
      return this;
    }

    /** Default 5m. */
    public Builder headMaxAge(Duration headMaxAge) {
      this.headMaxAge = positive("ingester.max_block_duration", headMaxAge);
      return this;
    }

    /** Default 4096. */
    public Builder rowGroupSpans(int rowGroupSpans) {
      if (rowGroupSpans <= 0) {
        throw new IllegalArgumentException(
            "storage.trace.block.row_group_spans: " + rowGroupSpans + " (expected: > 0)");
      }
      this.rowGroupSpans = rowGroupSpans;
      return this;
    }

    /** Default 168h (7 days), as Tempo's. */
    public Builder blockRetention(Duration blockRetention) {
      this.blockRetention = positive("compactor.compaction.block_retention", blockRetention);
      return this;
    }

    /** Default 1h, as Tempo's. */
    public Builder compactionWindow(Duration compactionWindow) {
      this.compactionWindow = positive("compactor.compaction.compaction_window", compactionWindow);
      return this;
    }

    /** Default 30s. */
    public Builder compactionCycle(Duration compactionCycle) {
      this.compactionCycle = positive("compactor.compaction.compaction_cycle", compactionCycle);
      return this;
    }

    /** Default {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /** Checks the fields against each other and the file system's view of the two paths. */
    public LocalStorageConfig build() {
      Path blocks = path.toAbsolutePath().normalize();
      Path wal = walPath.toAbsolutePath().normalize();
      if (wal.startsWith(blocks)) {
        // Every directory under the blocks path without a meta file is deleted at start.
        throw new IllegalArgumentException("storage.trace.wal.path: \"" + walPath
            + "\" (expected: a directory outside storage.trace.local.path \"" + path + "\")");
      }
      if (blocks.startsWith(wal)) {
        throw new IllegalArgumentException("storage.trace.local.path: \"" + path
            + "\" (expected: a directory outside storage.trace.wal.path \"" + walPath + "\")");
      }
      if (compactionWindow.compareTo(blockRetention) > 0) {
        throw new IllegalArgumentException("compactor.compaction.compaction_window: "
            + format(compactionWindow) + " (expected: <= compactor.compaction.block_retention "
            + format(blockRetention) + ")");
      }
      return new LocalStorageConfig(path, walPath, fsyncPolicy, fsyncInterval, walSegmentBytes,
          headMaxBytes, headMaxAge, rowGroupSpans, blockRetention, compactionWindow,
          compactionCycle, clock);
    }

    private static Path toPath(String key, String value) {
      requireNonNull(value, key);
      if (value.isBlank()) {
        throw new IllegalArgumentException(key + ": \"" + value + "\" (expected: a directory)");
      }
      return Path.of(value);
    }

    private static Path directory(String key, Path value) {
      requireNonNull(value, key);
      if (value.toString().isBlank() || (Files.exists(value) && !Files.isDirectory(value))) {
        throw new IllegalArgumentException(key + ": \"" + value + "\" (expected: a directory)");
      }
      return value;
    }

    private static Duration positive(String key, Duration value) {
      requireNonNull(value, key);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(key + ": " + format(value) + " (expected: > 0s)");
      }
      return value;
    }
  }
}
