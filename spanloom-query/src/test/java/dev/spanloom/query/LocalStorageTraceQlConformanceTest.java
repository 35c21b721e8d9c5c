package dev.spanloom.query;

import dev.spanloom.storage.TraceReader;
import dev.spanloom.storage.local.LocalStorage;
import dev.spanloom.storage.local.LocalStorageConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** The TraceQL conformance table over {@link LocalStorage}: from the head, and from blocks. */
class LocalStorageTraceQlConformanceTest {
  static LocalStorage open(Path dir, int rowGroupSpans) {
    LocalStorage storage = new LocalStorage(LocalStorageConfig.builder()
        .path(dir.resolve("blocks"))
        .walPath(dir.resolve("wal"))
        .rowGroupSpans(rowGroupSpans)
        .build());
    storage.start();
    return storage;
  }

  /** Everything still in the head block (and its WAL). */
  @Nested
  class Head extends TraceQlConformanceSuite {
    @Override
    protected TraceReader reader() {
      return HeadStore.storage.reader();
    }
  }

  /**
   * Cut into blocks with row groups of three spans, written in two halves, so that scans go
   * through statistics, pruning by hints and the joining of a trace's parts.
   */
  @Nested
  class Blocks extends TraceQlConformanceSuite {
    @Override
    protected TraceReader reader() {
      return BlockStore.storage.reader();
    }
  }

  static final class HeadStore {
    static LocalStorage storage;
  }

  static final class BlockStore {
    static LocalStorage storage;
  }

  @TempDir static Path dir;

  @BeforeAll
  static void store() {
    HeadStore.storage = open(dir.resolve("head"), 4096);
    HeadStore.storage.writer().write(TraceQlDataset.allSpans());

    BlockStore.storage = open(dir.resolve("blocks"), 3);
    var spans = TraceQlDataset.allSpans();
    int half = spans.size() / 2;
    BlockStore.storage.writer().write(spans.subList(0, half));
    BlockStore.storage.flush();
    BlockStore.storage.writer().write(spans.subList(half, spans.size()));
    BlockStore.storage.flush();
  }

  @AfterAll
  static void close() {
    HeadStore.storage.close();
    BlockStore.storage.close();
  }
}
