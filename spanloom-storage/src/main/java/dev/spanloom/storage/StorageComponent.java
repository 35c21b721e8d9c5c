package dev.spanloom.storage;

/**
 * A storage backend: one writer and one reader over the same data. Does no I/O before {@link
 * #start()}; {@link #close()} releases threads and files.
 */
public interface StorageComponent extends AutoCloseable {
  SpanWriter writer();

  TraceReader reader();

  /** Opens files, replays logs, starts background work. */
  default void start() {}

  /** True once the backend serves reads and writes; reported by {@code /ready}. */
  default boolean isReady() {
    return true;
  }

  @Override
  void close();
}
