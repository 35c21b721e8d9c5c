package dev.spanloom.storage.local;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock tests move by hand, for head age, retention and compaction windows. */
final class MutableClock extends Clock {
  private volatile Instant now;

  MutableClock(long epochNanos) {
    this.now = Instant.ofEpochSecond(0, epochNanos);
  }

  void advance(Duration d) {
    now = now.plus(d);
  }

  void setEpochNanos(long epochNanos) {
    now = Instant.ofEpochSecond(0, epochNanos);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public String toString() {
    return "MutableClock{" + now + "}";
  }
}
