package dev.spanloom.sampling;

import static java.util.Objects.requireNonNull;

import dev.spanloom.model.context.TraceState;

/**
 * What a head sampler may know of the parent of the span being started: whether there is one,
 * whether it was sampled, whether it came from another process, and its {@code tracestate}.
 *
 * @param exists false for a root span ({@link #ROOT}); the other fields are then ignored
 * @param sampled the parent's W3C sampled flag
 * @param remote true when the parent context was extracted from a request (another process)
 * @param traceState the parent's tracestate, {@link TraceState#EMPTY} when none
 */
public record SamplingParent(boolean exists, boolean sampled, boolean remote, TraceState traceState) {
  /** No parent: the span starts a trace. */
  public static final SamplingParent ROOT = new SamplingParent(false, false, false, TraceState.EMPTY);

  public SamplingParent {
    requireNonNull(traceState, "traceState");
  }

  public static SamplingParent remote(boolean sampled, TraceState traceState) {
    return new SamplingParent(true, sampled, true, traceState);
  }

  public static SamplingParent local(boolean sampled, TraceState traceState) {
    return new SamplingParent(true, sampled, false, traceState);
  }
}
