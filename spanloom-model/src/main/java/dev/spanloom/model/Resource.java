package dev.spanloom.model;

import static java.util.Objects.requireNonNull;

/** The entity producing spans (a service instance). Shared by all spans of one OTLP batch. */
public record Resource(Attributes attributes, int droppedAttributesCount, String schemaUrl) {
  public static final String SERVICE_NAME = "service.name";
  public static final Resource EMPTY = new Resource(Attributes.EMPTY, 0, "");

  public Resource {
    requireNonNull(attributes, "attributes");
    requireNonNull(schemaUrl, "schemaUrl");
  }

  public static Resource of(Attributes attributes) {
    return new Resource(attributes, 0, "");
  }

  /** The {@code service.name} attribute, or {@code ""} when the resource has none. */
  public String serviceName() {
    String s = attributes.getString(SERVICE_NAME);
    return s == null ? "" : s;
  }
}
