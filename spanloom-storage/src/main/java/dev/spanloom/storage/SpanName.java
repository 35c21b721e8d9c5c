package dev.spanloom.storage;

import static java.util.Objects.requireNonNull;

import dev.spanloom.model.SpanKind;

/** A span name (Jaeger's "operation") as stored for a service, with the kind it was seen with. */
public record SpanName(String name, SpanKind kind) implements Comparable<SpanName> {
  public SpanName {
    requireNonNull(name, "name");
    requireNonNull(kind, "kind");
  }

  @Override
  public int compareTo(SpanName o) {
    int c = name.compareTo(o.name);
    return c != 0 ? c : kind.compareTo(o.kind);
  }
}
