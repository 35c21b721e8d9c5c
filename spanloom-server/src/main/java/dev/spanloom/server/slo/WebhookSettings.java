package dev.spanloom.server.slo;

import java.net.URI;
import java.time.Duration;

/**
 * {@code slo.webhook}: where alert notifications go, in the payload of Alertmanager's webhook
 * receiver. Retries follow the Collector's {@code retry_on_failure} keys: exponential backoff from
 * {@code initialInterval} to {@code maxInterval}, given up after {@code maxElapsedTime}.
 */
public record WebhookSettings(
    URI endpoint, Duration timeout, boolean sendResolved, boolean retryEnabled, Duration initialInterval,
    Duration maxInterval, Duration maxElapsedTime, int queueSize) {
  @Override
  public String toString() {
    // The endpoint may carry a token in its user info or query: print its host and path only.
    return "webhook{endpoint=" + endpoint.getScheme() + "://" + endpoint.getHost()
        + (endpoint.getPort() < 0 ? "" : ":" + endpoint.getPort()) + endpoint.getPath()
        + ", timeout=" + timeout + ", send_resolved=" + sendResolved + ", retry_on_failure="
        + (retryEnabled ? initialInterval + ".." + maxInterval + " for " + maxElapsedTime : "off")
        + ", queue_size=" + queueSize + "}";
  }
}
