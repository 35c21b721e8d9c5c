package dev.spanloom.server.receiver;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Span counts per receiver and transport, in the spirit of the Collector's
 * {@code otelcol_receiver_accepted_spans}/{@code refused_spans}: received = accepted + refused.
 */
public final class ReceiverMetrics {
  /** Labels of {@code reason}: why spans were refused. */
  public static final String INVALID = "invalid";
  public static final String MALFORMED = "malformed";
  public static final String TOO_LARGE = "too_large";
  public static final String UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type";

  private final Counter received;
  private final Counter accepted;
  private final Counter refused;
  private final Counter refusedRequests;

  public ReceiverMetrics(PrometheusRegistry registry) {
    received = Counter.builder().name("spanloom_receiver_received_spans")
        .help("Spans that arrived at a receiver, valid or not.")
        .labelNames("receiver", "transport").register(registry);
    accepted = Counter.builder().name("spanloom_receiver_accepted_spans")
        .help("Spans taken by the pipeline and acknowledged to the client.")
        .labelNames("receiver", "transport").register(registry);
    refused = Counter.builder().name("spanloom_receiver_refused_spans")
        .help("Spans not taken, by reason (invalid, queue_full, memory_limit, export_failed).")
        .labelNames("receiver", "transport", "reason").register(registry);
    refusedRequests = Counter.builder().name("spanloom_receiver_refused_requests")
        .help("Requests refused before their spans could be counted (malformed, too_large, unsupported_media_type).")
        .labelNames("receiver", "transport", "reason").register(registry);
  }

  void received(String receiver, String transport, long spans) {
    received.labelValues(receiver, transport).inc(spans);
  }

  void accepted(String receiver, String transport, long spans) {
    accepted.labelValues(receiver, transport).inc(spans);
  }

  void refused(String receiver, String transport, String reason, long spans) {
    if (spans > 0) refused.labelValues(receiver, transport, reason).inc(spans);
  }

  void refusedRequest(String receiver, String transport, String reason) {
    refusedRequests.labelValues(receiver, transport, reason).inc();
  }
}
