package dev.spanloom.query;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The intrinsic fields of spans and traces, with every spelling Tempo accepts. */
enum Intrinsic {
  NAME(ValueType.STRING, false, "name", "span:name"),
  STATUS(ValueType.STATUS, false, "status", "span:status"),
  STATUS_MESSAGE(ValueType.STRING, false, "statusMessage", "span:statusMessage"),
  KIND(ValueType.KIND, false, "kind", "span:kind"),
  DURATION(ValueType.DURATION, false, "duration", "span:duration"),
  SPAN_ID(ValueType.STRING, false, "span:id"),
  PARENT_ID(ValueType.STRING, false, "span:parentID"),
  CHILD_COUNT(ValueType.INT, false, "span:childCount", "childCount"),
  TRACE_DURATION(ValueType.DURATION, false, "trace:duration", "traceDuration"),
  ROOT_NAME(ValueType.STRING, false, "trace:rootName", "rootName"),
  ROOT_SERVICE(ValueType.STRING, false, "trace:rootService", "rootServiceName"),
  TRACE_ID(ValueType.STRING, false, "trace:id"),
  EVENT_NAME(ValueType.STRING, true, "event:name"),
  EVENT_TIME_SINCE_START(ValueType.DURATION, true, "event:timeSinceStart"),
  LINK_TRACE_ID(ValueType.STRING, true, "link:traceID"),
  LINK_SPAN_ID(ValueType.STRING, true, "link:spanID"),
  INSTRUMENTATION_NAME(ValueType.STRING, false, "instrumentation:name"),
  INSTRUMENTATION_VERSION(ValueType.STRING, false, "instrumentation:version");

  private static final Map<String, Intrinsic> BY_NAME = new LinkedHashMap<>();

  static {
    for (Intrinsic i : values()) {
      for (String n : i.names) BY_NAME.put(n, i);
    }
  }

  final ValueType type;
  /** True when a span has any number of values (one per event or link). */
  final boolean multiValued;
  final List<String> names;

  Intrinsic(ValueType type, boolean multiValued, String... names) {
    this.type = type;
    this.multiValued = multiValued;
    this.names = List.of(names);
  }

  /** The canonical spelling: {@code span:duration}, {@code trace:rootName}, … */
  String canonicalName() {
    return names.size() > 1 && !names.get(0).contains(":") ? names.get(1) : names.get(0);
  }

  /** Hex IDs compare after padding and lower-casing, so "1234" finds trace 000…1234. */
  int idHexLength() {
    return switch (this) {
      case TRACE_ID, LINK_TRACE_ID -> 32;
      case SPAN_ID, PARENT_ID, LINK_SPAN_ID -> 16;
      default -> 0;
    };
  }

  static Intrinsic byName(String name) {
    return BY_NAME.get(name);
  }

  /** Every spelling, sorted as Tempo lists them in its intrinsic tag scope. */
  static List<String> allNames() {
    return BY_NAME.keySet().stream().sorted().toList();
  }
}
