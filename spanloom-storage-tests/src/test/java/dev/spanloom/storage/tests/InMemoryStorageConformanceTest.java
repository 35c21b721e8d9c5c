package dev.spanloom.storage.tests;

import dev.spanloom.storage.InMemoryStorage;
import dev.spanloom.storage.StorageComponent;

/**
 * The in-memory backend against the conformance suite. It lives here, not in {@code
 * spanloom-storage}, because this module depends on that one. Restart tests are skipped: nothing
 * survives a restart ({@link #supportsReopen()} stays false).
 */
class InMemoryStorageConformanceTest extends StorageConformanceSuite {
  @Override
  protected StorageComponent createStorage() {
    // Large enough that no test evicts: eviction is InMemoryStorageTest's subject.
    return InMemoryStorage.builder().maxBytes(64L << 20).build();
  }
}
