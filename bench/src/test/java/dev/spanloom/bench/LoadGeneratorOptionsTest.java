package dev.spanloom.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoadGeneratorOptionsTest {
  @Test
  void defaultsTargetLoopbackOtlpGrpcPort() {
    LoadGeneratorOptions o = LoadGeneratorOptions.parse();

    assertThat(o.target()).isEqualTo("127.0.0.1:4317");
    assertThat(o.concurrency()).isEqualTo(16);
    assertThat(o.spansPerRequest()).isEqualTo(256);
    assertThat(o.duration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(o.warmup()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void readsEveryFlagInBothSpellings() {
    LoadGeneratorOptions o = LoadGeneratorOptions.parse("--target", "[::1]:14317", "--concurrency=4",
        "--spans-per-request", "32", "--duration", "2m", "--warmup=500ms", "--services", "3", "--timeout", "3");

    assertThat(o.host()).isEqualTo("::1");
    assertThat(o.port()).isEqualTo(14317);
    assertThat(o.target()).isEqualTo("[::1]:14317");
    assertThat(o.concurrency()).isEqualTo(4);
    assertThat(o.spansPerRequest()).isEqualTo(32);
    assertThat(o.duration()).isEqualTo(Duration.ofMinutes(2));
    assertThat(o.warmup()).isEqualTo(Duration.ofMillis(500));
    assertThat(o.services()).isEqualTo(3);
    assertThat(o.timeout()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void helpReturnsNoOptions() {
    assertThat(LoadGeneratorOptions.parse("--help")).isNull();
  }

  @Test
  void rejectsTargetWithoutPort() {
    assertThatThrownBy(() -> LoadGeneratorOptions.parse("--target", "localhost"))
        .hasMessage("--target: localhost (expected: host:port, e.g. 127.0.0.1:4317)");
  }

  @Test
  void rejectsZeroConcurrency() {
    assertThatThrownBy(() -> LoadGeneratorOptions.parse("--concurrency", "0"))
        .hasMessage("--concurrency: 0 (expected: >= 1)");
  }

  @Test
  void rejectsDurationWithoutUnitItKnows() {
    assertThatThrownBy(() -> LoadGeneratorOptions.parse("--duration", "30h"))
        .hasMessage("--duration: 30h (expected: a duration such as 30s, 500ms or 2m)");
  }

  @Test
  void rejectsUnknownFlag() {
    assertThatThrownBy(() -> LoadGeneratorOptions.parse("--rate", "5"))
        .hasMessageStartingWith("--rate: unknown option");
  }
}
