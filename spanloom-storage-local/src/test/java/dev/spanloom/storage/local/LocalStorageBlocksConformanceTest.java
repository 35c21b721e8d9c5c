package dev.spanloom.storage.local;

import dev.spanloom.storage.StorageComponent;
import dev.spanloom.storage.tests.StorageConformanceSuite;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared suite over blocks: every write is cut into its own block at once, in row groups of
 * a few spans, so that reads go through bloom filters, the trace-ID index, row-group statistics
 * and the merge of a trace's parts across blocks.
 */
class LocalStorageBlocksConformanceTest extends StorageConformanceSuite {
  @TempDir Path dir;

  @Override
  protected StorageComponent createStorage() {
    return new LocalStorage(LocalStorageConfig.builder()
        .path(dir.resolve("blocks"))
        .walPath(dir.resolve("wal"))
        .rowGroupSpans(4)
        .build());
  }

  @Override
  protected void afterWrite(StorageComponent storage) {
    ((LocalStorage) storage).flush();
  }

  @Override
  protected boolean supportsReopen() {
    return true;
  }
}
