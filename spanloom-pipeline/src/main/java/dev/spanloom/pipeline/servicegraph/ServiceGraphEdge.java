package dev.spanloom.pipeline.servicegraph;

import dev.spanloom.model.Span;

/**
 * One request from {@code client} to {@code server} found in a trace.
 *
 * @param connectionType the Collector's {@code connection_type}: {@code ""} for a plain call,
 *     {@code messaging_system}, {@code database} or {@code virtual_node}
 * @param failed true when a span of either side has status ERROR
 * @param clientDurationNanos the client side's duration, or {@code -1} when no client span measured it
 * @param serverDurationNanos the server side's duration, or {@code -1} when no server span measured it
 * @param startEpochNanos when the request started: the earliest start of its spans
 * @param clientSpan the span of the client side, or null when the client is a virtual node
 * @param serverSpan the span of the server side, or null when the server is a virtual node
 */
public record ServiceGraphEdge(
    String client,
    NodeKind clientKind,
    String server,
    NodeKind serverKind,
    String connectionType,
    boolean failed,
    long clientDurationNanos,
    long serverDurationNanos,
    long startEpochNanos,
    Span clientSpan,
    Span serverSpan) {
  public static final String PLAIN = "";
  public static final String MESSAGING_SYSTEM = "messaging_system";
  public static final String DATABASE = "database";
  public static final String VIRTUAL_NODE = "virtual_node";

  /** The server side's duration when a server span measured it, else the client side's. */
  public long durationNanos() {
    return serverDurationNanos >= 0 ? serverDurationNanos : clientDurationNanos;
  }
}
