package dev.spanloom.otlp;

import com.google.protobuf.ByteString;
import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Attributes;
import dev.spanloom.model.Event;
import dev.spanloom.model.InstrumentationScope;
import dev.spanloom.model.Link;
import dev.spanloom.model.Resource;
import dev.spanloom.model.Span;
import dev.spanloom.model.SpanId;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.SpanValidator;
import dev.spanloom.model.Status;
import dev.spanloom.model.StatusCode;
import dev.spanloom.model.TraceId;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one mapping between OTLP trace messages and the span model, both ways. Decoding validates
 * every span ({@link SpanValidator} plus ID lengths) and reports the refused ones in OTLP's
 * partial-success terms; encoding groups spans back under their resource and scope.
 */
public final class OtlpTranslator {
  private OtlpTranslator() {}

  /** Spans decoded from one export request, and what was refused with the first reason. */
  public record Decoded(List<Span> spans, int rejected, String firstProblem) {
    /** The OTLP {@code partial_success.error_message}, or {@code ""} when nothing was refused. */
    public String errorMessage() {
      if (rejected == 0) return "";
      return rejected + " of " + (rejected + spans.size()) + " spans rejected; first: " + firstProblem;
    }
  }

  /** Decodes and validates every span of {@code request}; never throws on bad span content. */
  public static Decoded decode(ExportTraceServiceRequest request) {
    List<Span> spans = new ArrayList<>();
    int rejected = 0;
    String firstProblem = null;
    int index = 0;
    for (ResourceSpans rs : request.getResourceSpansList()) {
      Resource resource = toResource(rs);
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        InstrumentationScope scope = toScope(ss);
        for (io.opentelemetry.proto.trace.v1.Span s : ss.getSpansList()) {
          String problem = idProblem(s);
          Span span = null;
          if (problem == null) {
            span = toSpan(s, resource, scope);
            problem = SpanValidator.problem(span);
          }
          if (problem == null) {
            spans.add(span);
          } else {
            rejected++;
            if (firstProblem == null) firstProblem = "span " + index + " (name \"" + s.getName() + "\"): " + problem;
          }
          index++;
        }
      }
    }
    return new Decoded(spans, rejected, firstProblem == null ? "" : firstProblem);
  }

  private static String idProblem(io.opentelemetry.proto.trace.v1.Span s) {
    if (s.getTraceId().size() != 16) {
      return "trace_id: " + s.getTraceId().size() + " bytes (expected: 16)";
    }
    if (s.getSpanId().size() != 8) {
      return "span_id: " + s.getSpanId().size() + " bytes (expected: 8)";
    }
    int parent = s.getParentSpanId().size();
    if (parent != 0 && parent != 8) {
      return "parent_span_id: " + parent + " bytes (expected: 8, or empty for a root span)";
    }
    for (io.opentelemetry.proto.trace.v1.Span.Link l : s.getLinksList()) {
      if (l.getTraceId().size() != 16 || l.getSpanId().size() != 8) {
        return "links: trace_id/span_id of " + l.getTraceId().size() + "/" + l.getSpanId().size()
            + " bytes (expected: 16/8)";
      }
    }
    return null;
  }

  static Span toSpan(io.opentelemetry.proto.trace.v1.Span s, Resource resource, InstrumentationScope scope) {
    Span.Builder b = Span.builder()
        .traceId(traceId(s.getTraceId()))
        .spanId(spanId(s.getSpanId()))
        .parentSpanId(s.getParentSpanId().isEmpty() ? null : spanId(s.getParentSpanId()))
        .traceState(s.getTraceState())
        .flags(s.getFlags())
        .name(s.getName())
        .kind(SpanKind.fromNumber(s.getKindValue()))
        .startEpochNanos(s.getStartTimeUnixNano())
        .endEpochNanos(s.getEndTimeUnixNano())
        .attributes(toAttributes(s.getAttributesList()))
        .droppedAttributesCount(s.getDroppedAttributesCount())
        .droppedEventsCount(s.getDroppedEventsCount())
        .droppedLinksCount(s.getDroppedLinksCount())
        .status(Status.of(StatusCode.fromNumber(s.getStatus().getCodeValue()), s.getStatus().getMessage()))
        .resource(resource)
        .scope(scope);
    if (s.getEventsCount() > 0) {
      List<Event> events = new ArrayList<>(s.getEventsCount());
      for (io.opentelemetry.proto.trace.v1.Span.Event e : s.getEventsList()) {
        events.add(new Event(e.getName(), e.getTimeUnixNano(), toAttributes(e.getAttributesList()),
            e.getDroppedAttributesCount()));
      }
      b.events(events);
    }
    if (s.getLinksCount() > 0) {
      List<Link> links = new ArrayList<>(s.getLinksCount());
      for (io.opentelemetry.proto.trace.v1.Span.Link l : s.getLinksList()) {
        links.add(new Link(traceId(l.getTraceId()), spanId(l.getSpanId()), l.getTraceState(),
            toAttributes(l.getAttributesList()), l.getDroppedAttributesCount(), l.getFlags()));
      }
      b.links(links);
    }
    return b.build();
  }

  private static TraceId traceId(ByteString b) {
    return new TraceId(b.substring(0, 8).asReadOnlyByteBuffer().getLong(),
        b.substring(8, 16).asReadOnlyByteBuffer().getLong());
  }

  private static SpanId spanId(ByteString b) {
    return new SpanId(b.asReadOnlyByteBuffer().getLong());
  }

  private static Resource toResource(ResourceSpans rs) {
    if (!rs.hasResource() && rs.getSchemaUrl().isEmpty()) return Resource.EMPTY;
    return new Resource(toAttributes(rs.getResource().getAttributesList()),
        rs.getResource().getDroppedAttributesCount(), rs.getSchemaUrl());
  }

  private static InstrumentationScope toScope(ScopeSpans ss) {
    if (!ss.hasScope() && ss.getSchemaUrl().isEmpty()) return InstrumentationScope.EMPTY;
    io.opentelemetry.proto.common.v1.InstrumentationScope s = ss.getScope();
    return new InstrumentationScope(s.getName(), s.getVersion(), toAttributes(s.getAttributesList()),
        s.getDroppedAttributesCount(), ss.getSchemaUrl());
  }

  static Attributes toAttributes(List<KeyValue> kvs) {
    if (kvs.isEmpty()) return Attributes.EMPTY;
    Attributes.Builder b = Attributes.builder();
    for (KeyValue kv : kvs) b.put(kv.getKey(), toValue(kv.getValue()));
    return b.build();
  }

  static AttributeValue toValue(AnyValue v) {
    switch (v.getValueCase()) {
      case BOOL_VALUE: return AttributeValue.of(v.getBoolValue());
      case INT_VALUE: return AttributeValue.of(v.getIntValue());
      case DOUBLE_VALUE: return AttributeValue.of(v.getDoubleValue());
      case BYTES_VALUE: return new AttributeValue.BytesValue(v.getBytesValue().toByteArray());
      case ARRAY_VALUE: {
        List<AttributeValue> values = new ArrayList<>(v.getArrayValue().getValuesCount());
        for (AnyValue e : v.getArrayValue().getValuesList()) values.add(toValue(e));
        return new AttributeValue.ArrayValue(values);
      }
      case KVLIST_VALUE: return new AttributeValue.KeyValueList(toAttributes(v.getKvlistValue().getValuesList()));
      case STRING_VALUE: return AttributeValue.of(v.getStringValue());
      default:
        // An empty AnyValue (and the profiles-only string table index) reads as an empty string.
        return AttributeValue.of("");
    }
  }

  /** Groups spans under their resource and scope, in first-seen order, as OTLP carries them. */
  public static List<ResourceSpans> encode(List<Span> spans) {
    Map<Resource, Map<InstrumentationScope, ScopeSpans.Builder>> grouped = new LinkedHashMap<>();
    for (Span span : spans) {
      grouped.computeIfAbsent(span.resource(), k -> new LinkedHashMap<>())
          .computeIfAbsent(span.scope(), OtlpTranslator::scopeSpans)
          .addSpans(toProto(span));
    }
    List<ResourceSpans> out = new ArrayList<>(grouped.size());
    grouped.forEach((resource, scopes) -> {
      ResourceSpans.Builder rs = ResourceSpans.newBuilder()
          .setResource(io.opentelemetry.proto.resource.v1.Resource.newBuilder()
              .addAllAttributes(toKeyValues(resource.attributes()))
              .setDroppedAttributesCount(resource.droppedAttributesCount()))
          .setSchemaUrl(resource.schemaUrl());
      scopes.values().forEach(rs::addScopeSpans);
      out.add(rs.build());
    });
    return out;
  }

  private static ScopeSpans.Builder scopeSpans(InstrumentationScope scope) {
    return ScopeSpans.newBuilder()
        .setScope(io.opentelemetry.proto.common.v1.InstrumentationScope.newBuilder()
            .setName(scope.name())
            .setVersion(scope.version())
            .addAllAttributes(toKeyValues(scope.attributes()))
            .setDroppedAttributesCount(scope.droppedAttributesCount()))
        .setSchemaUrl(scope.schemaUrl());
  }

  public static io.opentelemetry.proto.trace.v1.Span toProto(Span span) {
    io.opentelemetry.proto.trace.v1.Span.Builder b = io.opentelemetry.proto.trace.v1.Span.newBuilder()
        .setTraceId(ByteString.copyFrom(span.traceId().toBytes()))
        .setSpanId(ByteString.copyFrom(span.spanId().toBytes()))
        .setTraceState(span.traceState())
        .setFlags(span.flags())
        .setName(span.name())
        .setKindValue(span.kind().number())
        .setStartTimeUnixNano(span.startEpochNanos())
        .setEndTimeUnixNano(span.endEpochNanos())
        .addAllAttributes(toKeyValues(span.attributes()))
        .setDroppedAttributesCount(span.droppedAttributesCount())
        .setDroppedEventsCount(span.droppedEventsCount())
        .setDroppedLinksCount(span.droppedLinksCount())
        .setStatus(io.opentelemetry.proto.trace.v1.Status.newBuilder()
            .setCodeValue(span.status().code().number())
            .setMessage(span.status().message()));
    if (span.parentSpanId() != null) b.setParentSpanId(ByteString.copyFrom(span.parentSpanId().toBytes()));
    for (Event e : span.events()) {
      b.addEvents(io.opentelemetry.proto.trace.v1.Span.Event.newBuilder()
          .setName(e.name())
          .setTimeUnixNano(e.epochNanos())
          .addAllAttributes(toKeyValues(e.attributes()))
          .setDroppedAttributesCount(e.droppedAttributesCount()));
    }
    for (Link l : span.links()) {
      b.addLinks(io.opentelemetry.proto.trace.v1.Span.Link.newBuilder()
          .setTraceId(ByteString.copyFrom(l.traceId().toBytes()))
          .setSpanId(ByteString.copyFrom(l.spanId().toBytes()))
          .setTraceState(l.traceState())
          .addAllAttributes(toKeyValues(l.attributes()))
          .setDroppedAttributesCount(l.droppedAttributesCount())
          .setFlags(l.flags()));
    }
    return b.build();
  }

  static List<KeyValue> toKeyValues(Attributes attributes) {
    List<KeyValue> out = new ArrayList<>(attributes.size());
    for (int i = 0; i < attributes.size(); i++) {
      out.add(KeyValue.newBuilder().setKey(attributes.key(i)).setValue(toAnyValue(attributes.value(i))).build());
    }
    return out;
  }

  static AnyValue toAnyValue(AttributeValue value) {
    AnyValue.Builder b = AnyValue.newBuilder();
    if (value instanceof AttributeValue.StringValue s) return b.setStringValue(s.value()).build();
    if (value instanceof AttributeValue.BoolValue v) return b.setBoolValue(v.value()).build();
    if (value instanceof AttributeValue.LongValue v) return b.setIntValue(v.value()).build();
    if (value instanceof AttributeValue.DoubleValue v) return b.setDoubleValue(v.value()).build();
    if (value instanceof AttributeValue.BytesValue v) return b.setBytesValue(ByteString.copyFrom(v.value())).build();
    if (value instanceof AttributeValue.ArrayValue v) {
      ArrayValue.Builder a = ArrayValue.newBuilder();
      for (AttributeValue e : v.values()) a.addValues(toAnyValue(e));
      return b.setArrayValue(a).build();
    }
    AttributeValue.KeyValueList kv = (AttributeValue.KeyValueList) value;
    return b.setKvlistValue(KeyValueList.newBuilder().addAllValues(toKeyValues(kv.values()))).build();
  }
}
