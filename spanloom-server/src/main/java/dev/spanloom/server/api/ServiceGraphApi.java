package dev.spanloom.server.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.spanloom.pipeline.servicegraph.NodeKind;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Spanloom's {@code GET /api/servicegraph?start=&end=} (Unix seconds, default: the last hour): the
 * service graph of the stored traces in the window, as the web UI draws it —
 * {@code {"nodes":[{"id","kind"}],"edges":[{"client","server","connection_type","requests","failed",
 * "request_rate","error_rate","p50_ms","p95_ms","p99_ms"}]}}. Node kinds are {@code service},
 * {@code database}, {@code messaging} and {@code peer}; rates are per second of the window;
 * latencies are the server side's where a server span measured them, else the client side's.
 */
public final class ServiceGraphApi {
  static final long DEFAULT_WINDOW_SECONDS = 3600;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ServiceGraphQuery graph;
  private final Clock clock;

  public ServiceGraphApi(ServiceGraphQuery graph, Clock clock) {
    this.graph = graph;
    this.clock = clock;
  }

  public void mount(ServerBuilder sb) {
    sb.route().get("/api/servicegraph").build((ctx, req) -> HttpResponse.of(CompletableFuture.supplyAsync(() -> {
      try {
        return serviceGraph(ctx);
      } catch (IllegalArgumentException e) {
        return HttpResponse.of(HttpStatus.BAD_REQUEST, MediaType.PLAIN_TEXT_UTF_8, e.getMessage());
      }
    }, ctx.blockingTaskExecutor())));
  }

  private HttpResponse serviceGraph(ServiceRequestContext ctx) {
    // Rounded up: a request that started in the current second is in the default window.
    long end = seconds(ctx, "end", (clock.millis() + 999) / 1000);
    long start = seconds(ctx, "start", end - DEFAULT_WINDOW_SECONDS);
    if (start >= end) {
      throw new IllegalArgumentException("start: " + start + " (expected: before end " + end + ", both Unix seconds)");
    }
    List<ServiceGraphQuery.Edge> edges = graph.edges(start * 1_000_000_000L, end * 1_000_000_000L);
    double windowSeconds = end - start;

    // A name some instrumented service carries is a service, whatever else calls it.
    Map<String, NodeKind> nodes = new TreeMap<>();
    for (ServiceGraphQuery.Edge e : edges) {
      nodes.merge(e.client(), e.clientKind(), ServiceGraphApi::stronger);
      nodes.merge(e.server(), e.serverKind(), ServiceGraphApi::stronger);
    }
    ObjectNode body = JSON.createObjectNode();
    ArrayNode nodeArray = body.putArray("nodes");
    nodes.forEach((id, kind) -> nodeArray.addObject().put("id", id).put("kind", kind.jsonName()));
    ArrayNode edgeArray = body.putArray("edges");
    for (ServiceGraphQuery.Edge e : edges) {
      edgeArray.addObject()
          .put("client", e.client())
          .put("server", e.server())
          .put("connection_type", e.connectionType())
          .put("requests", e.requests())
          .put("failed", e.failed())
          .put("request_rate", e.requests() / windowSeconds)
          .put("error_rate", e.requests() == 0 ? 0.0 : (double) e.failed() / e.requests())
          .put("p50_ms", e.quantileMillis(0.50))
          .put("p95_ms", e.quantileMillis(0.95))
          .put("p99_ms", e.quantileMillis(0.99));
    }
    return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, body.toString());
  }

  private static NodeKind stronger(NodeKind a, NodeKind b) {
    return a == NodeKind.SERVICE || b == NodeKind.SERVICE ? NodeKind.SERVICE : a;
  }

  private static long seconds(ServiceRequestContext ctx, String name, long defaultValue) {
    String v = ctx.queryParam(name);
    if (v == null || v.isEmpty()) return defaultValue;
    try {
      long s = Long.parseLong(v.trim());
      if (s < 0) throw new NumberFormatException();
      return s;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": \"" + v + "\" (expected: Unix seconds, an integer >= 0)");
    }
  }
}
