package dev.spanloom.demo;

/** A simulated failure that a service answers with {@code status}; recorded as an exception event. */
final class ShopException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  final int status;

  ShopException(int status, String message) {
    super(message);
    this.status = status;
  }
}
