package dev.spanloom.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * An external HTTP API the shop calls but cannot trace (the payment provider): it answers on
 * loopback, ignores {@code traceparent}, and exports nothing, so its calls end in a CLIENT span
 * with {@code peer.service}. During an incident it is several times slower and fails far more.
 */
final class UninstrumentedPeer implements AutoCloseable {
  private static final int INCIDENT_SLOWDOWN = 8;

  private final String name;
  private final Random random;
  private final BooleanSupplier incident;
  private final FaultRates faults;
  private final HttpServer server;
  private final ExecutorService threads;

  UninstrumentedPeer(String name, long seed, BooleanSupplier incident, FaultRates faults) {
    this.name = name;
    this.random = new Random(seed ^ name.hashCode());
    this.incident = incident;
    this.faults = faults;
    try {
      this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(name + ": cannot open an HTTP server on loopback", e);
    }
    this.threads = Executors.newFixedThreadPool(32, ShopService.daemonThreads(name));
    server.setExecutor(threads);
    server.createContext("/", this::answer);
  }

  void start() {
    server.start();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  private void answer(HttpExchange exchange) throws IOException {
    try (exchange) {
      try (InputStream in = exchange.getRequestBody()) {
        in.readAllBytes();
      }
      boolean degraded = incident.getAsBoolean();
      double u = random.nextDouble();
      long millis = 30 + (long) (120 * u * u);
      ShopService.sleep(degraded ? millis * INCIDENT_SLOWDOWN : millis);
      boolean fail = random.nextDouble() < faults.paymentFailure(degraded);
      int status = fail ? 503 : 200;
      byte[] body = (fail ? "{\"error\":{\"type\":\"api_error\",\"message\":\"upstream timeout\"}}"
          : "{\"id\":\"ch_" + Long.toHexString(random.nextLong() & Long.MAX_VALUE) + "\",\"status\":\"succeeded\"}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("content-type", "application/json");
      exchange.sendResponseHeaders(status, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }

  @Override
  public String toString() {
    return name + "@127.0.0.1:" + server.getAddress().getPort() + " (uninstrumented)";
  }
}
