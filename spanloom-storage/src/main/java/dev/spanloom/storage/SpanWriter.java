package dev.spanloom.storage;

import dev.spanloom.model.Span;
import java.util.List;

/**
 * Accepts spans for storage. When {@link #write} returns, the spans are as durable as the
 * backend promises (the local engine: in its write-ahead log) and readable through {@link
 * TraceReader}. Called from pipeline worker threads, never from an event loop, so it may block.
 */
public interface SpanWriter {
  /**
   * Stores {@code spans}, which may belong to many traces.
   *
   * @throws StorageException when the spans could not be stored; none of them then counts as
   *     accepted and the client is told to retry
   */
  void write(List<Span> spans);
}
