package dev.spanloom.storage.local;

/** When the write-ahead log is fsynced. */
public enum FsyncPolicy {
  /**
   * Before {@code write()} returns (the default): an acknowledged span survives a power loss.
   * Concurrent writers share one fsync (group commit).
   */
  BATCH("batch"),
  /**
   * Every {@link LocalStorageConfig#fsyncInterval()}: {@code write()} returns once the record is
   * in the OS page cache. Survives a process crash; a power loss may lose the last interval.
   */
  INTERVAL("interval");

  private final String configName;

  FsyncPolicy(String configName) {
    this.configName = configName;
  }

  /** The name in YAML ({@code storage.trace.wal.fsync}): {@code batch} or {@code interval}. */
  public String configName() {
    return configName;
  }

  /** Parses a YAML name, case-insensitively. */
  public static FsyncPolicy fromConfigName(String name) {
    for (FsyncPolicy p : values()) {
      if (p.configName.equalsIgnoreCase(name)) return p;
    }
    throw new IllegalArgumentException(
        "storage.trace.wal.fsync: \"" + name + "\" (expected: batch or interval)");
  }
}
