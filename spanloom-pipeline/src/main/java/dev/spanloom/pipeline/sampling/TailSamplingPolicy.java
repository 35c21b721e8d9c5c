package dev.spanloom.pipeline.sampling;

import dev.spanloom.model.Span;
import dev.spanloom.model.TraceId;
import java.util.List;

/**
 * One rule of the {@code tail_sampling} processor, evaluated over all spans of a trace buffered
 * so far. Called by one thread at a time (the processor's lock), so stateful policies ({@code
 * rate_limiting}, {@code bytes_limiting}, {@code composite}) need no locking of their own.
 */
interface TailSamplingPolicy {
  /**
   * @param spans the trace's spans in arrival order
   * @param nowNanos the processor's clock, for rate-based policies
   */
  TailDecision evaluate(TraceId traceId, List<Span> spans, long bytes, long nowNanos);

  /** The configuration, for {@code toString()}. */
  String describe();
}
