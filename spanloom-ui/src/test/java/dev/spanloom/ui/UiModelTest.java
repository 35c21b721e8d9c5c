package dev.spanloom.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The UI's trace model ({@code js/model.js}: critical path, self time, statistics, comparison)
 * under Node's own test runner: {@code e2e/model.test.mjs} names each behaviour it checks.
 */
class UiModelTest {
  @Test
  void traceModelPassesItsNodeTests() throws Exception {
    Path tests = Path.of("e2e/model.test.mjs").toAbsolutePath();
    assertThat(tests).exists();
    ProcessBuilder pb = new ProcessBuilder("node", "--test", tests.toString())
        .directory(tests.getParent().toFile()).redirectErrorStream(true);
    Process node;
    try {
      node = pb.start();
    } catch (IOException e) {
      throw new AssertionError("node is not on the PATH (run ./test): " + e.getMessage(), e);
    }
    String output;
    try (var in = node.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(node.waitFor(2, TimeUnit.MINUTES)).as(output).isTrue();
    } finally {
      node.destroyForcibly();
    }
    assertThat(node.exitValue()).as("node --test model.test.mjs:\n" + output).isZero();
    assertThat(output).contains("# fail 0").doesNotContain("# pass 0");
  }
}
