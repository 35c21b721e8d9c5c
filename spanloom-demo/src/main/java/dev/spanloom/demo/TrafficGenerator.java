package dev.spanloom.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shop's customers: requests to api-gateway at a mean rate with Poisson arrivals (seeded),
 * 70% {@code POST /order} and 30% {@code GET /orders/{id}}. Customers are not traced: each
 * request starts a new trace at the gateway. At most {@value #MAX_IN_FLIGHT} requests wait at
 * once; beyond that a request is dropped and counted, so a stalled shop does not pile up work.
 */
final class TrafficGenerator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TrafficGenerator.class);
  private static final int MAX_IN_FLIGHT = 200;
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private final URI gateway;
  private final double requestsPerSecond;
  private final Random random;
  private final AtomicLong orderIds;
  private final BooleanSupplier incident;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
      ShopService.daemonThreads("demo-traffic"));
  private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private boolean incidentLogged;

  TrafficGenerator(URI gateway, double requestsPerSecond, long seed, AtomicLong orderIds, BooleanSupplier incident) {
    this.gateway = gateway;
    this.requestsPerSecond = requestsPerSecond;
    this.random = new Random(seed);
    this.orderIds = orderIds;
    this.incident = incident;
  }

  void start() {
    scheduler.schedule(this::tick, nextDelayNanos(), TimeUnit.NANOSECONDS);
  }

  private long nextDelayNanos() {
    return (long) (-Math.log(1 - random.nextDouble()) / requestsPerSecond * 1e9);
  }

  private void tick() {
    try {
      boolean on = incident.getAsBoolean();
      if (on != incidentLogged) {
        incidentLogged = on;
        LOG.info("event={} service=payment-service peer=stripe-api", on ? "demo_incident_started" : "demo_incident_ended");
      }
      HttpRequest request;
      if (random.nextDouble() < 0.7) {
        request = request(gateway.resolve("/order"), "POST", orderBody(random.nextInt(1_000_000)));
      } else {
        long known = Math.max(1001, orderIds.get());
        request = request(gateway.resolve("/orders/ord-" + (1001 + (long) (random.nextDouble() * (known - 1000)))), "GET", null);
      }
      if (inFlight.tryAcquire()) {
        sent.incrementAndGet();
        CLIENT.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> inFlight.release());
      } else {
        dropped.incrementAndGet();
      }
    } catch (RuntimeException e) {
      LOG.warn("event=demo_request_failed error={}", e.toString());
    } finally {
      if (!scheduler.isShutdown()) scheduler.schedule(this::tick, nextDelayNanos(), TimeUnit.NANOSECONDS);
    }
  }

  static String orderBody(long n) {
    return "{\"sku\":\"sku-" + (100 + n % 40) + "\",\"quantity\":" + (1 + n % 3) + ",\"total_cents\":" + (999 + (n * 37) % 20_000) + "}";
  }

  private static HttpRequest request(URI uri, String method, String body) {
    return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("content-type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  /** One request, waited for; its status code, or 0 when the gateway could not be reached. */
  static int send(URI uri, String method, String body) {
    try {
      return CLIENT.send(request(uri, method, body), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  long sent() {
    return sent.get();
  }

  long dropped() {
    return dropped.get();
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
