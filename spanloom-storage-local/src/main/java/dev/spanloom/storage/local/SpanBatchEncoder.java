package dev.spanloom.storage.local;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Attributes;
import dev.spanloom.model.Event;
import dev.spanloom.model.InstrumentationScope;
import dev.spanloom.model.Link;
import dev.spanloom.model.Resource;
import dev.spanloom.model.Span;
import dev.spanloom.model.TraceId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes a list of spans as one <em>span batch</em> (format version 1, see {@code
 * docs/storage-format.md}): a string dictionary, a resource table and a scope table, then one
 * byte stream per column. The same encoding is a WAL record's payload and, zstd-compressed, a
 * block's row group, so there is one codec to get right.
 *
 * <p>Not thread-safe; reusable (its buffers are kept between batches to spare garbage on the
 * write path).
 */
final class SpanBatchEncoder {
  static final int TAG_STRING = 0;
  static final int TAG_FALSE = 1;
  static final int TAG_TRUE = 2;
  static final int TAG_LONG = 3;
  static final int TAG_DOUBLE = 4;
  static final int TAG_BYTES = 5;
  static final int TAG_ARRAY = 6;
  static final int TAG_KVLIST = 7;

  /** Column order in a batch; {@link SpanBatchDecoder} reads them in the same order. */
  static final int COLUMN_COUNT = 16;

  private final Map<String, Integer> strings = new HashMap<>();
  private final List<String> stringList = new ArrayList<>();
  private final Map<Resource, Integer> resources = new HashMap<>();
  private final List<Resource> resourceList = new ArrayList<>();
  private final Map<InstrumentationScope, Integer> scopes = new HashMap<>();
  private final List<InstrumentationScope> scopeList = new ArrayList<>();

  private final WriteBuffer traceIds = new WriteBuffer(256);
  private final WriteBuffer spanIds = new WriteBuffer(1024);
  private final WriteBuffer parentIds = new WriteBuffer(1024);
  private final WriteBuffer traceStates = new WriteBuffer(128);
  private final WriteBuffer flags = new WriteBuffer(128);
  private final WriteBuffer names = new WriteBuffer(256);
  private final WriteBuffer kinds = new WriteBuffer(128);
  private final WriteBuffer starts = new WriteBuffer(1024);
  private final WriteBuffer durations = new WriteBuffer(512);
  private final WriteBuffer attributes = new WriteBuffer(4096);
  private final WriteBuffer dropped = new WriteBuffer(128);
  private final WriteBuffer events = new WriteBuffer(256);
  private final WriteBuffer links = new WriteBuffer(128);
  private final WriteBuffer statuses = new WriteBuffer(256);
  private final WriteBuffer resourceRefs = new WriteBuffer(128);
  private final WriteBuffer scopeRefs = new WriteBuffer(128);
  private final WriteBuffer[] columns = {
    traceIds, spanIds, parentIds, traceStates, flags, names, kinds, starts, durations,
    attributes, dropped, events, links, statuses, resourceRefs, scopeRefs
  };
  private final WriteBuffer tables = new WriteBuffer(1024);

  /** Appends the encoded batch to {@code out}. */
  void encode(List<Span> spans, WriteBuffer out) {
    clear();
    encodeTraceIds(spans);
    long previousStart = 0;
    for (Span s : spans) {
      spanIds.writeLong(s.spanId().value());
      parentIds.writeLong(s.parentSpanId() == null ? 0 : s.parentSpanId().value());
      traceStates.writeVarint(ref(s.traceState()));
      flags.writeVarint32(s.flags());
      names.writeVarint(ref(s.name()));
      kinds.writeVarint(s.kind().number());
      starts.writeZigZag(s.startEpochNanos() - previousStart);
      previousStart = s.startEpochNanos();
      durations.writeZigZag(s.endEpochNanos() - s.startEpochNanos());
      writeAttributes(attributes, s.attributes());
      dropped.writeVarint32(s.droppedAttributesCount());
      dropped.writeVarint32(s.droppedEventsCount());
      dropped.writeVarint32(s.droppedLinksCount());
      writeEvents(s);
      writeLinks(s.links());
      statuses.writeVarint(s.status().code().number());
      statuses.writeVarint(ref(s.status().message()));
      // Resources and scopes repeat across a batch: each distinct one is stored once.
      resourceRefs.writeVarint(resourceRef(s.resource()));
      scopeRefs.writeVarint(scopeRef(s.scope()));
    }
    // The tables may add strings, so they are encoded before the dictionary is written.
    tables.writeVarint(resourceList.size());
    for (Resource r : resourceList) {
      writeAttributes(tables, r.attributes());
      tables.writeVarint32(r.droppedAttributesCount());
      tables.writeVarint(ref(r.schemaUrl()));
    }
    tables.writeVarint(scopeList.size());
    for (InstrumentationScope sc : scopeList) {
      tables.writeVarint(ref(sc.name()));
      tables.writeVarint(ref(sc.version()));
      writeAttributes(tables, sc.attributes());
      tables.writeVarint32(sc.droppedAttributesCount());
      tables.writeVarint(ref(sc.schemaUrl()));
    }

    out.writeVarint(spans.size());
    out.writeVarint(stringList.size());
    for (String s : stringList) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      out.writeVarint(b.length);
      out.writeBytes(b);
    }
    out.write(tables);
    out.writeVarint(columns.length);
    for (WriteBuffer c : columns) {
      out.writeVarint(c.size());
      out.write(c);
    }
  }

  /** The distinct strings of the last batch, in dictionary order (for block statistics). */
  List<String> dictionary() {
    return stringList;
  }

  private void clear() {
    strings.clear();
    stringList.clear();
    resources.clear();
    resourceList.clear();
    scopes.clear();
    scopeList.clear();
    lastResource = null;
    lastScope = null;
    for (WriteBuffer c : columns) c.reset();
    tables.reset();
  }

  /** Runs of equal trace IDs: a block's rows are grouped by trace, and so are most batches. */
  private void encodeTraceIds(List<Span> spans) {
    int runs = 0;
    WriteBuffer body = scratch();
    TraceId current = null;
    int runLength = 0;
    for (Span s : spans) {
      if (s.traceId().equals(current)) {
        runLength++;
        continue;
      }
      if (current != null) {
        writeRun(body, current, runLength);
        runs++;
      }
      current = s.traceId();
      runLength = 1;
    }
    if (current != null) {
      writeRun(body, current, runLength);
      runs++;
    }
    traceIds.writeVarint(runs);
    traceIds.write(body);
  }

  private WriteBuffer scratchBuffer;

  private WriteBuffer scratch() {
    if (scratchBuffer == null) scratchBuffer = new WriteBuffer(256);
    scratchBuffer.reset();
    return scratchBuffer;
  }

  private static void writeRun(WriteBuffer out, TraceId id, int length) {
    out.writeLong(id.high());
    out.writeLong(id.low());
    out.writeVarint(length);
  }

  private void writeEvents(Span s) {
    List<Event> list = s.events();
    events.writeVarint(list.size());
    for (Event e : list) {
      events.writeVarint(ref(e.name()));
      events.writeZigZag(e.epochNanos() - s.startEpochNanos());
      writeAttributes(events, e.attributes());
      events.writeVarint32(e.droppedAttributesCount());
    }
  }

  private void writeLinks(List<Link> list) {
    links.writeVarint(list.size());
    for (Link l : list) {
      links.writeLong(l.traceId().high());
      links.writeLong(l.traceId().low());
      links.writeLong(l.spanId().value());
      links.writeVarint(ref(l.traceState()));
      writeAttributes(links, l.attributes());
      links.writeVarint32(l.droppedAttributesCount());
      links.writeVarint32(l.flags());
    }
  }

  private void writeAttributes(WriteBuffer out, Attributes a) {
    out.writeVarint(a.size());
    for (int i = 0; i < a.size(); i++) {
      out.writeVarint(ref(a.key(i)));
      writeValue(out, a.value(i));
    }
  }

  private void writeValue(WriteBuffer out, AttributeValue v) {
    if (v instanceof AttributeValue.StringValue s) {
      out.writeByte(TAG_STRING);
      out.writeVarint(ref(s.value()));
    } else if (v instanceof AttributeValue.BoolValue b) {
      out.writeByte(b.value() ? TAG_TRUE : TAG_FALSE);
    } else if (v instanceof AttributeValue.LongValue l) {
      out.writeByte(TAG_LONG);
      out.writeZigZag(l.value());
    } else if (v instanceof AttributeValue.DoubleValue d) {
      out.writeByte(TAG_DOUBLE);
      out.writeLong(Double.doubleToRawLongBits(d.value()));
    } else if (v instanceof AttributeValue.BytesValue b) {
      byte[] bytes = b.value();
      out.writeByte(TAG_BYTES);
      out.writeVarint(bytes.length);
      out.writeBytes(bytes);
    } else if (v instanceof AttributeValue.ArrayValue arr) {
      out.writeByte(TAG_ARRAY);
      out.writeVarint(arr.values().size());
      for (AttributeValue e : arr.values()) writeValue(out, e);
    } else if (v instanceof AttributeValue.KeyValueList kv) {
      out.writeByte(TAG_KVLIST);
      writeAttributes(out, kv.values());
    } else {
      throw new IllegalArgumentException("unknown attribute value type: " + v.getClass());
    }
  }

  private int ref(String s) {
    Integer i = strings.get(s);
    if (i != null) return i;
    int next = stringList.size();
    strings.put(s, next);
    stringList.add(s);
    return next;
  }

  // Spans of one export share the same Resource and scope instances: a one-entry identity
  // cache skips hashing their attributes for every span.
  private Resource lastResource;
  private int lastResourceRef;
  private InstrumentationScope lastScope;
  private int lastScopeRef;

  private int resourceRef(Resource r) {
    if (r == lastResource) return lastResourceRef;
    Integer i = resources.get(r);
    lastResource = r;
    if (i != null) return lastResourceRef = i;
    int next = lastResourceRef = resourceList.size();
    resources.put(r, next);
    resourceList.add(r);
    return next;
  }

  private int scopeRef(InstrumentationScope s) {
    if (s == lastScope) return lastScopeRef;
    Integer i = scopes.get(s);
    lastScope = s;
    if (i != null) return lastScopeRef = i;
    int next = lastScopeRef = scopeList.size();
    scopes.put(s, next);
    scopeList.add(s);
    return next;
  }
}
