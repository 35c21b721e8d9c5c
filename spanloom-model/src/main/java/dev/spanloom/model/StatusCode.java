package dev.spanloom.model;

/** The OpenTelemetry status codes; the ordinal is the OTLP enum number. */
public enum StatusCode {
  UNSET,
  OK,
  ERROR;

  private static final StatusCode[] BY_NUMBER = values();

  /** The code for an OTLP enum number; unknown numbers read as {@link #UNSET}. */
  public static StatusCode fromNumber(int number) {
    return number >= 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : UNSET;
  }

  public int number() {
    return ordinal();
  }
}
