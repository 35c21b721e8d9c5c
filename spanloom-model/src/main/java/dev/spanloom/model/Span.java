package dev.spanloom.model;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Objects;

/**
 * One span in the OpenTelemetry data model: IDs as {@link TraceId}/{@link SpanId}, times in
 * epoch nanoseconds, typed attributes, events, links, status, resource and scope. Immutable;
 * built once through {@link #builder()}. Validation of untrusted input is the job of {@link
 * SpanValidator} at the edge, not of this class.
 */
public final class Span {
  private final TraceId traceId;
  private final SpanId spanId;
  private final SpanId parentSpanId; // null for a root span
  private final String traceState;
  private final int flags;
  private final String name;
  private final SpanKind kind;
  private final long startEpochNanos;
  private final long endEpochNanos;
  private final Attributes attributes;
  private final int droppedAttributesCount;
  private final List<Event> events;
  private final int droppedEventsCount;
  private final List<Link> links;
  private final int droppedLinksCount;
  private final Status status;
  private final Resource resource;
  private final InstrumentationScope scope;
  private int estimatedSize; // 0 until first asked; ingest queue, head block and samplers all ask

  private Span(Builder b) {
    this.traceId = requireNonNull(b.traceId, "traceId");
    this.spanId = requireNonNull(b.spanId, "spanId");
    this.parentSpanId = b.parentSpanId == null || !b.parentSpanId.isValid() ? null : b.parentSpanId;
    this.traceState = b.traceState;
    this.flags = b.flags;
    this.name = b.name;
    this.kind = b.kind;
    this.startEpochNanos = b.startEpochNanos;
    this.endEpochNanos = b.endEpochNanos;
    this.attributes = b.attributes;
    this.droppedAttributesCount = b.droppedAttributesCount;
    this.events = List.copyOf(b.events);
    this.droppedEventsCount = b.droppedEventsCount;
    this.links = List.copyOf(b.links);
    this.droppedLinksCount = b.droppedLinksCount;
    this.status = b.status;
    this.resource = b.resource;
    this.scope = b.scope;
  }

  public static Builder builder() {
    return new Builder();
  }

  public TraceId traceId() {
    return traceId;
  }

  public SpanId spanId() {
    return spanId;
  }

  /** The parent's ID, or null for a root span. */
  public SpanId parentSpanId() {
    return parentSpanId;
  }

  public boolean isRoot() {
    return parentSpanId == null;
  }

  /** The W3C {@code tracestate} header value as received; {@code ""} when none. */
  public String traceState() {
    return traceState;
  }

  /** OTLP span flags: W3C trace flags in bits 0-7, parent-is-remote in bits 8-9. */
  public int flags() {
    return flags;
  }

  public String name() {
    return name;
  }

  public SpanKind kind() {
    return kind;
  }

  public long startEpochNanos() {
    return startEpochNanos;
  }

  public long endEpochNanos() {
    return endEpochNanos;
  }

  public long durationNanos() {
    return endEpochNanos - startEpochNanos;
  }

  public Attributes attributes() {
    return attributes;
  }

  public int droppedAttributesCount() {
    return droppedAttributesCount;
  }

  public List<Event> events() {
    return events;
  }

  public int droppedEventsCount() {
    return droppedEventsCount;
  }

  public List<Link> links() {
    return links;
  }

  public int droppedLinksCount() {
    return droppedLinksCount;
  }

  public Status status() {
    return status;
  }

  public Resource resource() {
    return resource;
  }

  public InstrumentationScope scope() {
    return scope;
  }

  /** The resource's {@code service.name}, or {@code ""}. */
  public String serviceName() {
    return resource.serviceName();
  }

  public Builder toBuilder() {
    return new Builder()
        .traceId(traceId)
        .spanId(spanId)
        .parentSpanId(parentSpanId)
        .traceState(traceState)
        .flags(flags)
        .name(name)
        .kind(kind)
        .startEpochNanos(startEpochNanos)
        .endEpochNanos(endEpochNanos)
        .attributes(attributes)
        .droppedAttributesCount(droppedAttributesCount)
        .events(events)
        .droppedEventsCount(droppedEventsCount)
        .links(links)
        .droppedLinksCount(droppedLinksCount)
        .status(status)
        .resource(resource)
        .scope(scope);
  }

  /**
   * A rough count of the heap this span holds, used to bound queues and in-memory stores in
   * bytes. Shared resource and scope objects are not counted.
   */
  public int estimatedSizeBytes() {
    int cached = estimatedSize;
    if (cached != 0) return cached;
    int size = 160 + 2 * name.length() + 2 * traceState.length() + attributesSize(attributes);
    for (Event e : events) size += 48 + 2 * e.name().length() + attributesSize(e.attributes());
    for (Link l : links) size += 80 + attributesSize(l.attributes());
    return estimatedSize = size + 2 * status.message().length();
  }

  private static int attributesSize(Attributes a) {
    int size = 32;
    for (int i = 0; i < a.size(); i++) {
      size += 48 + 2 * a.key(i).length();
      if (a.value(i) instanceof AttributeValue.StringValue s) size += 2 * s.value().length();
      else size += 16;
    }
    return size;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    if (!(o instanceof Span s)) return false;
    return flags == s.flags
        && startEpochNanos == s.startEpochNanos
        && endEpochNanos == s.endEpochNanos
        && droppedAttributesCount == s.droppedAttributesCount
        && droppedEventsCount == s.droppedEventsCount
        && droppedLinksCount == s.droppedLinksCount
        && traceId.equals(s.traceId)
        && spanId.equals(s.spanId)
        && Objects.equals(parentSpanId, s.parentSpanId)
        && traceState.equals(s.traceState)
        && name.equals(s.name)
        && kind == s.kind
        && attributes.equals(s.attributes)
        && events.equals(s.events)
        && links.equals(s.links)
        && status.equals(s.status)
        && resource.equals(s.resource)
        && scope.equals(s.scope);
  }

  @Override
  public int hashCode() {
    return Objects.hash(traceId, spanId, startEpochNanos, name);
  }

  @Override
  public String toString() {
    return "Span{traceId=" + traceId + ", spanId=" + spanId
        + (parentSpanId == null ? "" : ", parentSpanId=" + parentSpanId)
        + ", name=" + name + ", kind=" + kind + ", service=" + serviceName()
        + ", start=" + startEpochNanos + ", end=" + endEpochNanos + ", status=" + status.code()
        + ", attributes=" + attributes + "}";
  }

  /** Builds a {@link Span}; every field but the IDs has an empty default. */
  public static final class Builder {
    private TraceId traceId;
    private SpanId spanId;
    private SpanId parentSpanId;
    private String traceState = "";
    private int flags;
    private String name = "";
    private SpanKind kind = SpanKind.UNSPECIFIED;
    private long startEpochNanos;
    private long endEpochNanos;
    private Attributes attributes = Attributes.EMPTY;
    private int droppedAttributesCount;
    private List<Event> events = List.of();
    private int droppedEventsCount;
    private List<Link> links = List.of();
    private int droppedLinksCount;
    private Status status = Status.UNSET;
    private Resource resource = Resource.EMPTY;
    private InstrumentationScope scope = InstrumentationScope.EMPTY;

    private Builder() {}

    public Builder traceId(TraceId traceId) {
      this.traceId = requireNonNull(traceId, "traceId");
      return this;
    }

    public Builder spanId(SpanId spanId) {
      this.spanId = requireNonNull(spanId, "spanId");
      return this;
    }

    /** Null or {@link SpanId#INVALID} makes a root span. */
    public Builder parentSpanId(SpanId parentSpanId) {
      this.parentSpanId = parentSpanId;
      return this;
    }

    public Builder traceState(String traceState) {
      this.traceState = requireNonNull(traceState, "traceState");
      return this;
    }

    public Builder flags(int flags) {
      this.flags = flags;
      return this;
    }

    public Builder name(String name) {
      this.name = requireNonNull(name, "name");
      return this;
    }

    public Builder kind(SpanKind kind) {
      this.kind = requireNonNull(kind, "kind");
      return this;
    }

    public Builder startEpochNanos(long startEpochNanos) {
      this.startEpochNanos = startEpochNanos;
      return this;
    }

    public Builder endEpochNanos(long endEpochNanos) {
      this.endEpochNanos = endEpochNanos;
      return this;
    }

    public Builder attributes(Attributes attributes) {
      this.attributes = requireNonNull(attributes, "attributes");
      return this;
    }

    public Builder droppedAttributesCount(int count) {
      this.droppedAttributesCount = count;
      return this;
    }

    public Builder events(List<Event> events) {
      this.events = requireNonNull(events, "events");
      return this;
    }

    public Builder droppedEventsCount(int count) {
      this.droppedEventsCount = count;
      return this;
    }

    public Builder links(List<Link> links) {
      this.links = requireNonNull(links, "links");
      return this;
    }

    public Builder droppedLinksCount(int count) {
      this.droppedLinksCount = count;
      return this;
    }

    public Builder status(Status status) {
      this.status = requireNonNull(status, "status");
      return this;
    }

    public Builder resource(Resource resource) {
      this.resource = requireNonNull(resource, "resource");
      return this;
    }

    public Builder scope(InstrumentationScope scope) {
      this.scope = requireNonNull(scope, "scope");
      return this;
    }

    public Span build() {
      return new Span(this);
    }
  }
}
