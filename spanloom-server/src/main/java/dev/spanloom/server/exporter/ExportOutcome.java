package dev.spanloom.server.exporter;

import java.time.Duration;

/**
 * What one export attempt came to, classified by the OTLP specification's rules.
 *
 * @param kind accepted, worth retrying, or never going to succeed
 * @param rejectedSpans for an accepted request: the spans the server's partial success refused
 * @param retryAfter the delay the server asked for (gRPC {@code RetryInfo}, HTTP {@code Retry-After}); zero when none
 * @param message the server's or the transport's words, for the log
 */
record ExportOutcome(Kind kind, long rejectedSpans, Duration retryAfter, String message) {
  enum Kind { ACCEPTED, RETRYABLE, PERMANENT }

  static ExportOutcome accepted(long rejectedSpans, String message) {
    return new ExportOutcome(Kind.ACCEPTED, rejectedSpans, Duration.ZERO, message);
  }

  /** {@code retryAfter} may be null: no delay was asked for. */
  static ExportOutcome retryable(Duration retryAfter, String message) {
    return new ExportOutcome(Kind.RETRYABLE, 0, retryAfter == null ? Duration.ZERO : retryAfter, message);
  }

  static ExportOutcome permanent(String message) {
    return new ExportOutcome(Kind.PERMANENT, 0, Duration.ZERO, message);
  }
}
