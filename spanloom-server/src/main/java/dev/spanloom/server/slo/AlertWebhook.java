package dev.spanloom.server.slo;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts alert notifications to {@code slo.webhook.endpoint} from a thread of its own, in order,
 * retrying a failed post (connection error, 429 or 5xx) with exponential backoff until
 * {@code max_elapsed_time}. The engine only offers to a bounded queue: a slow or failing webhook
 * never holds up an evaluation, and a full queue drops the notification and counts it.
 */
public final class AlertWebhook implements AlertNotifier, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AlertWebhook.class);

  private final WebhookSettings settings;
  private final String externalUrl;
  private final BlockingQueue<AlertNotification> queue;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong attempts = new AtomicLong();
  private HttpClient client;
  private Thread worker;
  private volatile boolean closed;

  public AlertWebhook(WebhookSettings settings, String externalUrl) {
    this.settings = requireNonNull(settings, "settings");
    this.externalUrl = requireNonNull(externalUrl, "externalUrl");
    this.queue = new ArrayBlockingQueue<>(settings.queueSize());
  }

  public synchronized void start() {
    if (worker != null) return;
    client = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
    worker = new Thread(this::run, "spanloom-slo-webhook");
    worker.setDaemon(true);
    worker.start();
  }

  @Override
  public void notify(AlertNotification notification) {
    if (closed || !queue.offer(notification)) {
      dropped.incrementAndGet();
      LOG.warn("event=slo_webhook_dropped reason={} group={}", closed ? "closed" : "queue_full", notification.groupLabels());
    }
  }

  private void run() {
    while (!closed) {
      AlertNotification n;
      try {
        n = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      if (!deliver(n)) return;
    }
  }

  /** False when interrupted (closing). */
  private boolean deliver(AlertNotification n) {
    byte[] body = AlertmanagerPayload.json(n, externalUrl);
    long deadline = System.nanoTime() + settings.maxElapsedTime().toNanos();
    Duration backoff = settings.initialInterval();
    while (true) {
      attempts.incrementAndGet();
      String outcome;
      try {
        HttpResponse<Void> response = client.send(HttpRequest.newBuilder(settings.endpoint())
            .timeout(settings.timeout())
            .header("Content-Type", "application/json")
            .header("User-Agent", "Spanloom")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding());
        int code = response.statusCode();
        if (code / 100 == 2) {
          sent.incrementAndGet();
          return true;
        }
        outcome = "status " + code;
        if (code != 429 && code / 100 != 5) { // the receiver refuses this body: retrying cannot help
          give(n, outcome);
          return true;
        }
      } catch (IOException e) {
        outcome = e.toString();
      } catch (InterruptedException e) {
        failed.incrementAndGet();
        return false;
      }
      if (!settings.retryEnabled() || System.nanoTime() + backoff.toNanos() > deadline) {
        give(n, outcome);
        return true;
      }
      try {
        TimeUnit.NANOSECONDS.sleep(backoff.toNanos());
      } catch (InterruptedException e) {
        failed.incrementAndGet();
        return false;
      }
      backoff = backoff.multipliedBy(2).compareTo(settings.maxInterval()) > 0 ? settings.maxInterval() : backoff.multipliedBy(2);
    }
  }

  private void give(AlertNotification n, String outcome) {
    failed.incrementAndGet();
    LOG.warn("event=slo_webhook_failed group={} status={} last_error=\"{}\"", n.groupLabels(), n.status(), outcome);
  }

  /** Notifications the webhook took (2xx). */
  public long sent() {
    return sent.get();
  }

  /** Notifications given up after their retries, or refused with a 4xx. */
  public long failed() {
    return failed.get();
  }

  /** Notifications not sent for want of room: the queue was full, or the webhook closed before sending them. */
  public long dropped() {
    return dropped.get();
  }

  /** HTTP posts made, retries included. */
  public long attempts() {
    return attempts.get();
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (worker == null) return;
    worker.interrupt();
    try {
      worker.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // What was still waiting will not be sent: counted, not lost silently.
    int unsent = queue.size();
    queue.clear();
    if (unsent > 0) {
      dropped.addAndGet(unsent);
      LOG.warn("event=slo_webhook_dropped reason=closed notifications={}", unsent);
    }
  }

  @Override
  public String toString() {
    return settings.toString();
  }
}
