package dev.spanloom.server;

import dev.spanloom.pipeline.config.ConfigNode;
import dev.spanloom.storage.InMemoryStorage;
import dev.spanloom.storage.StorageComponent;
import java.util.Set;

/** Builds the backend named by Tempo's {@code storage.trace.backend}. */
final class StorageFactory {
  private StorageFactory() {}

  static StorageComponent create(ConfigNode trace) {
    trace.requireKnownKeys(Set.of("backend", "memory", "local", "wal", "block", "pool", "search", "blocklist_poll"));
    String backend = trace.string("backend", "memory");
    switch (backend) {
      case "memory": {
        ConfigNode memory = trace.child("memory").requireKnownKeys(Set.of("max_bytes"));
        long maxBytes = memory.bytes("max_bytes", InMemoryStorage.DEFAULT_MAX_BYTES);
        if (maxBytes <= 0) throw memory.invalid("max_bytes", maxBytes, "> 0");
        return InMemoryStorage.builder().maxBytes(maxBytes).build();
      }
      default:
        throw trace.invalid("backend", backend, "memory");
    }
  }
}
