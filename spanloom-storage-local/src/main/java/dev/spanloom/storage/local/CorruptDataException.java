package dev.spanloom.storage.local;

/** Bytes on disk do not follow the format: a torn write, a flipped bit, a foreign file. */
final class CorruptDataException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CorruptDataException(String message) {
    super(message);
  }
}
