package dev.spanloom.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.spanloom.model.Trace;
import dev.spanloom.model.TraceId;
import dev.spanloom.receivers.jaeger.JaegerTranslator;
import dev.spanloom.storage.SpanName;
import dev.spanloom.storage.TraceReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Jaeger's query API, the JSON that Jaeger UI and Grafana's Jaeger data source call, and its
 * api_v3 ({@link JaegerApiV3}). Answers use Jaeger's envelope {@code {"data", "total", "limit",
 * "offset", "errors"}}; traces are rendered by {@link JaegerTranslator}. A bad parameter is a 400
 * whose {@code errors} name it; an unknown trace a 404.
 */
public final class JaegerApi {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final int DEFAULT_LIMIT = 100; // Jaeger's defaultQueryLimit
  private static final long DEFAULT_LOOKBACK_NANOS = 3_600_000_000_000L; // Jaeger's: one hour
  private static final long DEFAULT_DEPENDENCY_LOOKBACK_MILLIS = 86_400_000L; // Jaeger's: one day

  private final TraceReader reader;
  private final ServiceGraphQuery graph;

  /** {@code graph} answers {@code /api/dependencies}: the service graph's edges. */
  public JaegerApi(TraceReader reader, ServiceGraphQuery graph) {
    this.reader = reader;
    this.graph = graph;
  }

  public void mount(ServerBuilder sb) {
    get(sb, "/api/services", this::services);
    get(sb, "/api/services/{service}/operations", ctx -> serviceOperations(ctx.pathParam("service")));
    get(sb, "/api/operations", this::operations);
    get(sb, "/api/traces", this::findTraces);
    get(sb, "/api/traces/{traceId}", ctx -> trace(ctx.pathParam("traceId")));
    get(sb, "/api/dependencies", this::dependencies);
    new JaegerApiV3(reader).mount(sb);
  }

  /** What {@code /api/sampling} answers (404) when the remote_sampling extension is off. */
  static final String SAMPLING_NOT_ENABLED = "remote sampling is not enabled (expected: extensions.remote_sampling with file or"
      + " adaptive, and remote_sampling listed in service.extensions; see docs/sampling.md)";

  /**
   * Jaeger remote sampling's {@code GET /api/sampling?service=}: {@code strategies} is the handler
   * the remote_sampling extension serves on 5778, or null when the extension is off — then a 404
   * in Jaeger's error envelope says how to turn it on.
   */
  public static void mountSampling(ServerBuilder sb, HttpService strategies) {
    sb.route().get("/api/sampling")
        .build(strategies != null ? strategies : (ctx, req) -> error(HttpStatus.NOT_FOUND, SAMPLING_NOT_ENABLED));
  }

  interface Handler {
    HttpResponse handle(ServiceRequestContext ctx);
  }

  // Storage reads may touch disk: off the event loop. A bad parameter becomes Jaeger's 400.
  static void get(ServerBuilder sb, String path, Handler handler) {
    HttpService service = (ctx, req) -> blocking(ctx, () -> {
      try {
        return handler.handle(ctx);
      } catch (IllegalArgumentException e) {
        return error(HttpStatus.BAD_REQUEST, e.getMessage());
      }
    });
    sb.route().get(path).build(service);
  }

  private static HttpResponse blocking(ServiceRequestContext ctx, Supplier<HttpResponse> work) {
    return HttpResponse.of(CompletableFuture.supplyAsync(work, ctx.blockingTaskExecutor()));
  }

  private HttpResponse services(ServiceRequestContext ctx) {
    ArrayNode data = JSON.createArrayNode();
    for (String s : reader.serviceNames()) {
      if (!s.isEmpty()) data.add(s);
    }
    return envelope(data, data.size());
  }

  private HttpResponse serviceOperations(String service) {
    TreeSet<String> names = new TreeSet<>();
    for (SpanName n : reader.spanNames(service)) names.add(n.name());
    ArrayNode data = JSON.createArrayNode();
    names.forEach(data::add);
    return envelope(data, data.size());
  }

  private HttpResponse operations(ServiceRequestContext ctx) {
    String service = required(ctx, "service");
    String kind = ctx.queryParam("spanKind");
    ArrayNode data = JSON.createArrayNode();
    for (SpanName n : reader.spanNames(service)) {
      String kindName = JaegerTranslator.kindName(n.kind());
      if (kind != null && !kind.isEmpty() && !kind.equals(kindName)) continue;
      data.addObject().put("name", n.name()).put("spanKind", kindName);
    }
    return envelope(data, data.size());
  }

  private HttpResponse trace(String id) {
    Optional<Trace> trace = reader.findTrace(traceId("traceID", id));
    if (trace.isEmpty()) return error(HttpStatus.NOT_FOUND, "trace not found");
    ArrayNode data = JSON.createArrayNode();
    data.add(JaegerTranslator.toJson(trace.get()));
    return envelope(data, 0);
  }

  private HttpResponse findTraces(ServiceRequestContext ctx) {
    List<String> traceIds = ctx.queryParams("traceID");
    ArrayNode data = JSON.createArrayNode();
    if (!traceIds.isEmpty()) {
      for (String id : traceIds) reader.findTrace(traceId("traceID", id)).ifPresent(t -> data.add(JaegerTranslator.toJson(t)));
      return envelope(data, 0);
    }
    JaegerQuery query = query(ctx);
    for (Trace t : NewestTraces.find(reader, query.scan(), query::matches, query.limit())) data.add(JaegerTranslator.toJson(t));
    return envelope(data, 0);
  }

  /** The parameters of Jaeger's {@code /api/traces} search (query_parser.go). */
  static JaegerQuery query(ServiceRequestContext ctx) {
    String service = required(ctx, "service");
    long end = ctx.queryParam("end") == null ? System.currentTimeMillis() * 1_000_000 : micros(ctx, "end") * 1000;
    long start;
    if (ctx.queryParam("start") != null) {
      start = micros(ctx, "start") * 1000;
    } else {
      String lookback = ctx.queryParam("lookback");
      long nanos = lookback == null || lookback.isEmpty() || lookback.equals("custom")
          ? DEFAULT_LOOKBACK_NANOS : GoDuration.parseNanos("lookback", lookback);
      start = Math.max(1, end - nanos);
    }
    if (start > end) throw new IllegalArgumentException("start " + start / 1000 + " is after end " + end / 1000);
    Map<String, String> tags = new LinkedHashMap<>();
    for (String tag : ctx.queryParams("tag")) {
      int colon = tag.indexOf(':');
      if (colon <= 0) throw new IllegalArgumentException("malformed 'tag' parameter, expecting key:value, received: " + tag);
      tags.put(tag.substring(0, colon), tag.substring(colon + 1));
    }
    for (String json : ctx.queryParams("tags")) tags.putAll(jsonTags("tags", json));
    long min = duration(ctx, "minDuration");
    long max = duration(ctx, "maxDuration");
    if (min != 0 && max != 0 && max < min) {
      throw new IllegalArgumentException("'maxDuration' should be greater than 'minDuration'");
    }
    int limit = ctx.queryParam("limit") == null || ctx.queryParam("limit").isEmpty() ? DEFAULT_LIMIT : (int) micros(ctx, "limit");
    if (limit <= 0) limit = DEFAULT_LIMIT;
    String operation = ctx.queryParam("operation");
    return new JaegerQuery(service, operation == null ? "" : operation, tags, start, end, min, max, limit);
  }

  /** A JSON object of tag names to values, as {@code tags={"error":"true"}} and api_v3's attributes. */
  static Map<String, String> jsonTags(String param, String json) {
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      node = null;
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("malformed '" + param + "' parameter: " + json
          + " (expected: a JSON object such as {\"http.status_code\":\"500\"})");
    }
    Map<String, String> tags = new LinkedHashMap<>();
    node.fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
    return tags;
  }

  private static long duration(ServiceRequestContext ctx, String name) {
    String v = ctx.queryParam(name);
    return v == null || v.isEmpty() ? 0 : GoDuration.parseNanos(name, v);
  }

  private HttpResponse dependencies(ServiceRequestContext ctx) {
    long endTs = ctx.queryParam("endTs") == null ? System.currentTimeMillis() : micros(ctx, "endTs");
    long lookback = ctx.queryParam("lookback") == null ? DEFAULT_DEPENDENCY_LOOKBACK_MILLIS : micros(ctx, "lookback");
    if (lookback <= 0) throw new IllegalArgumentException("lookback: " + lookback + " (expected: > 0 milliseconds)");
    ArrayNode data = JSON.createArrayNode();
    for (ServiceGraphQuery.Link l : graph.links(Math.max(1, endTs - lookback) * 1_000_000, endTs * 1_000_000)) {
      data.addObject().put("parent", l.parent()).put("child", l.child()).put("callCount", l.callCount())
          .put("source", "jaeger");
    }
    return envelope(data, 0);
  }

  static TraceId traceId(String param, String id) {
    TraceId traceId = TempoApi.parseTraceId(id);
    if (traceId == null) {
      throw new IllegalArgumentException(param + ": \"" + id + "\" (expected: 1 to 32 hex digits, not all zero)");
    }
    return traceId;
  }

  static String required(ServiceRequestContext ctx, String name) {
    String v = ctx.queryParam(name);
    if (v == null || v.isEmpty()) throw new IllegalArgumentException("parameter '" + name + "' is required");
    return v;
  }

  /** An integer parameter (µs, ms or a count, as the parameter says). */
  private static long micros(ServiceRequestContext ctx, String name) {
    String v = ctx.queryParam(name);
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": \"" + v + "\" (expected: an integer)");
    }
  }

  static HttpResponse envelope(JsonNode data, int total) {
    ObjectNode json = JSON.createObjectNode();
    json.set("data", data);
    json.put("total", total).put("limit", 0).put("offset", 0).putNull("errors");
    return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, json.toString());
  }

  static HttpResponse error(HttpStatus status, String message) {
    ObjectNode json = JSON.createObjectNode();
    json.putNull("data");
    json.put("total", 0).put("limit", 0).put("offset", 0);
    json.putArray("errors").addObject().put("code", status.code()).put("msg", message);
    return HttpResponse.of(status, MediaType.JSON_UTF_8, json.toString());
  }
}
