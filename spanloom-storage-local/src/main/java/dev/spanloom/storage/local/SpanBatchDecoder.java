package dev.spanloom.storage.local;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Attributes;
import dev.spanloom.model.Event;
import dev.spanloom.model.InstrumentationScope;
import dev.spanloom.model.Link;
import dev.spanloom.model.Resource;
import dev.spanloom.model.Span;
import dev.spanloom.model.SpanId;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.Status;
import dev.spanloom.model.StatusCode;
import dev.spanloom.model.TraceId;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Decodes a span batch written by {@link SpanBatchEncoder}. Strings, resources and scopes are
 * decoded once per batch and shared by the spans that refer to them. Malformed input throws
 * {@link CorruptDataException}, never anything else.
 */
final class SpanBatchDecoder {
  /** Nesting bound for arrays and key-value lists, so a corrupt batch cannot blow the stack. */
  private static final int MAX_DEPTH = 32;

  private static final SpanKind[] KINDS = SpanKind.values();
  private static final StatusCode[] CODES = StatusCode.values();

  private SpanBatchDecoder() {}

  static List<Span> decode(byte[] bytes) {
    return decode(new ReadBuffer(bytes), null);
  }

  /**
   * Decodes the spans of {@code in} whose trace ID passes {@code traceFilter} (all when null),
   * in batch order.
   */
  static List<Span> decode(ReadBuffer in, Predicate<TraceId> traceFilter) {
    try {
      return new Reader(in).read(traceFilter);
    } catch (RuntimeException e) {
      if (e instanceof CorruptDataException) throw e;
      // An index out of range or a bad enum number: the bytes are wrong, not the code.
      throw new CorruptDataException("malformed span batch: " + e);
    }
  }

  private static final class Reader {
    private final ReadBuffer in;
    private String[] strings;

    Reader(ReadBuffer in) {
      this.in = in;
    }

    List<Span> read(Predicate<TraceId> traceFilter) {
      int spanCount = in.readCount(in.remaining());
      int stringCount = in.readCount(in.remaining());
      strings = new String[stringCount];
      for (int i = 0; i < stringCount; i++) strings[i] = in.readUtf8();

      int resourceCount = in.readCount(in.remaining());
      Resource[] resources = new Resource[resourceCount];
      for (int i = 0; i < resourceCount; i++) {
        Attributes attrs = readAttributes(in, 0);
        int dropped = in.readVarint32();
        resources[i] = new Resource(attrs, dropped, string(in));
      }
      int scopeCount = in.readCount(in.remaining());
      InstrumentationScope[] scopes = new InstrumentationScope[scopeCount];
      for (int i = 0; i < scopeCount; i++) {
        String name = string(in);
        String version = string(in);
        Attributes attrs = readAttributes(in, 0);
        int dropped = in.readVarint32();
        scopes[i] = new InstrumentationScope(name, version, attrs, dropped, string(in));
      }

      int columnCount = in.readCount(1024);
      if (columnCount < SpanBatchEncoder.COLUMN_COUNT) {
        throw new CorruptDataException("span batch has " + columnCount + " columns (expected: >= "
            + SpanBatchEncoder.COLUMN_COUNT + ")");
      }
      ReadBuffer[] c = new ReadBuffer[columnCount];
      for (int i = 0; i < columnCount; i++) c[i] = in.slice(in.readCount(in.remaining()));
      ReadBuffer traceIds = c[0], spanIds = c[1], parentIds = c[2], traceStates = c[3];
      ReadBuffer flags = c[4], names = c[5], kinds = c[6], starts = c[7], durations = c[8];
      ReadBuffer attributes = c[9], dropped = c[10], events = c[11], links = c[12];
      ReadBuffer statuses = c[13], resourceRefs = c[14], scopeRefs = c[15];

      List<Span> out = new ArrayList<>(traceFilter == null ? spanCount : 16);
      int runs = traceIds.readCount(spanCount);
      int row = 0;
      long start = 0;
      for (int r = 0; r < runs; r++) {
        TraceId traceId = new TraceId(traceIds.readLong(), traceIds.readLong());
        int runLength = traceIds.readCount(spanCount - row);
        boolean wanted = traceFilter == null || traceFilter.test(traceId);
        for (int k = 0; k < runLength; k++, row++) {
          if (!wanted) {
            start += starts.readZigZag();
            skipRow(spanIds, parentIds, traceStates, flags, names, kinds, durations, attributes, dropped,
                events, links, statuses, resourceRefs, scopeRefs);
            continue;
          }
          long spanId = spanIds.readLong();
          long parentId = parentIds.readLong();
          String traceState = string(traceStates);
          int spanFlags = flags.readVarint32();
          String name = string(names);
          SpanKind kind = KINDS[kinds.readCount(KINDS.length - 1)];
          start += starts.readZigZag();
          long end = start + durations.readZigZag();
          Attributes attrs = readAttributes(attributes, 0);
          int droppedAttributes = dropped.readVarint32();
          int droppedEvents = dropped.readVarint32();
          int droppedLinks = dropped.readVarint32();
          List<Event> eventList = readEvents(events, start);
          List<Link> linkList = readLinks(links);
          StatusCode code = CODES[statuses.readCount(CODES.length - 1)];
          Status status = Status.of(code, string(statuses));
          Resource resource = resources[resourceRefs.readCount(resourceCount - 1)];
          InstrumentationScope scope = scopes[scopeRefs.readCount(scopeCount - 1)];
          out.add(Span.builder()
              .traceId(traceId)
              .spanId(new SpanId(spanId))
              .parentSpanId(parentId == 0 ? null : new SpanId(parentId))
              .traceState(traceState)
              .flags(spanFlags)
              .name(name)
              .kind(kind)
              .startEpochNanos(start)
              .endEpochNanos(end)
              .attributes(attrs)
              .droppedAttributesCount(droppedAttributes)
              .events(eventList)
              .droppedEventsCount(droppedEvents)
              .links(linkList)
              .droppedLinksCount(droppedLinks)
              .status(status)
              .resource(resource)
              .scope(scope)
              .build());
        }
      }
      if (row != spanCount) {
        throw new CorruptDataException("trace ID runs cover " + row + " of " + spanCount + " spans");
      }
      return out;
    }

    private void skipRow(ReadBuffer spanIds, ReadBuffer parentIds, ReadBuffer traceStates, ReadBuffer flags,
        ReadBuffer names, ReadBuffer kinds, ReadBuffer durations, ReadBuffer attributes, ReadBuffer dropped,
        ReadBuffer events, ReadBuffer links, ReadBuffer statuses, ReadBuffer resourceRefs, ReadBuffer scopeRefs) {
      spanIds.readLong();
      parentIds.readLong();
      traceStates.readVarint32();
      flags.readVarint32();
      names.readVarint32();
      kinds.readVarint32();
      durations.readZigZag();
      skipAttributes(attributes, 0);
      dropped.readVarint32();
      dropped.readVarint32();
      dropped.readVarint32();
      int ne = events.readCount(events.remaining());
      for (int i = 0; i < ne; i++) {
        events.readVarint32();
        events.readZigZag();
        skipAttributes(events, 0);
        events.readVarint32();
      }
      int nl = links.readCount(links.remaining());
      for (int i = 0; i < nl; i++) {
        links.readLong();
        links.readLong();
        links.readLong();
        links.readVarint32();
        skipAttributes(links, 0);
        links.readVarint32();
        links.readVarint32();
      }
      statuses.readVarint32();
      statuses.readVarint32();
      resourceRefs.readVarint32();
      scopeRefs.readVarint32();
    }

    private void skipAttributes(ReadBuffer b, int depth) {
      int n = b.readCount(b.remaining());
      for (int i = 0; i < n; i++) {
        b.readVarint32();
        skipValue(b, depth);
      }
    }

    private void skipValue(ReadBuffer b, int depth) {
      if (depth > MAX_DEPTH) throw new CorruptDataException("attribute nesting deeper than " + MAX_DEPTH);
      int tag = b.readByte();
      switch (tag) {
        case SpanBatchEncoder.TAG_STRING -> b.readVarint32();
        case SpanBatchEncoder.TAG_FALSE, SpanBatchEncoder.TAG_TRUE -> { }
        case SpanBatchEncoder.TAG_LONG -> b.readZigZag();
        case SpanBatchEncoder.TAG_DOUBLE -> b.readLong();
        case SpanBatchEncoder.TAG_BYTES -> b.readBytes(b.readCount(b.remaining()));
        case SpanBatchEncoder.TAG_ARRAY -> {
          int n = b.readCount(b.remaining());
          for (int i = 0; i < n; i++) skipValue(b, depth + 1);
        }
        case SpanBatchEncoder.TAG_KVLIST -> skipAttributes(b, depth + 1);
        default -> throw new CorruptDataException("unknown attribute value tag " + tag);
      }
    }

    private String string(ReadBuffer b) {
      return strings[b.readCount(strings.length - 1)];
    }

    private List<Event> readEvents(ReadBuffer b, long spanStart) {
      int n = b.readCount(b.remaining());
      if (n == 0) return List.of();
      List<Event> list = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        String name = string(b);
        long time = spanStart + b.readZigZag();
        Attributes attrs = readAttributes(b, 0);
        list.add(new Event(name, time, attrs, b.readVarint32()));
      }
      return list;
    }

    private List<Link> readLinks(ReadBuffer b) {
      int n = b.readCount(b.remaining());
      if (n == 0) return List.of();
      List<Link> list = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        TraceId traceId = new TraceId(b.readLong(), b.readLong());
        SpanId spanId = new SpanId(b.readLong());
        String traceState = string(b);
        Attributes attrs = readAttributes(b, 0);
        int dropped = b.readVarint32();
        list.add(new Link(traceId, spanId, traceState, attrs, dropped, b.readVarint32()));
      }
      return list;
    }

    private Attributes readAttributes(ReadBuffer b, int depth) {
      int n = b.readCount(b.remaining());
      if (n == 0) return Attributes.EMPTY;
      // Keys are unique by format (the encoder wrote an Attributes): no duplicate search.
      String[] keys = new String[n];
      AttributeValue[] values = new AttributeValue[n];
      for (int i = 0; i < n; i++) {
        keys[i] = string(b);
        values[i] = readValue(b, depth);
      }
      return Attributes.ofUniqueKeys(keys, values);
    }

    private AttributeValue readValue(ReadBuffer b, int depth) {
      if (depth > MAX_DEPTH) throw new CorruptDataException("attribute nesting deeper than " + MAX_DEPTH);
      int tag = b.readByte();
      switch (tag) {
        case SpanBatchEncoder.TAG_STRING:
          return new AttributeValue.StringValue(string(b));
        case SpanBatchEncoder.TAG_FALSE:
          return AttributeValue.of(false);
        case SpanBatchEncoder.TAG_TRUE:
          return AttributeValue.of(true);
        case SpanBatchEncoder.TAG_LONG:
          return AttributeValue.of(b.readZigZag());
        case SpanBatchEncoder.TAG_DOUBLE:
          return AttributeValue.of(Double.longBitsToDouble(b.readLong()));
        case SpanBatchEncoder.TAG_BYTES:
          return new AttributeValue.BytesValue(b.readBytes(b.readCount(b.remaining())));
        case SpanBatchEncoder.TAG_ARRAY: {
          int n = b.readCount(b.remaining());
          List<AttributeValue> values = new ArrayList<>(n);
          for (int i = 0; i < n; i++) values.add(readValue(b, depth + 1));
          return new AttributeValue.ArrayValue(values);
        }
        case SpanBatchEncoder.TAG_KVLIST:
          return new AttributeValue.KeyValueList(readAttributes(b, depth + 1));
        default:
          throw new CorruptDataException("unknown attribute value tag " + tag);
      }
    }
  }
}
