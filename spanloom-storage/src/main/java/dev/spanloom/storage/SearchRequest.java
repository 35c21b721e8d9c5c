package dev.spanloom.storage;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A search over stored spans. A trace matches when one of its spans satisfies every condition
 * given: service (resource {@code service.name}), span name, each attribute (span attributes,
 * then resource attributes, compared by {@code AttributeValue.asString()}), the span's duration
 * bounds; and the trace overlaps {@code [startEpochNanos, endEpochNanos]}. Zero means unset for
 * every number.
 */
public record SearchRequest(
    String serviceName,
    String spanName,
    Map<String, String> attributes,
    long minDurationNanos,
    long maxDurationNanos,
    long startEpochNanos,
    long endEpochNanos,
    int limit) {
  public static final int DEFAULT_LIMIT = 20;

  public SearchRequest {
    requireNonNull(serviceName, "serviceName");
    requireNonNull(spanName, "spanName");
    attributes = Map.copyOf(attributes);
    if (limit <= 0) throw new IllegalArgumentException("limit: " + limit + " (expected: > 0)");
    if (minDurationNanos < 0 || maxDurationNanos < 0) {
      throw new IllegalArgumentException("durations must be >= 0");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder {
    private String serviceName = "";
    private String spanName = "";
    private final Map<String, String> attributes = new LinkedHashMap<>();
    private long minDurationNanos;
    private long maxDurationNanos;
    private long startEpochNanos;
    private long endEpochNanos;
    private int limit = DEFAULT_LIMIT;

    private Builder() {}

    public Builder serviceName(String serviceName) {
      this.serviceName = requireNonNull(serviceName, "serviceName");
      return this;
    }

    public Builder spanName(String spanName) {
      this.spanName = requireNonNull(spanName, "spanName");
      return this;
    }

    public Builder attribute(String key, String value) {
      attributes.put(requireNonNull(key, "key"), requireNonNull(value, "value"));
      return this;
    }

    public Builder minDurationNanos(long nanos) {
      this.minDurationNanos = nanos;
      return this;
    }

    public Builder maxDurationNanos(long nanos) {
      this.maxDurationNanos = nanos;
      return this;
    }

    /** Only traces that end at or after this time. */
    public Builder startEpochNanos(long nanos) {
      this.startEpochNanos = nanos;
      return this;
    }

    /** Only traces that start at or before this time. */
    public Builder endEpochNanos(long nanos) {
      this.endEpochNanos = nanos;
      return this;
    }

    public Builder limit(int limit) {
      this.limit = limit;
      return this;
    }

    public SearchRequest build() {
      return new SearchRequest(serviceName, spanName, attributes, minDurationNanos,
          maxDurationNanos, startEpochNanos, endEpochNanos, limit);
    }
  }
}
