package dev.spanloom.otlp;

/** An export request that cannot be parsed; its message is what the client is told (HTTP 400). */
public final class MalformedRequestException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MalformedRequestException(String message) {
    super(message, null, false, false);
  }
}
