package dev.spanloom.model;

import static java.util.Objects.requireNonNull;

/** The library that recorded a span. Shared by all spans of one OTLP scope batch. */
public record InstrumentationScope(
    String name, String version, Attributes attributes, int droppedAttributesCount, String schemaUrl) {
  public static final InstrumentationScope EMPTY =
      new InstrumentationScope("", "", Attributes.EMPTY, 0, "");

  public InstrumentationScope {
    requireNonNull(name, "name");
    requireNonNull(version, "version");
    requireNonNull(attributes, "attributes");
    requireNonNull(schemaUrl, "schemaUrl");
  }

  public static InstrumentationScope of(String name, String version) {
    return new InstrumentationScope(name, version, Attributes.EMPTY, 0, "");
  }
}
