package dev.spanloom.pipeline;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Spans were not taken, for a reason the client can wait out. Receivers answer it in their
 * protocol's retryable terms (gRPC {@code RESOURCE_EXHAUSTED} or {@code UNAVAILABLE} with a
 * retry delay, HTTP 429 or 503 with {@code Retry-After}).
 */
public final class RefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why spans were refused; the name is the {@code reason} label of the refusal counters. */
  public enum Reason {
    /** The ingest queue holds its maximum bytes. */
    QUEUE_FULL,
    /** The memory_limiter processor measured heap use above its soft limit. */
    MEMORY_LIMIT,
    /** An exporter failed (storage error, shutdown). */
    EXPORT_FAILED;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final Reason reason;
  private final Duration retryAfter;

  public RefusedException(Reason reason, String message, Duration retryAfter) {
    super(message, null, false, false);
    this.reason = requireNonNull(reason, "reason");
    this.retryAfter = requireNonNull(retryAfter, "retryAfter");
  }

  public Reason reason() {
    return reason;
  }

  public Duration retryAfter() {
    return retryAfter;
  }
}
