package dev.spanloom.bench.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spanloom.model.TraceId;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSetManifestTest {
  @TempDir
  Path dir;

  @Test
  void readsBackWhatItWrote() throws IOException {
    DataSetManifest written = new DataSetManifest(1_000, 2_000, 10_000_123, 1_876_543, 1, 50,
        List.of(new TraceId(1, 2), new TraceId(-1, 3)), List.of(new TraceId(4, 5)),
        List.of(new DataSetManifest.Sample(new TraceId(6, -7), 6), new DataSetManifest.Sample(new TraceId(8, 9), 4)));

    written.writeTo(dir);

    assertThat(DataSetManifest.readFrom(dir)).isEqualTo(written);
  }

  @Test
  void refusesDirectoryWithoutDataSet() {
    assertThatThrownBy(() -> DataSetManifest.readFrom(dir))
        .hasMessageStartingWith("--reuse: no dataset.properties in");
  }
}
