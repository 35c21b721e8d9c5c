package dev.spanloom.server;

import dev.spanloom.pipeline.config.ConfigException;
import dev.spanloom.pipeline.config.ConfigNode;
import dev.spanloom.server.config.SpanloomConfig;
import dev.spanloom.storage.InMemoryStorage;
import dev.spanloom.storage.StorageComponent;
import dev.spanloom.storage.local.FsyncPolicy;
import dev.spanloom.storage.local.LocalStorage;
import dev.spanloom.storage.local.LocalStorageConfig;
import java.util.Set;

/**
 * Builds the backend named by Tempo's {@code storage.trace.backend}: {@code local} (the default,
 * durable, under {@code ./data}) or {@code memory}. The local engine reads Tempo's keys where
 * Tempo has one: {@code storage.trace.local.path}, {@code storage.trace.wal.path},
 * {@code ingester.max_block_bytes}/{@code max_block_duration},
 * {@code compactor.compaction.block_retention}.
 */
final class StorageFactory {
  private StorageFactory() {}

  static StorageComponent create(SpanloomConfig config) {
    ConfigNode trace = config.storage().requireKnownKeys(
        Set.of("backend", "memory", "local", "wal", "block", "pool", "search", "blocklist_poll"));
    String backend = trace.string("backend", "local");
    switch (backend) {
      case "memory": {
        ConfigNode memory = trace.child("memory").requireKnownKeys(Set.of("max_bytes"));
        long maxBytes = memory.bytes("max_bytes", InMemoryStorage.DEFAULT_MAX_BYTES);
        if (maxBytes <= 0) throw memory.invalid("max_bytes", maxBytes, "> 0");
        return InMemoryStorage.builder().maxBytes(maxBytes).build();
      }
      case "local":
        return new LocalStorage(localConfig(config, trace));
      default:
        throw trace.invalid("backend", backend, "local or memory");
    }
  }

  private static LocalStorageConfig localConfig(SpanloomConfig config, ConfigNode trace) {
    LocalStorageConfig.Builder b = LocalStorageConfig.builder();
    ConfigNode local = trace.child("local").requireKnownKeys(Set.of("path"));
    ConfigNode wal = trace.child("wal").requireKnownKeys(
        Set.of("path", "fsync", "fsync_interval", "segment_bytes", "v2_encoding", "search_encoding"));
    ConfigNode block = trace.child("block").requireKnownKeys(
        Set.of("row_group_spans", "version", "bloom_filter_false_positive", "v2_encoding", "parquet_row_group_size_bytes"));
    ConfigNode ingester = config.root().child("ingester");
    ConfigNode compaction = config.root().child("compactor").child("compaction");
    try {
      if (local.has("path")) b.path(local.string("path", ""));
      if (wal.has("path")) b.walPath(wal.string("path", ""));
      if (wal.has("fsync")) {
        String policy = wal.string("fsync", "batch");
        try {
          b.fsyncPolicy(FsyncPolicy.fromConfigName(policy));
        } catch (IllegalArgumentException e) {
          throw wal.invalid("fsync", policy, "batch or interval");
        }
      }
      if (wal.has("fsync_interval")) b.fsyncInterval(wal.duration("fsync_interval", null));
      if (wal.has("segment_bytes")) b.walSegmentBytes(wal.bytes("segment_bytes", 0));
      if (block.has("row_group_spans")) b.rowGroupSpans(block.intValue("row_group_spans", 0));
      if (ingester.has("max_block_bytes")) b.headMaxBytes(ingester.bytes("max_block_bytes", 0));
      if (ingester.has("max_block_duration")) b.headMaxAge(ingester.duration("max_block_duration", null));
      if (compaction.has("block_retention")) b.blockRetention(compaction.duration("block_retention", null));
      if (compaction.has("compaction_window")) b.compactionWindow(compaction.duration("compaction_window", null));
      if (compaction.has("compaction_cycle")) b.compactionCycle(compaction.duration("compaction_cycle", null));
      return b.build();
    } catch (IllegalArgumentException e) {
      // The builder's messages already name the YAML key.
      throw new ConfigException(e.getMessage());
    }
  }
}
