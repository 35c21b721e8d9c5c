package dev.spanloom.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spanloom.server.Spanloom.Options;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The command line: the demo subcommand and flags, and refusals that name the argument. */
class SpanloomOptionsTest {
  @Test
  void noArgumentsStartsWithoutTheDemo() {
    assertThat(Options.parse()).isEqualTo(new Options(null, false, 5, null, false));
  }

  @Test
  void demoSubcommandTakesRateAndKafkaBootstrap() {
    assertThat(Options.parse("demo", "--rate", "20", "--kafka-bootstrap=localhost:9092"))
        .isEqualTo(new Options(null, true, 20, "localhost:9092", false));
  }

  @Test
  void demoFlagGoesWithAConfigFile() {
    assertThat(Options.parse("--config", "my.yaml", "--demo")).isEqualTo(new Options(Path.of("my.yaml"), true, 5, null, false));
    assertThat(Options.parse("-config.file=my.yaml")).isEqualTo(new Options(Path.of("my.yaml"), false, 5, null, false));
  }

  @Test
  void rateImpliesTheDemoAndNoDemoTurnsItOff() {
    assertThat(Options.parse("--rate=2").demo()).isTrue();
    assertThat(Options.parse("--no-demo").demo()).isFalse();
    assertThatThrownBy(() -> Options.parse("--no-demo", "--rate", "2"))
        .hasMessage("--no-demo: with --rate or --kafka-bootstrap (expected: one or the other)");
  }

  @Test
  void badValuesAreNamedWithTheExpectation() {
    assertThatThrownBy(() -> Options.parse("demo", "--rate", "fast"))
        .hasMessage("--rate: fast (expected: requests per second, > 0 and <= 10000)");
    assertThatThrownBy(() -> Options.parse("--kafka-bootstrap", "kafka"))
        .hasMessage("--kafka-bootstrap: kafka (expected: host:port[,host:port…])");
    assertThatThrownBy(() -> Options.parse("--config")).hasMessage("--config: missing value (expected: --config FILE)");
    assertThatThrownBy(() -> Options.parse("--config", "a.yaml", "demo"))
        .hasMessage("demo: a subcommand, first (expected: spanloom demo [options])");
    assertThatThrownBy(() -> Options.parse("--bogus")).hasMessageStartingWith("unknown argument --bogus (expected: --config FILE, demo,");
  }
}
