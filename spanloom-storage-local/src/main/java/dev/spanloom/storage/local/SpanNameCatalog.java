package dev.spanloom.storage.local;

import dev.spanloom.model.Span;
import dev.spanloom.model.SpanKind;
import dev.spanloom.storage.SpanName;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The distinct (service, span name, kind) triples of some spans, exactly, however many: what
 * {@code serviceNames()} and {@code spanNames()} answer from without decoding spans, and what a
 * scan prunes blocks with. A head block fills one as spans arrive; a block keeps one in its index.
 *
 * <p>One writer at a time (the head's append lock, a block writer's thread); readers may run
 * concurrently and see triples added meanwhile or not.
 */
final class SpanNameCatalog {
  private static final SpanKind[] KINDS = SpanKind.values();

  // service → span name → the kinds seen, one bit per OTLP kind number. Kind bit sets are below
  // 64, so the boxed values come from Integer's cache: adding a known triple allocates nothing.
  private final Map<String, Map<String, Integer>> services = new ConcurrentHashMap<>();

  void add(Span span) {
    add(span.serviceName(), span.name(), 1 << span.kind().number());
  }

  private void add(String service, String name, int kinds) {
    Map<String, Integer> names = services.get(service);
    if (names == null) names = services.computeIfAbsent(service, s -> new ConcurrentHashMap<>());
    Integer seen = names.get(name);
    if (seen == null || (seen | kinds) != seen) names.merge(name, kinds, (a, b) -> a | b);
  }

  void addAll(SpanNameCatalog other) {
    other.services.forEach((service, names) -> names.forEach((name, kinds) -> add(service, name, kinds)));
  }

  boolean isEmpty() {
    return services.isEmpty();
  }

  /** The service names, unsorted; a live view. */
  Set<String> serviceNames() {
    return services.keySet();
  }

  boolean hasService(String service) {
    return services.containsKey(service);
  }

  /** True when a span of any service has this name. */
  boolean hasSpanName(String name) {
    for (Map<String, Integer> names : services.values()) {
      if (names.containsKey(name)) return true;
    }
    return false;
  }

  /** The distinct span names of every service, unsorted. */
  Set<String> allSpanNames() {
    Set<String> all = new HashSet<>();
    for (Map<String, Integer> names : services.values()) all.addAll(names.keySet());
    return all;
  }

  /** Adds the (name, kind) pairs stored for {@code service} to {@code out}. */
  void addSpanNamesTo(String service, Collection<SpanName> out) {
    Map<String, Integer> names = services.get(service);
    if (names == null) return;
    names.forEach((name, kinds) -> {
      for (SpanKind kind : KINDS) {
        if ((kinds & (1 << kind.number())) != 0) out.add(new SpanName(name, kind));
      }
    });
  }

  /** Writes the catalog sorted, as {@code docs/storage-format.md} describes under "index". */
  void writeTo(WriteBuffer out) {
    List<String> serviceList = new ArrayList<>(services.keySet());
    serviceList.sort(null);
    out.writeVarint(serviceList.size());
    for (String service : serviceList) {
      Map<String, Integer> names = services.get(service);
      List<String> nameList = new ArrayList<>(names.keySet());
      nameList.sort(null);
      out.writeUtf8(service);
      out.writeVarint(nameList.size());
      for (String name : nameList) {
        out.writeUtf8(name);
        out.writeVarint32(names.get(name));
      }
    }
  }

  static SpanNameCatalog readFrom(ReadBuffer in) {
    SpanNameCatalog catalog = new SpanNameCatalog();
    int serviceCount = in.readCount(in.remaining());
    for (int i = 0; i < serviceCount; i++) {
      String service = in.readUtf8();
      int nameCount = in.readCount(in.remaining());
      Map<String, Integer> names = catalog.services.computeIfAbsent(service, s -> new ConcurrentHashMap<>());
      for (int k = 0; k < nameCount; k++) {
        String name = in.readUtf8();
        int kinds = in.readVarint32();
        if (kinds == 0 || kinds >>> KINDS.length != 0) {
          throw new CorruptDataException("span name kinds " + Integer.toBinaryString(kinds)
              + " (expected: a non-empty set of kind numbers 0-" + (KINDS.length - 1) + ")");
        }
        names.merge(name, kinds, (a, b) -> a | b);
      }
    }
    return catalog;
  }
}
