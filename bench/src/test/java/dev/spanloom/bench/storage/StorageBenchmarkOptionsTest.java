package dev.spanloom.bench.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StorageBenchmarkOptionsTest {
  @Test
  void defaultsWriteTenMillionSpansUnderTmp() {
    StorageBenchmarkOptions o = StorageBenchmarkOptions.parse();

    assertThat(o.dir()).isEqualTo(Path.of("/tmp/spanloom-bench-storage"));
    assertThat(o.spans()).isEqualTo(10_000_000);
    assertThat(o.batch()).isEqualTo(2048);
    assertThat(o.services()).isEqualTo(50);
    assertThat(o.timeRange()).isEqualTo(Duration.ofHours(4));
    assertThat(o.writers()).isEqualTo(2);
    assertThat(o.lookups()).isEqualTo(10_000);
    assertThat(o.queryRuns()).isEqualTo(5);
    assertThat(o.compact()).isTrue();
    assertThat(o.reuse()).isFalse();
    assertThat(o.keep()).isFalse();
    assertThat(o.chunks()).isEqualTo(4883);
  }

  @Test
  void readsEveryFlagInBothSpellings() {
    StorageBenchmarkOptions o = StorageBenchmarkOptions.parse("--dir", "/tmp/x", "--spans=2m", "--batch", "512",
        "--services", "8", "--time-range=90m", "--writers", "3", "--lookups", "10k", "--query-runs", "2",
        "--no-compact", "--reuse", "--keep", "--seed", "9", "--query", "{ }", "--query={ status = error }");

    assertThat(o.dir()).isEqualTo(Path.of("/tmp/x"));
    assertThat(o.spans()).isEqualTo(2_000_000);
    assertThat(o.batch()).isEqualTo(512);
    assertThat(o.services()).isEqualTo(8);
    assertThat(o.timeRange()).isEqualTo(Duration.ofMinutes(90));
    assertThat(o.writers()).isEqualTo(3);
    assertThat(o.lookups()).isEqualTo(10_000);
    assertThat(o.queryRuns()).isEqualTo(2);
    assertThat(o.compact()).isFalse();
    assertThat(o.reuse()).isTrue();
    assertThat(o.keep()).isTrue();
    assertThat(o.seed()).isEqualTo(9);
    assertThat(o.extraQueries()).containsExactly("{ }", "{ status = error }");
  }

  @Test
  void helpReturnsNoOptions() {
    assertThat(StorageBenchmarkOptions.parse("--help")).isNull();
  }

  @Test
  void chunksRoundUp() {
    assertThat(StorageBenchmarkOptions.parse("--spans", "1000", "--batch", "300").chunks()).isEqualTo(4);
  }

  @Test
  void rejectsSpansThatAreNoNumber() {
    assertThatThrownBy(() -> StorageBenchmarkOptions.parse("--spans", "lots"))
        .hasMessage("--spans: lots (expected: an integer, e.g. 10000000 or 10m)");
  }

  @Test
  void rejectsTimeRangePastRetention() {
    assertThatThrownBy(() -> StorageBenchmarkOptions.parse("--time-range", "200h"))
        .hasMessage("--time-range: 12000m (expected: 1m to 7d)");
  }

  @Test
  void rejectsUnknownFlag() {
    assertThatThrownBy(() -> StorageBenchmarkOptions.parse("--verbose", "1"))
        .hasMessageStartingWith("--verbose: unknown option");
  }

  @Test
  void rejectsFlagWithoutValue() {
    assertThatThrownBy(() -> StorageBenchmarkOptions.parse("--dir"))
        .hasMessage("--dir: missing value");
  }
}
