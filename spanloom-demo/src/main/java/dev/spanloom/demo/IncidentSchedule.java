package dev.spanloom.demo;

import java.time.Duration;

/**
 * When the payment provider is degraded: the last {@code length} of every {@code every}
 * since the shop started, so a fresh start shows a normal shop first. During an incident
 * payment-service is several times slower and fails far more often.
 */
public record IncidentSchedule(Duration every, Duration length) {
  /** Every 5 minutes, for 1 minute (minutes 4-5, 9-10, …). */
  public static final IncidentSchedule DEFAULT = new IncidentSchedule(Duration.ofMinutes(5), Duration.ofMinutes(1));
  /** Never. */
  public static final IncidentSchedule NEVER = new IncidentSchedule(Duration.ofMinutes(1), Duration.ZERO);
  /** Always: for tests and for watching an incident on purpose. */
  public static final IncidentSchedule ALWAYS = new IncidentSchedule(Duration.ofMinutes(1), Duration.ofMinutes(1));

  public IncidentSchedule {
    if (every.isNegative() || every.isZero()) throw new IllegalArgumentException("every: " + every + " (expected: > 0)");
    if (length.isNegative() || length.compareTo(every) > 0) {
      throw new IllegalArgumentException("length: " + length + " (expected: 0.." + every + ")");
    }
  }

  /** Whether an incident is on {@code elapsed} after the shop started. */
  public boolean activeAt(Duration elapsed) {
    long into = elapsed.toNanos() % every.toNanos();
    return into >= every.toNanos() - length.toNanos() && !length.isZero();
  }

  @Override
  public String toString() {
    return length.isZero() ? "never" : length.equals(every) ? "always" : "every " + every + " for " + length;
  }
}
