package dev.spanloom.pipeline;

/**
 * A node of the pipeline graph. No I/O and no threads before {@link #start()}; {@link #close()}
 * stops them; {@code toString()} prints the effective configuration.
 */
public interface Component extends AutoCloseable {
  default void start() {}

  /** True while the component can take data; reported by {@code /ready}. */
  default boolean isReady() {
    return true;
  }

  @Override
  default void close() {}
}
