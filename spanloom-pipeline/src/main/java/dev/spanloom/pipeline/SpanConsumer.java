package dev.spanloom.pipeline;

import dev.spanloom.model.Span;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The edge between two nodes of the pipeline graph. The future completes when every node
 * downstream has handled the spans (for the store exporter: written them durably); it fails
 * with {@link RefusedException} when they were not taken and the client should retry. A
 * receiver acknowledges a request only when this future succeeds, so nothing acknowledged is
 * lost in between.
 */
@FunctionalInterface
public interface SpanConsumer {
  CompletableFuture<Void> consume(List<Span> spans);
}
