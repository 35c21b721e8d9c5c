package dev.spanloom.receivers.zipkin;

import static dev.spanloom.receivers.OtelTagNames.SPAN_KIND;
import static dev.spanloom.receivers.OtelTagNames.ERROR;
import static dev.spanloom.receivers.OtelTagNames.STATUS_CODE;
import static dev.spanloom.receivers.OtelTagNames.STATUS_DESCRIPTION;
import static dev.spanloom.receivers.OtelTagNames.SCOPE_NAME;
import static dev.spanloom.receivers.OtelTagNames.SCOPE_VERSION;
import static dev.spanloom.receivers.OtelTagNames.LIBRARY_NAME;
import static dev.spanloom.receivers.OtelTagNames.LIBRARY_VERSION;
import static dev.spanloom.receivers.OtelTagNames.TRACE_STATE;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Attributes;
import dev.spanloom.model.Event;
import dev.spanloom.model.InstrumentationScope;
import dev.spanloom.model.Resource;
import dev.spanloom.model.Span;
import dev.spanloom.model.SpanId;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.Status;
import dev.spanloom.model.StatusCode;
import dev.spanloom.model.TraceId;
import dev.spanloom.otlp.OtlpTranslator;
import dev.spanloom.receivers.ValidatedSpans;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import zipkin2.Annotation;
import zipkin2.Endpoint;

/**
 * The one mapping between Zipkin v2 spans and the span model, both ways, following the
 * OpenTelemetry Collector's zipkinv2 translators so that a span read back is the span sent:
 *
 * <ul>
 *   <li>{@code localEndpoint.serviceName} is the resource's {@code service.name}; tags named like
 *       resource conventions ({@code host.*}, {@code telemetry.sdk.*}, …) go to the resource;
 *       {@code otel.scope.name}/{@code otel.library.name} (and versions) to the scope;
 *   <li>{@code kind} maps one to one; no kind is {@link SpanKind#UNSPECIFIED}, or
 *       {@link SpanKind#INTERNAL} with the tag {@code span.kind=internal};
 *   <li>{@code otel.status_code}/{@code otel.status_description} and the {@code error} tag make
 *       the status; any {@code error} value but {@code false} is an error, its value the message;
 *   <li>the endpoints' IPs and ports become {@code net.host.ip}/{@code net.host.port} and
 *       {@code net.peer.ip}/{@code net.peer.port}, the remote service {@code peer.service};
 *   <li>annotations are events; the Collector's {@code name|{json attributes}|dropped} value form
 *       carries event attributes;
 *   <li>{@code w3c.tracestate} is the trace state; other tags are string attributes.
 * </ul>
 *
 * Links, dropped counts and flags have no Zipkin field and are not carried. Zipkin lowercases
 * span and service names; the model keeps what it was sent.
 */
public final class ZipkinTranslator {
  static final String PEER_SERVICE = "peer.service";
  static final String NET_HOST_IP = "net.host.ip";
  static final String NET_HOST_PORT = "net.host.port";
  static final String NET_PEER_IP = "net.peer.ip";
  static final String NET_PEER_PORT = "net.peer.port";

  // Tags under these prefixes describe the process, not the span: the Collector moves the
  // resource semantic conventions to the resource, and the encoder writes resource attributes as tags.
  private static final String[] RESOURCE_PREFIXES = {
    "service.", "telemetry.sdk.", "telemetry.auto.", "telemetry.distro.", "host.", "os.", "process.",
    "container.", "k8s.", "cloud.", "deployment.", "faas.", "device.", "webengine."
  };
  private static final ObjectMapper JSON = new ObjectMapper();

  private ZipkinTranslator() {}

  /** Maps and validates Zipkin spans; a span the model cannot hold is counted, never thrown. */
  public static OtlpTranslator.Decoded decode(List<zipkin2.Span> spans) {
    ValidatedSpans out = new ValidatedSpans(spans.size());
    // Spans of one process share one Resource and scope object, as an OTLP batch does.
    Map<Object, Resource> resources = new HashMap<>();
    Map<List<String>, InstrumentationScope> scopes = new HashMap<>();
    for (zipkin2.Span z : spans) {
      Span span;
      try {
        span = toSpan(z, resources, scopes);
      } catch (IllegalArgumentException e) { // an ID the model cannot hold
        out.reject(z.name() == null ? "" : z.name(), e.getMessage());
        continue;
      }
      out.add(span);
    }
    return out.build();
  }

  static Span toSpan(zipkin2.Span z, Map<Object, Resource> resources, Map<List<String>, InstrumentationScope> scopes) {
    Map<String, String> tags = new LinkedHashMap<>(z.tags());
    Span.Builder b = Span.builder()
        .traceId(TraceId.fromHex(z.traceId()))
        .spanId(SpanId.fromHex(z.id()))
        .name(z.name() == null ? "" : z.name())
        .startEpochNanos(z.timestampAsLong() * 1000)
        .endEpochNanos((z.timestampAsLong() + z.durationAsLong()) * 1000);
    if (z.parentId() != null && !z.parentId().equals(z.id())) b.parentSpanId(SpanId.fromHex(z.parentId()));

    b.kind(kind(z.kind(), tags));
    b.status(status(tags));
    String traceState = tags.remove(TRACE_STATE);
    if (traceState != null) b.traceState(traceState);

    b.resource(resource(z.localServiceName(), tags, resources));
    b.scope(scope(tags, scopes));

    Attributes.Builder attributes = Attributes.builder();
    tags.forEach(attributes::put);
    Endpoint local = z.localEndpoint();
    if (local != null) {
      String ip = local.ipv6() != null ? local.ipv6() : local.ipv4();
      if (ip != null) attributes.put(NET_HOST_IP, ip);
      if (local.portAsInt() > 0) attributes.put(NET_HOST_PORT, (long) local.portAsInt());
    }
    Endpoint remote = z.remoteEndpoint();
    if (remote != null) {
      if (remote.serviceName() != null) attributes.put(PEER_SERVICE, remote.serviceName());
      String ip = remote.ipv6() != null ? remote.ipv6() : remote.ipv4();
      if (ip != null) attributes.put(NET_PEER_IP, ip);
      if (remote.portAsInt() > 0) attributes.put(NET_PEER_PORT, (long) remote.portAsInt());
    }
    b.attributes(attributes.build());

    if (!z.annotations().isEmpty()) {
      List<Event> events = new ArrayList<>(z.annotations().size());
      for (Annotation a : z.annotations()) events.add(event(a));
      b.events(events);
    }
    return b.build();
  }

  private static SpanKind kind(zipkin2.Span.Kind kind, Map<String, String> tags) {
    if (kind == null) {
      String tag = tags.get(SPAN_KIND);
      if ("internal".equals(tag)) {
        tags.remove(SPAN_KIND);
        return SpanKind.INTERNAL;
      }
      return SpanKind.UNSPECIFIED;
    }
    switch (kind) {
      case CLIENT: return SpanKind.CLIENT;
      case SERVER: return SpanKind.SERVER;
      case PRODUCER: return SpanKind.PRODUCER;
      default: return SpanKind.CONSUMER;
    }
  }

  private static Status status(Map<String, String> tags) {
    StatusCode code = StatusCode.UNSET;
    String codeTag = tags.remove(STATUS_CODE);
    if (codeTag != null) {
      switch (codeTag.toUpperCase(Locale.ROOT)) {
        case "OK": case "STATUS_CODE_OK": code = StatusCode.OK; break;
        case "ERROR": case "STATUS_CODE_ERROR": code = StatusCode.ERROR; break;
        default: break;
      }
    }
    String message = tags.remove(STATUS_DESCRIPTION);
    // Zipkin counts a span with any "error" tag as failed; brave puts the exception there.
    String error = tags.get(ERROR);
    if (error != null && !error.equals("false")) {
      tags.remove(ERROR);
      code = StatusCode.ERROR;
      if (message == null && !error.isEmpty() && !error.equals("true")) message = error;
    }
    return Status.of(code, message == null ? "" : message);
  }

  private static Resource resource(String serviceName, Map<String, String> tags, Map<Object, Resource> cache) {
    Attributes.Builder b = Attributes.builder();
    if (serviceName != null) b.put(Resource.SERVICE_NAME, serviceName);
    for (Iterator<Map.Entry<String, String>> it = tags.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, String> tag = it.next();
      if (isResourceKey(tag.getKey())) {
        b.put(tag.getKey(), tag.getValue());
        it.remove();
      }
    }
    Attributes attributes = b.build();
    return cache.computeIfAbsent(attributes, a -> attributes.isEmpty() ? Resource.EMPTY : Resource.of(attributes));
  }

  private static boolean isResourceKey(String key) {
    for (String prefix : RESOURCE_PREFIXES) {
      if (key.startsWith(prefix)) return true;
    }
    return false;
  }

  private static InstrumentationScope scope(Map<String, String> tags, Map<List<String>, InstrumentationScope> cache) {
    String name = firstOf(tags.remove(SCOPE_NAME), tags.remove(LIBRARY_NAME));
    String version = firstOf(tags.remove(SCOPE_VERSION), tags.remove(LIBRARY_VERSION));
    if (name.isEmpty() && version.isEmpty()) return InstrumentationScope.EMPTY;
    return cache.computeIfAbsent(List.of(name, version), k -> InstrumentationScope.of(name, version));
  }

  private static String firstOf(String a, String b) {
    return a != null ? a : b != null ? b : "";
  }

  // The Collector writes an event with attributes as "name|{json}|droppedCount".
  private static Event event(Annotation a) {
    long nanos = a.timestamp() * 1000;
    String value = a.value();
    int first = value.indexOf('|');
    int last = value.lastIndexOf('|');
    if (first > 0 && last > first) {
      String json = value.substring(first + 1, last);
      String dropped = value.substring(last + 1);
      if (json.startsWith("{") && !dropped.isEmpty() && dropped.chars().allMatch(Character::isDigit)) {
        try {
          JsonNode node = JSON.readTree(json);
          if (node instanceof ObjectNode obj) {
            return new Event(value.substring(0, first), nanos, jsonAttributes(obj),
                (int) Math.min(Integer.MAX_VALUE, Long.parseLong(dropped)));
          }
        } catch (JsonProcessingException | NumberFormatException e) {
          // Not the Collector's form after all: the whole value is the event's name.
        }
      }
    }
    return Event.of(value, nanos, Attributes.EMPTY);
  }

  private static Attributes jsonAttributes(ObjectNode obj) {
    Attributes.Builder b = Attributes.builder();
    obj.fields().forEachRemaining(e -> {
      JsonNode v = e.getValue();
      if (v.isTextual()) b.put(e.getKey(), v.asText());
      else if (v.isBoolean()) b.put(e.getKey(), v.asBoolean());
      else if (v.isIntegralNumber()) b.put(e.getKey(), v.asLong());
      else if (v.isNumber()) b.put(e.getKey(), v.asDouble());
      else b.put(e.getKey(), v.toString());
    });
    return b.build();
  }

  /**
   * The Zipkin view of a span. {@code shared} marks a server span that reuses its client's span
   * ID (Zipkin's B3 single-host join), which the model cannot tell by itself.
   */
  public static zipkin2.Span toZipkin(Span span, boolean shared) {
    zipkin2.Span.Builder b = zipkin2.Span.newBuilder()
        .traceId(span.traceId().high(), span.traceId().low())
        .id(span.spanId().value())
        .name(span.name())
        .timestamp(span.startEpochNanos() / 1000);
    if (span.parentSpanId() != null) b.parentId(span.parentSpanId().value());
    long nanos = span.durationNanos();
    if (nanos > 0) b.duration(Math.max(1, nanos / 1000)); // Zipkin's rule: a span that took time lasts at least 1µs
    if (shared) b.shared(true);

    Map<String, String> tags = new LinkedHashMap<>();
    span.resource().attributes().forEach((k, v) -> {
      if (!k.equals(Resource.SERVICE_NAME)) tags.put(k, tagValue(v));
    });
    if (!span.scope().name().isEmpty()) tags.put(SCOPE_NAME, span.scope().name());
    if (!span.scope().version().isEmpty()) tags.put(SCOPE_VERSION, span.scope().version());
    span.attributes().forEach((k, v) -> tags.put(k, tagValue(v)));
    if (!span.traceState().isEmpty()) tags.put(TRACE_STATE, span.traceState());

    switch (span.kind()) {
      case CLIENT: b.kind(zipkin2.Span.Kind.CLIENT); break;
      case SERVER: b.kind(zipkin2.Span.Kind.SERVER); break;
      case PRODUCER: b.kind(zipkin2.Span.Kind.PRODUCER); break;
      case CONSUMER: b.kind(zipkin2.Span.Kind.CONSUMER); break;
      case INTERNAL: tags.put(SPAN_KIND, "internal"); break;
      default: break;
    }

    Endpoint.Builder local = Endpoint.newBuilder().serviceName(span.serviceName());
    String hostIp = tags.remove(NET_HOST_IP);
    if (hostIp != null) local.ip(hostIp);
    local.port(port(tags.remove(NET_HOST_PORT)));
    Endpoint localEndpoint = local.build();
    if (!localEndpoint.equals(Endpoint.newBuilder().build())) b.localEndpoint(localEndpoint);

    Endpoint.Builder remote = Endpoint.newBuilder();
    String peerService = tags.remove(PEER_SERVICE);
    if (peerService != null) remote.serviceName(peerService);
    String peerIp = tags.remove(NET_PEER_IP);
    if (peerIp != null) remote.ip(peerIp);
    remote.port(port(tags.remove(NET_PEER_PORT)));
    Endpoint remoteEndpoint = remote.build();
    if (!remoteEndpoint.equals(Endpoint.newBuilder().build())) b.remoteEndpoint(remoteEndpoint);

    // Status as the OpenTelemetry Zipkin exporters write it: the code by name, "error" holding the message.
    tags.remove(ERROR);
    if (span.status().code() != StatusCode.UNSET) tags.put(STATUS_CODE, span.status().code().name());
    if (span.status().code() == StatusCode.ERROR) tags.put(ERROR, span.status().message());
    else if (!span.status().message().isEmpty()) tags.put(STATUS_DESCRIPTION, span.status().message());
    tags.forEach(b::putTag);

    for (Event e : span.events()) b.addAnnotation(e.epochNanos() / 1000, annotationValue(e));
    return b.build();
  }

  private static String annotationValue(Event e) {
    if (e.attributes().isEmpty() && e.droppedAttributesCount() == 0) return e.name();
    ObjectNode json = JSON.createObjectNode();
    e.attributes().forEach((k, v) -> {
      if (v instanceof AttributeValue.BoolValue bool) json.put(k, bool.value());
      else if (v instanceof AttributeValue.LongValue l) json.put(k, l.value());
      else if (v instanceof AttributeValue.DoubleValue d) json.put(k, d.value());
      else json.put(k, v.asString());
    });
    return e.name() + "|" + json + "|" + e.droppedAttributesCount();
  }

  /** A tag's text: arrays as JSON lists, as the OpenTelemetry specification asks of non-OTLP formats. */
  static String tagValue(AttributeValue v) {
    if (v instanceof AttributeValue.ArrayValue array) {
      com.fasterxml.jackson.databind.node.ArrayNode json = JSON.createArrayNode();
      for (AttributeValue e : array.values()) {
        if (e instanceof AttributeValue.BoolValue bool) json.add(bool.value());
        else if (e instanceof AttributeValue.LongValue l) json.add(l.value());
        else if (e instanceof AttributeValue.DoubleValue d) json.add(d.value());
        else json.add(e.asString());
      }
      return json.toString();
    }
    return v.asString();
  }

  private static int port(String text) {
    if (text == null) return 0;
    try {
      int port = Integer.parseInt(text);
      return port > 0 && port <= 0xffff ? port : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
