package dev.spanloom.server.api;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.spanloom.model.Trace;
import dev.spanloom.model.TraceId;
import dev.spanloom.otlp.OtlpJson;
import dev.spanloom.otlp.OtlpTranslator;
import dev.spanloom.storage.TraceReader;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.List;
import java.util.Optional;

/**
 * Grafana Tempo's query API, as far as Spanloom has it: trace by ID in the v1 shape
 * ({@code {"batches":[…]}}) and the v2 shape ({@code {"trace":{"resourceSpans":[…]}}}), and
 * {@code /api/echo}. JSON follows Tempo's (protobuf's JSON mapping, IDs in base64); with
 * {@code Accept: application/protobuf} v1 answers Tempo's protobuf {@code Trace}, which has
 * the wire layout of OTLP's {@code TracesData}.
 */
public final class TempoApi {
  private final TraceReader reader;
  private final TempoSearchApi search;

  public TempoApi(TraceReader reader) {
    this(reader, new TempoSearchApi(reader));
  }

  public TempoApi(TraceReader reader, TempoSearchApi search) {
    this.reader = reader;
    this.search = search;
  }

  public void mount(ServerBuilder sb) {
    sb.service("/api/echo", (ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, "echo"));
    sb.service("/api/traces/{traceId}", (ctx, req) -> blocking(ctx, () -> traceV1(ctx)));
    sb.service("/api/v2/traces/{traceId}", (ctx, req) -> blocking(ctx, () -> traceV2(ctx)));
    search.mount(sb); // /api/search, tags, tag values, buildinfo
  }

  /**
   * The routes of this API the web UI needs on the Jaeger query port, where Jaeger keeps
   * {@code /api/traces/{id}}: the v2 trace (OTLP-shaped JSON), search, tags and the TraceQL check.
   */
  public void mountUiRoutes(ServerBuilder sb) {
    sb.service("/api/v2/traces/{traceId}", (ctx, req) -> blocking(ctx, () -> traceV2(ctx)));
    search.mountSearchRoutes(sb);
  }

  // Storage reads may touch disk: keep them off the event loop.
  private static HttpResponse blocking(ServiceRequestContext ctx, java.util.function.Supplier<HttpResponse> work) {
    return HttpResponse.of(java.util.concurrent.CompletableFuture.supplyAsync(work, ctx.blockingTaskExecutor()));
  }

  private HttpResponse traceV1(ServiceRequestContext ctx) {
    Object found = find(ctx.pathParam("traceId"));
    if (found instanceof HttpResponse error) return error;
    List<ResourceSpans> batches = OtlpTranslator.encode(((Trace) found).spans());
    TracesData data = TracesData.newBuilder().addAllResourceSpans(batches).build();
    String accept = ctx.request().headers().get("accept", "");
    if (accept.contains("application/protobuf") || accept.contains("application/x-protobuf")) {
      return HttpResponse.of(HttpStatus.OK, MediaType.PROTOBUF, data.toByteArray());
    }
    // Tempo names the list "batches"; the elements are OTLP ResourceSpans.
    StringBuilder json = new StringBuilder("{\"batches\":[");
    for (int i = 0; i < batches.size(); i++) {
      if (i > 0) json.append(',');
      json.append(OtlpJson.print(batches.get(i)));
    }
    return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, json.append("]}").toString());
  }

  private HttpResponse traceV2(ServiceRequestContext ctx) {
    Object found = find(ctx.pathParam("traceId"));
    if (found instanceof HttpResponse error) return error;
    TracesData data = TracesData.newBuilder().addAllResourceSpans(OtlpTranslator.encode(((Trace) found).spans())).build();
    return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, "{\"trace\":" + OtlpJson.print(data) + "}");
  }

  /** The trace, or the error response for a malformed or unknown ID. */
  private Object find(String id) {
    TraceId traceId = parseTraceId(id);
    if (traceId == null) {
      return HttpResponse.of(HttpStatus.BAD_REQUEST, MediaType.PLAIN_TEXT_UTF_8,
          "invalid trace ID \"" + id + "\" (expected: 1 to 32 hex digits, not all zero)");
    }
    Optional<Trace> trace = reader.findTrace(traceId);
    if (trace.isEmpty()) {
      return HttpResponse.of(HttpStatus.NOT_FOUND, MediaType.PLAIN_TEXT_UTF_8, "trace not found: " + traceId);
    }
    return trace.get();
  }

  /** Tempo accepts IDs shorter than 32 hex digits and pads them on the left with zeros. */
  static TraceId parseTraceId(String id) {
    if (id.isEmpty() || id.length() > 32) return null;
    for (int i = 0; i < id.length(); i++) {
      if (Character.digit(id.charAt(i), 16) < 0) return null;
    }
    TraceId t = TraceId.fromHex("0".repeat(32 - id.length()) + id);
    return t.isValid() ? t : null;
  }
}
