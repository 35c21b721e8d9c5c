package dev.spanloom.model;

/** The OpenTelemetry span kinds; the ordinal is the OTLP enum number. */
public enum SpanKind {
  /** Sent by clients that did not say; readers treat it as {@link #INTERNAL}. */
  UNSPECIFIED,
  INTERNAL,
  SERVER,
  CLIENT,
  PRODUCER,
  CONSUMER;

  private static final SpanKind[] BY_NUMBER = values();

  /** The kind for an OTLP enum number; unknown numbers read as {@link #UNSPECIFIED}. */
  public static SpanKind fromNumber(int number) {
    return number >= 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : UNSPECIFIED;
  }

  public int number() {
    return ordinal();
  }
}
