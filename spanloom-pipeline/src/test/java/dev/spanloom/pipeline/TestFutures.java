package dev.spanloom.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting on futures in tests, with a generous upper bound so a hang fails instead of blocking. */
public final class TestFutures {
  private static final long DEADLINE_SECONDS = 10;

  private TestFutures() {}

  /** Waits for {@code future} to succeed. */
  public static void awaitSuccess(CompletableFuture<?> future) {
    try {
      future.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("expected success, failed with " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("not completed within " + DEADLINE_SECONDS + "s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Waits for {@code future} to fail and returns why. */
  public static Throwable awaitFailure(CompletableFuture<?> future) {
    try {
      future.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("not completed within " + DEADLINE_SECONDS + "s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    throw new AssertionError("expected failure, succeeded");
  }

  /** Waits for {@code future} to fail with a {@link RefusedException} and returns it. */
  public static RefusedException awaitRefusal(CompletableFuture<?> future) {
    Throwable cause = awaitFailure(future);
    assertThat(cause).isInstanceOf(RefusedException.class);
    return (RefusedException) cause;
  }
}
