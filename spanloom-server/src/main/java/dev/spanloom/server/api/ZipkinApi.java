package dev.spanloom.server.api;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.spanloom.model.Span;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.Trace;
import dev.spanloom.model.TraceId;
import dev.spanloom.receivers.zipkin.ZipkinTranslator;
import dev.spanloom.storage.SpanName;
import dev.spanloom.storage.TraceReader;
import dev.spanloom.storage.TraceScan;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import zipkin2.DependencyLink;
import zipkin2.codec.DependencyLinkBytesEncoder;
import zipkin2.codec.SpanBytesEncoder;
import zipkin2.storage.QueryRequest;

/**
 * Zipkin's v2 read API, as Zipkin UI (Lens) and Grafana's Zipkin data source call it. Spans are
 * rendered by {@link ZipkinTranslator}; searches take Zipkin's {@link QueryRequest} (its
 * parameter checks, lowercasing and annotation-query grammar) and test it on each trace of the
 * time window, so answers mean what they mean on a Zipkin server. Dependencies are the service
 * graph's edges ({@link ServiceGraphQuery}), the same Jaeger's API and the servicegraph metrics show. Service and span names are lowercase, as Zipkin stores them.
 */
public final class ZipkinApi {
  /** Zipkin's default {@code QUERY_LOOKBACK}: one day, in milliseconds. */
  static final long DEFAULT_LOOKBACK_MILLIS = 86_400_000L;
  private static final int DEFAULT_LIMIT = 10;

  private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = new com.fasterxml.jackson.databind.ObjectMapper();

  private final TraceReader reader;
  private final ServiceGraphQuery graph;

  public ZipkinApi(TraceReader reader, ServiceGraphQuery graph) {
    this.reader = reader;
    this.graph = graph;
  }

  public void mount(ServerBuilder sb) {
    get(sb, "/api/v2/services", (ctx, req) -> blocking(ctx, this::services));
    get(sb, "/api/v2/spans", (ctx, req) -> blocking(ctx, () -> spanNames(ctx)));
    get(sb, "/api/v2/remoteServices", (ctx, req) -> blocking(ctx, () -> remoteServices(ctx)));
    get(sb, "/api/v2/traces", (ctx, req) -> blocking(ctx, () -> traces(ctx)));
    get(sb, "/api/v2/trace/{traceId}", (ctx, req) -> blocking(ctx, () -> trace(ctx.pathParam("traceId"))));
    get(sb, "/api/v2/traceMany", (ctx, req) -> blocking(ctx, () -> traceMany(ctx)));
    get(sb, "/api/v2/dependencies", (ctx, req) -> blocking(ctx, () -> dependencies(ctx)));
    // Lens asks for autocomplete keys at start; Spanloom offers none yet.
    get(sb, "/api/v2/autocompleteKeys", (ctx, req) -> json("[]"));
    get(sb, "/api/v2/autocompleteValues", (ctx, req) -> json("[]"));
  }

  // GET only: POST /api/v2/spans on the same port is the zipkin receiver's.
  private static void get(ServerBuilder sb, String path, com.linecorp.armeria.server.HttpService service) {
    sb.route().get(path).build(service);
  }

  // Storage reads may touch disk: keep them off the event loop.
  private static HttpResponse blocking(ServiceRequestContext ctx, Supplier<HttpResponse> work) {
    return HttpResponse.of(CompletableFuture.supplyAsync(() -> {
      try {
        return work.get();
      } catch (IllegalArgumentException e) {
        return badRequest(e.getMessage());
      }
    }, ctx.blockingTaskExecutor()));
  }

  private HttpResponse services() {
    Set<String> names = new TreeSet<>();
    for (String s : reader.serviceNames()) {
      if (!s.isEmpty()) names.add(lower(s));
    }
    return json(stringArray(names));
  }

  private HttpResponse spanNames(ServiceRequestContext ctx) {
    String service = lower(required(ctx, "serviceName"));
    Set<String> names = new TreeSet<>();
    for (String s : reader.serviceNames()) {
      if (!lower(s).equals(service)) continue;
      for (SpanName n : reader.spanNames(s)) {
        if (!n.name().isEmpty()) names.add(lower(n.name()));
      }
    }
    return json(stringArray(names));
  }

  private HttpResponse remoteServices(ServiceRequestContext ctx) {
    String service = lower(required(ctx, "serviceName"));
    Set<String> names = new TreeSet<>();
    reader.scan(TraceScan.ALL, trace -> {
      for (Span span : trace.spans()) {
        if (!lower(span.serviceName()).equals(service)) continue;
        String remote = span.attributes().getString("peer.service");
        if (remote != null && !remote.isEmpty()) names.add(lower(remote));
      }
      return true;
    });
    return json(stringArray(names));
  }

  private HttpResponse traces(ServiceRequestContext ctx) {
    long endTs = longParam(ctx, "endTs", System.currentTimeMillis());
    long lookback = longParam(ctx, "lookback", DEFAULT_LOOKBACK_MILLIS);
    QueryRequest.Builder query = QueryRequest.newBuilder()
        .serviceName(ctx.queryParam("serviceName"))
        .remoteServiceName(ctx.queryParam("remoteServiceName"))
        .spanName(ctx.queryParam("spanName"))
        .parseAnnotationQuery(ctx.queryParam("annotationQuery"))
        .endTs(endTs)
        .lookback(lookback)
        .limit((int) longParam(ctx, "limit", DEFAULT_LIMIT));
    if (ctx.queryParam("minDuration") != null) query.minDuration(longParam(ctx, "minDuration", 0));
    if (ctx.queryParam("maxDuration") != null) query.maxDuration(longParam(ctx, "maxDuration", 0));
    QueryRequest request = query.build(); // throws IllegalArgumentException naming the bad parameter

    TraceScan window = TraceScan.window(Math.max(0, endTs - lookback) * 1_000_000, endTs * 1_000_000);
    List<Trace> hits = NewestTraces.find(reader, window, trace -> request.test(toZipkin(trace)), request.limit());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write('[');
    for (int i = 0; i < hits.size(); i++) {
      if (i > 0) out.write(',');
      out.writeBytes(SpanBytesEncoder.JSON_V2.encodeList(toZipkin(hits.get(i))));
    }
    out.write(']');
    return json(out.toByteArray());
  }

  private HttpResponse trace(String id) {
    TraceId traceId = traceId(id);
    Optional<Trace> trace = reader.findTrace(traceId);
    if (trace.isEmpty()) {
      return HttpResponse.of(HttpStatus.NOT_FOUND, MediaType.PLAIN_TEXT_UTF_8, id + " not found");
    }
    return json(SpanBytesEncoder.JSON_V2.encodeList(toZipkin(trace.get())));
  }

  private HttpResponse traceMany(ServiceRequestContext ctx) {
    String ids = ctx.queryParam("traceIds");
    if (ids == null || ids.isBlank()) throw new IllegalArgumentException("traceIds parameter is empty");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write('[');
    boolean first = true;
    for (String id : ids.split(",")) {
      Optional<Trace> trace = reader.findTrace(traceId(id.trim()));
      if (trace.isEmpty()) continue;
      if (!first) out.write(',');
      first = false;
      out.writeBytes(SpanBytesEncoder.JSON_V2.encodeList(toZipkin(trace.get())));
    }
    out.write(']');
    return json(out.toByteArray());
  }

  private HttpResponse dependencies(ServiceRequestContext ctx) {
    required(ctx, "endTs");
    long endTs = longParam(ctx, "endTs", 0);
    long lookback = longParam(ctx, "lookback", DEFAULT_LOOKBACK_MILLIS);
    if (endTs <= 0) throw new IllegalArgumentException("endTs: " + endTs + " (expected: > 0, epoch milliseconds)");
    if (lookback <= 0) throw new IllegalArgumentException("lookback: " + lookback + " (expected: > 0 milliseconds)");
    // Zipkin keeps service names lowercase: names differing only in case are one node here.
    java.util.Map<List<String>, long[]> counts = new java.util.TreeMap<>(java.util.Comparator
        .<List<String>, String>comparing(k -> k.get(0)).thenComparing(k -> k.get(1)));
    for (ServiceGraphQuery.Link l : graph.links(Math.max(0, endTs - lookback) * 1_000_000, endTs * 1_000_000)) {
      long[] c = counts.computeIfAbsent(List.of(lower(l.parent()), lower(l.child())), k -> new long[2]);
      c[0] += l.callCount();
      c[1] += l.errorCount();
    }
    List<DependencyLink> links = new ArrayList<>(counts.size());
    counts.forEach((k, c) -> links.add(DependencyLink.newBuilder().parent(k.get(0)).child(k.get(1))
        .callCount(c[0]).errorCount(c[1]).build()));
    return json(DependencyLinkBytesEncoder.JSON_V1.encodeList(links));
  }

  /**
   * A trace as Zipkin spans. A server span that reuses a client span's ID is the server half of
   * a B3 shared span, so it is marked {@code shared} as its sender had it.
   */
  static List<zipkin2.Span> toZipkin(Trace trace) {
    Set<Long> clientIds = new HashSet<>();
    for (Span s : trace.spans()) {
      if (s.kind() == SpanKind.CLIENT) clientIds.add(s.spanId().value());
    }
    List<zipkin2.Span> out = new ArrayList<>(trace.spans().size());
    for (Span s : trace.spans()) {
      out.add(ZipkinTranslator.toZipkin(s, s.kind() == SpanKind.SERVER && clientIds.contains(s.spanId().value())));
    }
    return out;
  }

  private static TraceId traceId(String id) {
    TraceId traceId = TempoApi.parseTraceId(id);
    if (traceId == null) {
      throw new IllegalArgumentException("traceId: \"" + id + "\" (expected: 16 or 32 hex digits, not all zero)");
    }
    return traceId;
  }

  private static String required(ServiceRequestContext ctx, String name) {
    String v = ctx.queryParam(name);
    if (v == null || v.isEmpty()) throw new IllegalArgumentException(name + " is required");
    return v;
  }

  private static long longParam(ServiceRequestContext ctx, String name, long defaultValue) {
    String v = ctx.queryParam(name);
    if (v == null || v.isEmpty()) return defaultValue;
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": \"" + v + "\" (expected: an integer)");
    }
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  private static String stringArray(Iterable<String> values) {
    com.fasterxml.jackson.databind.node.ArrayNode array = MAPPER.createArrayNode();
    for (String v : values) array.add(v);
    return array.toString();
  }

  private static HttpResponse json(String body) {
    return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, body);
  }

  private static HttpResponse json(byte[] body) {
    return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, body);
  }

  private static HttpResponse badRequest(String message) {
    return HttpResponse.of(HttpStatus.BAD_REQUEST, MediaType.PLAIN_TEXT_UTF_8, message);
  }
}
