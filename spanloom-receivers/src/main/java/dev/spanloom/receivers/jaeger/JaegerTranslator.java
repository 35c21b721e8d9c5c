package dev.spanloom.receivers.jaeger;

import static dev.spanloom.receivers.OtelTagNames.SPAN_KIND;
import static dev.spanloom.receivers.OtelTagNames.ERROR;
import static dev.spanloom.receivers.OtelTagNames.STATUS_CODE;
import static dev.spanloom.receivers.OtelTagNames.STATUS_DESCRIPTION;
import static dev.spanloom.receivers.OtelTagNames.SCOPE_NAME;
import static dev.spanloom.receivers.OtelTagNames.SCOPE_VERSION;
import static dev.spanloom.receivers.OtelTagNames.LIBRARY_NAME;
import static dev.spanloom.receivers.OtelTagNames.LIBRARY_VERSION;
import static dev.spanloom.receivers.OtelTagNames.TRACE_STATE;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Attributes;
import dev.spanloom.model.Event;
import dev.spanloom.model.InstrumentationScope;
import dev.spanloom.model.Link;
import dev.spanloom.model.Resource;
import dev.spanloom.model.Span;
import dev.spanloom.model.SpanId;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.Status;
import dev.spanloom.model.StatusCode;
import dev.spanloom.model.Trace;
import dev.spanloom.model.TraceId;
import dev.spanloom.otlp.OtlpTranslator;
import dev.spanloom.receivers.ValidatedSpans;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one mapping between Jaeger's span model and Spanloom's, both ways: thrift spans in (as
 * the OpenTelemetry Collector's jaeger receiver maps them) and the JSON that Jaeger's query
 * service answers out (as Jaeger renders OTLP spans), so that a span read back through the
 * Jaeger API is the span sent, and an OTLP span looks as it would in Jaeger.
 *
 * <ul>
 *   <li>the process is the resource: {@code serviceName} is {@code service.name}, its tags the
 *       other resource attributes;
 *   <li>the tag {@code span.kind} is the kind; {@code error=true}, {@code otel.status_code} and
 *       {@code otel.status_description} the status (else a 5xx {@code http.status_code}, or a
 *       4xx one on a client span, makes an error, as in the Collector);
 *       {@code otel.scope.name}/{@code otel.library.name} (and versions) the scope;
 *       {@code w3c.tracestate} the trace state; other tags keep their types;
 *   <li>{@code parentSpanId} (or the first same-trace {@code CHILD_OF} reference) is the parent;
 *       every other reference is a link carrying {@code opentracing.ref_type};
 *   <li>logs are events, named by their {@code event} field;
 *   <li>the sampled flag is the W3C sampled flag; times are microseconds.
 * </ul>
 */
public final class JaegerTranslator {
  static final String REF_TYPE = "opentracing.ref_type";
  static final String EVENT = "event";
  static final String HTTP_STATUS_CODE = "http.status_code";
  static final String HTTP_STATUS_MESSAGE = "http.status_message";

  static final ObjectMapper JSON = new ObjectMapper();

  private JaegerTranslator() {}

  record ThriftTag(String key, AttributeValue value) {}

  record ThriftLog(long timestampMicros, List<ThriftTag> fields) {}

  record Reference(boolean followsFrom, long traceIdHigh, long traceIdLow, long spanId) {}

  record ThriftSpan(long traceIdLow, long traceIdHigh, long spanId, long parentSpanId, String operationName,
      List<Reference> references, int flags, long startMicros, long durationMicros, List<ThriftTag> tags,
      List<ThriftLog> logs) {}

  // -- thrift → model ------------------------------------------------------------------------

  static OtlpTranslator.Decoded decode(String serviceName, List<ThriftTag> processTags, List<ThriftSpan> spans) {
    Attributes.Builder r = Attributes.builder().put(Resource.SERVICE_NAME, serviceName);
    for (ThriftTag t : processTags) r.put(t.key(), t.value());
    Resource resource = Resource.of(r.build());
    Map<List<String>, InstrumentationScope> scopes = new LinkedHashMap<>();
    ValidatedSpans out = new ValidatedSpans(spans.size());
    for (ThriftSpan s : spans) out.add(toSpan(s, resource, scopes));
    return out.build();
  }

  private static Span toSpan(ThriftSpan s, Resource resource, Map<List<String>, InstrumentationScope> scopes) {
    TraceId traceId = new TraceId(s.traceIdHigh(), s.traceIdLow());
    Map<String, AttributeValue> tags = new LinkedHashMap<>();
    for (ThriftTag t : s.tags()) tags.put(t.key(), t.value());

    long parent = s.parentSpanId();
    if (parent == 0) {
      for (Reference ref : s.references()) {
        if (!ref.followsFrom() && ref.traceIdHigh() == traceId.high() && ref.traceIdLow() == traceId.low()) {
          parent = ref.spanId();
          break;
        }
      }
    }
    List<Link> links = new ArrayList<>();
    for (Reference ref : s.references()) {
      boolean isParent = !ref.followsFrom() && ref.spanId() == parent
          && ref.traceIdHigh() == traceId.high() && ref.traceIdLow() == traceId.low();
      if (isParent) continue;
      links.add(Link.of(new TraceId(ref.traceIdHigh(), ref.traceIdLow()), new SpanId(ref.spanId()),
          Attributes.of(REF_TYPE, AttributeValue.of(ref.followsFrom() ? "follows_from" : "child_of"))));
    }

    SpanKind kind = kind(tags.remove(SPAN_KIND));
    Span.Builder b = Span.builder()
        .traceId(traceId)
        .spanId(new SpanId(s.spanId()))
        .parentSpanId(parent == 0 ? null : new SpanId(parent))
        .flags(s.flags() & 1)
        .name(s.operationName())
        .kind(kind)
        .startEpochNanos(s.startMicros() * 1000)
        .endEpochNanos((s.startMicros() + s.durationMicros()) * 1000)
        .status(status(tags, kind))
        .resource(resource)
        .links(links);
    AttributeValue traceState = tags.remove(TRACE_STATE);
    if (traceState != null) b.traceState(traceState.asString());
    b.scope(scope(tags, scopes));
    Attributes.Builder attributes = Attributes.builder();
    tags.forEach(attributes::put);
    b.attributes(attributes.build());

    if (!s.logs().isEmpty()) {
      List<Event> events = new ArrayList<>(s.logs().size());
      for (ThriftLog log : s.logs()) {
        String name = "";
        Attributes.Builder fields = Attributes.builder();
        for (ThriftTag f : log.fields()) {
          if (f.key().equals(EVENT) && name.isEmpty() && f.value() instanceof AttributeValue.StringValue v) name = v.value();
          else fields.put(f.key(), f.value());
        }
        events.add(Event.of(name, log.timestampMicros() * 1000, fields.build()));
      }
      b.events(events);
    }
    return b.build();
  }

  private static SpanKind kind(AttributeValue tag) {
    if (tag == null) return SpanKind.UNSPECIFIED;
    switch (tag.asString().toLowerCase(Locale.ROOT)) {
      case "client": return SpanKind.CLIENT;
      case "server": return SpanKind.SERVER;
      case "producer": return SpanKind.PRODUCER;
      case "consumer": return SpanKind.CONSUMER;
      case "internal": return SpanKind.INTERNAL;
      default: return SpanKind.UNSPECIFIED;
    }
  }

  // The Collector's order of evidence: error=true, then otel.status_code, then the HTTP status.
  private static Status status(Map<String, AttributeValue> tags, SpanKind kind) {
    AttributeValue error = tags.get(ERROR);
    if (error != null && error.asString().equalsIgnoreCase("true")) {
      tags.remove(ERROR);
      tags.remove(STATUS_CODE);
      AttributeValue description = tags.remove(STATUS_DESCRIPTION);
      if (description == null) description = tags.get(HTTP_STATUS_MESSAGE);
      return Status.of(StatusCode.ERROR, description == null ? "" : description.asString());
    }
    AttributeValue code = tags.remove(STATUS_CODE);
    if (code != null) {
      AttributeValue description = tags.remove(STATUS_DESCRIPTION);
      String message = description == null ? "" : description.asString();
      switch (code.asString().toUpperCase(Locale.ROOT)) {
        case "OK": return Status.of(StatusCode.OK, message);
        case "ERROR": return Status.of(StatusCode.ERROR, message);
        default: return Status.of(StatusCode.UNSET, message);
      }
    }
    AttributeValue http = tags.get(HTTP_STATUS_CODE);
    if (http != null) {
      long status;
      try {
        status = Long.parseLong(http.asString());
      } catch (NumberFormatException e) {
        return Status.UNSET;
      }
      if (status >= 500 || (status >= 400 && kind == SpanKind.CLIENT)) {
        AttributeValue message = tags.get(HTTP_STATUS_MESSAGE);
        return Status.of(StatusCode.ERROR, message == null ? "" : message.asString());
      }
    }
    return Status.UNSET;
  }

  private static InstrumentationScope scope(Map<String, AttributeValue> tags, Map<List<String>, InstrumentationScope> cache) {
    String name = firstOf(tags.remove(SCOPE_NAME), tags.remove(LIBRARY_NAME));
    String version = firstOf(tags.remove(SCOPE_VERSION), tags.remove(LIBRARY_VERSION));
    if (name.isEmpty() && version.isEmpty()) return InstrumentationScope.EMPTY;
    return cache.computeIfAbsent(List.of(name, version), k -> InstrumentationScope.of(name, version));
  }

  private static String firstOf(AttributeValue a, AttributeValue b) {
    return a != null ? a.asString() : b != null ? b.asString() : "";
  }

  // -- model → Jaeger JSON ----------------------------------------------------------------------

  /** A trace ID as Jaeger prints it: 16 hex digits when the high half is zero, else 32. */
  public static String traceIdHex(TraceId id) {
    return id.high() == 0 ? id.toHex().substring(16) : id.toHex();
  }

  /**
   * A trace in the JSON of Jaeger's query API ({@code /api/traces}): spans with µs times, typed
   * tags, logs and references, and a {@code processes} map ({@code p1}, {@code p2}, … in order of
   * first use) that spans name by {@code processID}.
   */
  public static ObjectNode toJson(Trace trace) {
    ObjectNode json = JSON.createObjectNode();
    json.put("traceID", traceIdHex(trace.traceId()));
    ArrayNode spans = json.putArray("spans");
    Map<Resource, String> processIds = new LinkedHashMap<>();
    for (Span span : trace.spans()) {
      String processId = processIds.computeIfAbsent(span.resource(), r -> "p" + (processIds.size() + 1));
      spans.add(spanJson(span, processId));
    }
    ObjectNode processes = json.putObject("processes");
    processIds.forEach((resource, id) -> processes.set(id, processJson(resource)));
    json.putNull("warnings");
    return json;
  }

  static ObjectNode spanJson(Span span, String processId) {
    ObjectNode json = JSON.createObjectNode();
    json.put("traceID", traceIdHex(span.traceId()));
    json.put("spanID", span.spanId().toHex());
    json.put("operationName", span.name());
    ArrayNode refs = json.putArray("references");
    if (span.parentSpanId() != null) refs.add(reference("CHILD_OF", span.traceId(), span.parentSpanId()));
    for (Link link : span.links()) {
      String type = "child_of".equals(link.attributes().getString(REF_TYPE)) ? "CHILD_OF" : "FOLLOWS_FROM";
      refs.add(reference(type, link.traceId(), link.spanId()));
    }
    json.put("startTime", span.startEpochNanos() / 1000);
    json.put("duration", span.durationNanos() / 1000);
    ArrayNode tags = json.putArray("tags");
    for (Map.Entry<String, AttributeValue> tag : spanTags(span).entrySet()) tags.add(keyValue(tag.getKey(), tag.getValue()));
    ArrayNode logs = json.putArray("logs");
    for (Event e : span.events()) {
      ObjectNode log = logs.addObject();
      log.put("timestamp", e.epochNanos() / 1000);
      ArrayNode fields = log.putArray("fields");
      if (!e.name().isEmpty()) fields.add(keyValue(EVENT, AttributeValue.of(e.name())));
      e.attributes().forEach((k, v) -> fields.add(keyValue(k, v)));
    }
    json.put("processID", processId);
    json.putNull("warnings");
    json.put("flags", span.flags() & 1);
    return json;
  }

  /**
   * A span's Jaeger tags: scope, attributes, then what Jaeger derives from OTLP fields
   * ({@code span.kind}, {@code otel.status_code}, {@code error}, {@code otel.status_description},
   * {@code w3c.tracestate}). Searches match tags against this view.
   */
  public static Map<String, AttributeValue> spanTags(Span span) {
    Map<String, AttributeValue> tags = new LinkedHashMap<>();
    if (!span.scope().name().isEmpty()) tags.put(SCOPE_NAME, AttributeValue.of(span.scope().name()));
    if (!span.scope().version().isEmpty()) tags.put(SCOPE_VERSION, AttributeValue.of(span.scope().version()));
    span.attributes().forEach(tags::put);
    if (span.kind() != SpanKind.UNSPECIFIED) tags.put(SPAN_KIND, AttributeValue.of(kindName(span.kind())));
    switch (span.status().code()) {
      case OK -> tags.put(STATUS_CODE, AttributeValue.of("OK"));
      case ERROR -> {
        tags.put(STATUS_CODE, AttributeValue.of("ERROR"));
        tags.put(ERROR, AttributeValue.of(true));
      }
      default -> { }
    }
    if (!span.status().message().isEmpty()) tags.put(STATUS_DESCRIPTION, AttributeValue.of(span.status().message()));
    if (!span.traceState().isEmpty()) tags.put(TRACE_STATE, AttributeValue.of(span.traceState()));
    return tags;
  }

  /** Jaeger's name of a span kind ({@code server}, …); {@code ""} for unspecified. */
  public static String kindName(SpanKind kind) {
    return kind == SpanKind.UNSPECIFIED ? "" : kind.name().toLowerCase(Locale.ROOT);
  }

  /** A process: {@code service.name} and the resource's other attributes as tags. */
  static ObjectNode processJson(Resource resource) {
    ObjectNode json = JSON.createObjectNode();
    json.put("serviceName", resource.serviceName());
    ArrayNode tags = json.putArray("tags");
    resource.attributes().forEach((k, v) -> {
      if (!k.equals(Resource.SERVICE_NAME)) tags.add(keyValue(k, v));
    });
    return json;
  }

  private static ObjectNode reference(String type, TraceId traceId, SpanId spanId) {
    ObjectNode ref = JSON.createObjectNode();
    ref.put("refType", type);
    ref.put("traceID", traceIdHex(traceId));
    ref.put("spanID", spanId.toHex());
    return ref;
  }

  /** A typed Jaeger key-value: string, bool, int64, float64 or binary (base64); arrays and maps as JSON text. */
  static ObjectNode keyValue(String key, AttributeValue value) {
    ObjectNode kv = JSON.createObjectNode();
    kv.put("key", key);
    if (value instanceof AttributeValue.BoolValue v) {
      kv.put("type", "bool").put("value", v.value());
    } else if (value instanceof AttributeValue.LongValue v) {
      kv.put("type", "int64").put("value", v.value());
    } else if (value instanceof AttributeValue.DoubleValue v) {
      kv.put("type", "float64").put("value", v.value());
    } else if (value instanceof AttributeValue.BytesValue v) {
      kv.put("type", "binary").put("value", Base64.getEncoder().encodeToString(v.value()));
    } else {
      kv.put("type", "string").put("value", tagText(value));
    }
    return kv;
  }

  /** A value as a search compares it: strings bare, arrays and maps as JSON, others as written. */
  public static String tagText(AttributeValue value) {
    if (value instanceof AttributeValue.ArrayValue || value instanceof AttributeValue.KeyValueList) {
      return jsonValue(value).toString();
    }
    if (value instanceof AttributeValue.BytesValue v) return Base64.getEncoder().encodeToString(v.value());
    return value.asString();
  }

  private static com.fasterxml.jackson.databind.JsonNode jsonValue(AttributeValue value) {
    if (value instanceof AttributeValue.BoolValue v) return JSON.getNodeFactory().booleanNode(v.value());
    if (value instanceof AttributeValue.LongValue v) return JSON.getNodeFactory().numberNode(v.value());
    if (value instanceof AttributeValue.DoubleValue v) return JSON.getNodeFactory().numberNode(v.value());
    if (value instanceof AttributeValue.ArrayValue v) {
      ArrayNode array = JSON.createArrayNode();
      for (AttributeValue e : v.values()) array.add(jsonValue(e));
      return array;
    }
    if (value instanceof AttributeValue.KeyValueList v) {
      ObjectNode obj = JSON.createObjectNode();
      v.values().forEach((k, e) -> obj.set(k, jsonValue(e)));
      return obj;
    }
    return JSON.getNodeFactory().textNode(value.asString());
  }
}
