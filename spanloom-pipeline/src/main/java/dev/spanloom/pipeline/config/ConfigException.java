package dev.spanloom.pipeline.config;

/**
 * A configuration value Spanloom cannot use. The message names the key by its full path and
 * says what was expected: {@code processors.batch.timeout: "abc" (expected: a duration such as 200ms)}.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
