package dev.spanloom.storage.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStorageConfigTest {
  @TempDir Path dir;

  @Test
  void defaultsAreTemposAndDataUnderData() {
    LocalStorageConfig config = LocalStorageConfig.builder().build();

    assertThat(config.path()).isEqualTo(Path.of("data", "blocks"));
    assertThat(config.walPath()).isEqualTo(Path.of("data", "wal"));
    assertThat(config.fsyncPolicy()).isEqualTo(FsyncPolicy.BATCH);
    assertThat(config.blockRetention()).isEqualTo(Duration.ofHours(168));
    assertThat(config.compactionWindow()).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void rejectsEmptyPath() {
    assertThatThrownBy(() -> LocalStorageConfig.builder().path(""))
        .hasMessage("storage.trace.local.path: \"\" (expected: a directory)");
  }

  @Test
  void rejectsPathThatIsAFile() throws Exception {
    Path file = Files.createFile(dir.resolve("file"));

    assertThatThrownBy(() -> LocalStorageConfig.builder().walPath(file))
        .hasMessage("storage.trace.wal.path: \"" + file + "\" (expected: a directory)");
  }

  @Test
  void rejectsWalInsideBlocks() {
    assertThatThrownBy(() -> LocalStorageConfig.builder().path(dir).walPath(dir.resolve("wal")).build())
        .hasMessageStartingWith("storage.trace.wal.path: \"" + dir.resolve("wal") + "\" (expected: a directory outside storage.trace.local.path");
  }

  @Test
  void rejectsNonPositiveDurationsAndSizes() {
    assertThatThrownBy(() -> LocalStorageConfig.builder().blockRetention(Duration.ZERO))
        .hasMessage("compactor.compaction.block_retention: 0s (expected: > 0s)");
    assertThatThrownBy(() -> LocalStorageConfig.builder().headMaxAge(Duration.ofSeconds(-1)))
        .hasMessage("ingester.max_block_duration: -1s (expected: > 0s)");
    assertThatThrownBy(() -> LocalStorageConfig.builder().headMaxBytes(0))
        .hasMessage("ingester.max_block_bytes: 0 (expected: > 0)");
    assertThatThrownBy(() -> LocalStorageConfig.builder().rowGroupSpans(0))
        .hasMessage("storage.trace.block.row_group_spans: 0 (expected: > 0)");
  }

  @Test
  void rejectsWindowLongerThanRetention() {
    assertThatThrownBy(() -> LocalStorageConfig.builder()
        .blockRetention(Duration.ofHours(1)).compactionWindow(Duration.ofHours(2)).build())
        .hasMessage("compactor.compaction.compaction_window: 2h (expected: <= compactor.compaction.block_retention 1h)");
  }

  @Test
  void parsesFsyncPolicyNames() {
    assertThat(FsyncPolicy.fromConfigName("Interval")).isEqualTo(FsyncPolicy.INTERVAL);
    assertThatThrownBy(() -> FsyncPolicy.fromConfigName("always"))
        .hasMessage("storage.trace.wal.fsync: \"always\" (expected: batch or interval)");
  }

  @Test
  void formatsDurationsAsYamlDoes() {
    assertThat(LocalStorageConfig.format(Duration.ofHours(168))).isEqualTo("168h");
    assertThat(LocalStorageConfig.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
    assertThat(LocalStorageConfig.format(Duration.ofMillis(250))).isEqualTo("250ms");
  }
}
