package dev.spanloom.server.slo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A real HTTP server taking webhook posts on 127.0.0.1, answering {@code status} (200 unless set). */
public final class WebhookReceiver implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpServer server;
  private final BlockingQueue<JsonNode> bodies = new LinkedBlockingQueue<>();
  private final AtomicInteger requests = new AtomicInteger();
  private volatile int status = 200;

  public WebhookReceiver() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/hook", exchange -> {
      requests.incrementAndGet();
      byte[] body = exchange.getRequestBody().readAllBytes();
      if (status / 100 == 2) bodies.add(JSON.readTree(body));
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  public void answer(int status) {
    this.status = status;
  }

  /** Bodies taken and not yet read by {@link #next()}. */
  public int bodies() {
    return bodies.size();
  }

  public int requests() {
    return requests.get();
  }

  /** The next body taken, waiting for it up to 10 s; null if none came. */
  public JsonNode next() throws InterruptedException {
    return bodies.poll(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
