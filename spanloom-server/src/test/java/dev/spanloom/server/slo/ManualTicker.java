package dev.spanloom.server.slo;

import java.time.Duration;

/** A ticker the test ticks: each {@link #tick()} is one scheduled evaluation. */
public final class ManualTicker implements SloEngine.Ticker {
  private Runnable task;
  private boolean stopped;

  @Override
  public synchronized AutoCloseable schedule(Runnable task, Duration interval) {
    this.task = task;
    return () -> stopped = true;
  }

  public synchronized void tick() {
    if (task == null || stopped) throw new IllegalStateException("not scheduled");
    task.run();
  }
}
