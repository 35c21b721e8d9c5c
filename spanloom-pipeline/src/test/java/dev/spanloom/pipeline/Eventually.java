package dev.spanloom.pipeline;

import java.time.Duration;

/**
 * Retries an assertion until it passes or a generous deadline ends, for results that another
 * thread produces. The deadline is only an upper bound: a passing test never waits for it.
 */
public final class Eventually {
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  private Eventually() {}

  public static void assertThatEventually(Runnable assertion) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (true) {
      try {
        assertion.run();
        return;
      } catch (AssertionError e) {
        if (System.nanoTime() > deadline) throw e;
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting", e);
      }
    }
  }
}
