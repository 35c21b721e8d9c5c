package dev.spanloom.storage.local;

import dev.spanloom.storage.StorageComponent;
import dev.spanloom.storage.tests.StorageConformanceSuite;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The shared suite over the WAL and the head block: nothing is cut into blocks. */
class LocalStorageConformanceTest extends StorageConformanceSuite {
  @TempDir Path dir;

  @Override
  protected StorageComponent createStorage() {
    return new LocalStorage(LocalStorageConfig.builder()
        .path(dir.resolve("blocks"))
        .walPath(dir.resolve("wal"))
        .build());
  }

  @Override
  protected boolean supportsReopen() {
    return true;
  }
}
