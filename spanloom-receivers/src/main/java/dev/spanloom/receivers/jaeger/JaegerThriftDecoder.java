package dev.spanloom.receivers.jaeger;

import static dev.spanloom.receivers.jaeger.ThriftBinaryReader.I32;
import static dev.spanloom.receivers.jaeger.ThriftBinaryReader.I64;
import static dev.spanloom.receivers.jaeger.ThriftBinaryReader.LIST;
import static dev.spanloom.receivers.jaeger.ThriftBinaryReader.STOP;
import static dev.spanloom.receivers.jaeger.ThriftBinaryReader.STRING;
import static dev.spanloom.receivers.jaeger.ThriftBinaryReader.STRUCT;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.otlp.MalformedRequestException;
import dev.spanloom.otlp.OtlpTranslator;
import dev.spanloom.receivers.jaeger.JaegerTranslator.Reference;
import dev.spanloom.receivers.jaeger.JaegerTranslator.ThriftLog;
import dev.spanloom.receivers.jaeger.JaegerTranslator.ThriftSpan;
import dev.spanloom.receivers.jaeger.JaegerTranslator.ThriftTag;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the body of a Jaeger collector's {@code POST /api/traces} — a {@code jaeger.thrift}
 * {@code Batch} in Thrift's binary protocol, as jaeger-client's {@code HttpSender} posts it —
 * into validated spans. The IDL (field ids and types) is spelled out below; fields it does not
 * name are skipped, so newer senders still decode.
 *
 * <pre>
 * struct Batch   { 1: Process process, 2: list&lt;Span&gt; spans, 3: i64 seqNo, 4: ClientStats stats }
 * struct Process { 1: string serviceName, 2: list&lt;Tag&gt; tags }
 * struct Span    { 1: i64 traceIdLow, 2: i64 traceIdHigh, 3: i64 spanId, 4: i64 parentSpanId,
 *                  5: string operationName, 6: list&lt;SpanRef&gt; references, 7: i32 flags,
 *                  8: i64 startTime, 9: i64 duration, 10: list&lt;Tag&gt; tags, 11: list&lt;Log&gt; logs }
 * struct SpanRef { 1: SpanRefType refType (i32), 2: i64 traceIdLow, 3: i64 traceIdHigh, 4: i64 spanId }
 * struct Tag     { 1: string key, 2: TagType vType (i32), 3: string vStr, 4: double vDouble,
 *                  5: bool vBool, 6: i64 vLong, 7: binary vBinary }
 * struct Log     { 1: i64 timestamp, 2: list&lt;Tag&gt; fields }
 * </pre>
 */
public final class JaegerThriftDecoder {
  private JaegerThriftDecoder() {}

  /**
   * Parses and validates a request body.
   *
   * @throws MalformedRequestException when the body is not a thrift {@code Batch} (HTTP 400)
   */
  public static OtlpTranslator.Decoded decode(byte[] body) {
    ThriftBinaryReader in = new ThriftBinaryReader(body);
    String serviceName = null;
    List<ThriftTag> processTags = List.of();
    List<ThriftSpan> spans = null;
    for (byte type = in.readByte(); type != STOP; type = in.readByte()) {
      short id = in.readI16();
      if (id == 1 && type == STRUCT) {
        // Process
        serviceName = "";
        for (byte t = in.readByte(); t != STOP; t = in.readByte()) {
          short f = in.readI16();
          if (f == 1 && t == STRING) serviceName = in.readString();
          else if (f == 2 && t == LIST) processTags = readTags(in, "process.tags");
          else in.skip(t);
        }
      } else if (id == 2 && type == LIST) {
        int n = in.readListSize(STRUCT, "spans");
        spans = new ArrayList<>(n);
        for (int i = 0; i < n; i++) spans.add(readSpan(in));
      } else {
        in.skip(type);
      }
    }
    if (in.remaining() > 0) {
      throw new MalformedRequestException("Malformed: " + in.remaining() + " bytes after the end of the thrift Batch");
    }
    if (serviceName == null) throw new MalformedRequestException("Malformed: thrift Batch without a process (field 1)");
    if (spans == null) throw new MalformedRequestException("Malformed: thrift Batch without spans (field 2)");
    return JaegerTranslator.decode(serviceName, processTags, spans);
  }

  private static ThriftSpan readSpan(ThriftBinaryReader in) {
    long traceIdLow = 0;
    long traceIdHigh = 0;
    long spanId = 0;
    long parentSpanId = 0;
    String operationName = "";
    List<Reference> references = List.of();
    int flags = 0;
    long startTime = 0;
    long duration = 0;
    List<ThriftTag> tags = List.of();
    List<ThriftLog> logs = List.of();
    for (byte t = in.readByte(); t != STOP; t = in.readByte()) {
      short f = in.readI16();
      switch (f) {
        case 1 -> traceIdLow = t == I64 ? in.readI64() : skip(in, t);
        case 2 -> traceIdHigh = t == I64 ? in.readI64() : skip(in, t);
        case 3 -> spanId = t == I64 ? in.readI64() : skip(in, t);
        case 4 -> parentSpanId = t == I64 ? in.readI64() : skip(in, t);
        case 5 -> {
          if (t == STRING) operationName = in.readString();
          else in.skip(t);
        }
        case 6 -> {
          if (t == LIST) references = readReferences(in);
          else in.skip(t);
        }
        case 7 -> flags = t == I32 ? in.readI32() : (int) skip(in, t);
        case 8 -> startTime = t == I64 ? in.readI64() : skip(in, t);
        case 9 -> duration = t == I64 ? in.readI64() : skip(in, t);
        case 10 -> {
          if (t == LIST) tags = readTags(in, "span.tags");
          else in.skip(t);
        }
        case 11 -> {
          if (t == LIST) logs = readLogs(in);
          else in.skip(t);
        }
        default -> in.skip(t);
      }
    }
    return new ThriftSpan(traceIdLow, traceIdHigh, spanId, parentSpanId, operationName, references, flags,
        startTime, duration, tags, logs);
  }

  private static long skip(ThriftBinaryReader in, byte type) {
    in.skip(type);
    return 0;
  }

  private static List<Reference> readReferences(ThriftBinaryReader in) {
    int n = in.readListSize(STRUCT, "span.references");
    List<Reference> refs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int refType = 0;
      long low = 0;
      long high = 0;
      long spanId = 0;
      for (byte t = in.readByte(); t != STOP; t = in.readByte()) {
        short f = in.readI16();
        if (f == 1 && t == I32) refType = in.readI32();
        else if (f == 2 && t == I64) low = in.readI64();
        else if (f == 3 && t == I64) high = in.readI64();
        else if (f == 4 && t == I64) spanId = in.readI64();
        else in.skip(t);
      }
      refs.add(new Reference(refType == 1, high, low, spanId));
    }
    return refs;
  }

  private static List<ThriftLog> readLogs(ThriftBinaryReader in) {
    int n = in.readListSize(STRUCT, "span.logs");
    List<ThriftLog> logs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long timestamp = 0;
      List<ThriftTag> fields = List.of();
      for (byte t = in.readByte(); t != STOP; t = in.readByte()) {
        short f = in.readI16();
        if (f == 1 && t == I64) timestamp = in.readI64();
        else if (f == 2 && t == LIST) fields = readTags(in, "log.fields");
        else in.skip(t);
      }
      logs.add(new ThriftLog(timestamp, fields));
    }
    return logs;
  }

  private static List<ThriftTag> readTags(ThriftBinaryReader in, String what) {
    int n = in.readListSize(STRUCT, what);
    List<ThriftTag> tags = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String key = "";
      int vType = 0;
      String vStr = "";
      double vDouble = 0;
      boolean vBool = false;
      long vLong = 0;
      byte[] vBinary = new byte[0];
      for (byte t = in.readByte(); t != STOP; t = in.readByte()) {
        short f = in.readI16();
        switch (f) {
          case 1 -> key = t == STRING ? in.readString() : skipString(in, t);
          case 2 -> vType = t == I32 ? in.readI32() : (int) skip(in, t);
          case 3 -> vStr = t == STRING ? in.readString() : skipString(in, t);
          case 4 -> {
            if (t == ThriftBinaryReader.DOUBLE) vDouble = in.readDouble();
            else in.skip(t);
          }
          case 5 -> {
            if (t == ThriftBinaryReader.BOOL) vBool = in.readBool();
            else in.skip(t);
          }
          case 6 -> vLong = t == I64 ? in.readI64() : skip(in, t);
          case 7 -> {
            if (t == STRING) vBinary = in.readBinary();
            else in.skip(t);
          }
          default -> in.skip(t);
        }
      }
      AttributeValue value = switch (vType) {
        case 0 -> AttributeValue.of(vStr);
        case 1 -> AttributeValue.of(vDouble);
        case 2 -> AttributeValue.of(vBool);
        case 3 -> AttributeValue.of(vLong);
        case 4 -> new AttributeValue.BytesValue(vBinary);
        default -> throw new MalformedRequestException("Malformed: " + what + " \"" + key + "\" has TagType " + vType
            + " (expected: 0 STRING, 1 DOUBLE, 2 BOOL, 3 LONG or 4 BINARY)");
      };
      tags.add(new ThriftTag(key, value));
    }
    return tags;
  }

  private static String skipString(ThriftBinaryReader in, byte type) {
    in.skip(type);
    return "";
  }
}
