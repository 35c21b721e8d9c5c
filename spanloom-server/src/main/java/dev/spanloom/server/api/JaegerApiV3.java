package dev.spanloom.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.spanloom.model.Span;
import dev.spanloom.model.Trace;
import dev.spanloom.otlp.OtlpJson;
import dev.spanloom.otlp.OtlpTranslator;
import dev.spanloom.receivers.jaeger.JaegerTranslator;
import dev.spanloom.storage.SpanName;
import dev.spanloom.storage.TraceReader;
import io.opentelemetry.proto.trace.v1.Status.StatusCode;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Jaeger's api_v3 over HTTP (its grpc-gateway): traces as OTLP JSON in the OTLP
 * specification's encoding — hex IDs, enums as numbers — under {@code {"result": …}};
 * errors as {@code {"error":{"httpCode","message"}}}, 404 when no trace matches.
 */
final class JaegerApiV3 {
  private static final int DEFAULT_NUM_TRACES = 20;

  private final TraceReader reader;

  JaegerApiV3(TraceReader reader) {
    this.reader = reader;
  }

  void mount(ServerBuilder sb) {
    JaegerApi.get(sb, "/api/v3/services", this::services);
    JaegerApi.get(sb, "/api/v3/operations", this::operations);
    JaegerApi.get(sb, "/api/v3/traces/{traceId}", ctx -> trace(ctx.pathParam("traceId")));
    JaegerApi.get(sb, "/api/v3/traces", this::findTraces);
  }

  private HttpResponse services(ServiceRequestContext ctx) {
    ObjectNode json = JaegerApi.JSON.createObjectNode();
    ArrayNode services = json.putArray("services");
    for (String s : reader.serviceNames()) {
      if (!s.isEmpty()) services.add(s);
    }
    return ok(json);
  }

  private HttpResponse operations(ServiceRequestContext ctx) {
    String service = ctx.queryParam("service");
    if (service == null || service.isEmpty()) return error(HttpStatus.BAD_REQUEST, "parameter 'service' is required");
    String kind = ctx.queryParam("span_kind");
    ObjectNode json = JaegerApi.JSON.createObjectNode();
    ArrayNode operations = json.putArray("operations");
    for (SpanName n : reader.spanNames(service)) {
      String kindName = JaegerTranslator.kindName(n.kind());
      if (kind != null && !kind.isEmpty() && !kind.equals(kindName)) continue;
      operations.addObject().put("name", n.name()).put("spanKind", kindName);
    }
    return ok(json);
  }

  private HttpResponse trace(String id) {
    Optional<Trace> trace;
    try {
      trace = reader.findTrace(JaegerApi.traceId("trace_id", id));
    } catch (IllegalArgumentException e) {
      return error(HttpStatus.BAD_REQUEST, e.getMessage());
    }
    return trace.isEmpty() ? error(HttpStatus.NOT_FOUND, "No traces found") : traces(List.of(trace.get()));
  }

  private HttpResponse findTraces(ServiceRequestContext ctx) {
    JaegerQuery query;
    try {
      query = query(ctx);
    } catch (IllegalArgumentException e) {
      return error(HttpStatus.BAD_REQUEST, e.getMessage());
    }
    List<Trace> found = NewestTraces.find(reader, query.scan(), query::matches, query.limit());
    return found.isEmpty() ? error(HttpStatus.NOT_FOUND, "No traces found") : traces(found);
  }

  private static JaegerQuery query(ServiceRequestContext ctx) {
    String service = param(ctx, "query.service_name");
    String operation = param(ctx, "query.operation_name");
    long min = time(ctx, "query.start_time_min");
    long max = time(ctx, "query.start_time_max");
    if (max < min) throw new IllegalArgumentException("query.start_time_max is before query.start_time_min");
    String minDuration = param(ctx, "query.duration_min");
    String maxDuration = param(ctx, "query.duration_max");
    String num = param(ctx, "query.num_traces");
    if (num.isEmpty()) num = param(ctx, "query.search_depth"); // its name in newer Jaeger
    int limit = DEFAULT_NUM_TRACES;
    if (!num.isEmpty()) {
      try {
        limit = Integer.parseInt(num);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("query.num_traces: \"" + num + "\" (expected: a positive integer)");
      }
      if (limit <= 0) throw new IllegalArgumentException("query.num_traces: " + limit + " (expected: a positive integer)");
    }
    String attributes = param(ctx, "query.attributes");
    Map<String, String> tags = attributes.isEmpty() ? Map.of() : JaegerApi.jsonTags("query.attributes", attributes);
    return new JaegerQuery(service, operation, tags, min, max,
        minDuration.isEmpty() ? 0 : GoDuration.parseNanos("query.duration_min", minDuration),
        maxDuration.isEmpty() ? 0 : GoDuration.parseNanos("query.duration_max", maxDuration), limit);
  }

  private static String param(ServiceRequestContext ctx, String name) {
    String v = ctx.queryParam(name);
    return v == null ? "" : v.trim();
  }

  private static long time(ServiceRequestContext ctx, String name) {
    String v = param(ctx, name);
    if (v.isEmpty()) throw new IllegalArgumentException(name + " is required (expected: RFC 3339 time such as 2024-01-02T15:04:05Z)");
    try {
      Instant t = Instant.parse(v);
      return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(name + ": \"" + v + "\" (expected: RFC 3339 time such as 2024-01-02T15:04:05Z)");
    }
  }

  private static HttpResponse traces(List<Trace> traces) {
    List<Span> spans = new ArrayList<>();
    for (Trace t : traces) spans.addAll(t.spans());
    TracesData data = TracesData.newBuilder().addAllResourceSpans(OtlpTranslator.encode(spans)).build();
    JsonNode result;
    try {
      result = JaegerApi.JSON.readTree(OtlpJson.print(data));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    toOtlpSpecEncoding(result);
    ObjectNode json = JaegerApi.JSON.createObjectNode();
    json.set("result", result);
    return ok(json);
  }

  /**
   * Protobuf's JSON mapping writes IDs in base64 and enums by name; the OTLP specification's JSON
   * encoding, which Jaeger answers in, wants hex IDs and enum numbers.
   */
  static void toOtlpSpecEncoding(JsonNode node) {
    if (node instanceof ArrayNode array) {
      array.forEach(JaegerApiV3::toOtlpSpecEncoding);
      return;
    }
    if (!(node instanceof ObjectNode obj)) return;
    for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      JsonNode v = e.getValue();
      if ((key.equals("traceId") || key.equals("spanId") || key.equals("parentSpanId")) && v.isTextual()) {
        e.setValue(JaegerApi.JSON.getNodeFactory().textNode(hex(Base64.getDecoder().decode(v.asText()))));
      } else if (key.equals("kind") && v.isTextual()) {
        e.setValue(JaegerApi.JSON.getNodeFactory().numberNode(
            io.opentelemetry.proto.trace.v1.Span.SpanKind.valueOf(v.asText()).getNumber()));
      } else if (key.equals("code") && v.isTextual() && v.asText().startsWith("STATUS_CODE_")) {
        e.setValue(JaegerApi.JSON.getNodeFactory().numberNode(StatusCode.valueOf(v.asText()).getNumber()));
      } else {
        toOtlpSpecEncoding(v);
      }
    }
  }

  private static String hex(byte[] bytes) {
    StringBuilder sb = new StringBuilder(bytes.length * 2);
    for (byte b : bytes) sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    return sb.toString();
  }

  private static HttpResponse ok(JsonNode json) {
    return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, json.toString());
  }

  private static HttpResponse error(HttpStatus status, String message) {
    ObjectNode json = JaegerApi.JSON.createObjectNode();
    json.putObject("error").put("httpCode", status.code()).put("message", message);
    return HttpResponse.of(status, MediaType.JSON_UTF_8, json.toString());
  }
}
