package dev.spanloom.otlp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import dev.spanloom.model.internal.Hex;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.IOException;
import java.util.Base64;

/**
 * OTLP/JSON as the OTLP specification encodes it: trace and span IDs as hex strings (protobuf's
 * own JSON mapping would want base64), enums as numbers or names, 64-bit integers as strings or
 * numbers, field names in lowerCamelCase or as in the .proto. Base64 IDs are accepted too, for
 * clients that used protobuf's generic JSON printer.
 */
public final class OtlpJson {
  // Trailing tokens make a body invalid JSON; without the flag Jackson stops after the first value.
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
  private static final String[] ID_FIELDS = {"traceId", "trace_id", "spanId", "span_id", "parentSpanId", "parent_span_id"};

  private OtlpJson() {}

  /**
   * Parses an OTLP/JSON export request.
   *
   * @throws MalformedRequestException with a message fit for an HTTP 400 Status
   */
  public static ExportTraceServiceRequest parseRequest(byte[] json) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (IOException e) {
      throw new MalformedRequestException("Malformed: not JSON: " + shortMessage(e));
    }
    if (root == null || !root.isObject()) {
      throw new MalformedRequestException("Malformed: expected a JSON object with resourceSpans");
    }
    for (JsonNode rs : array(root, "resourceSpans", "resource_spans")) {
      for (JsonNode ss : array(rs, "scopeSpans", "scope_spans")) {
        for (JsonNode span : array(ss, "spans", "spans")) {
          idsToBase64(span);
          for (JsonNode link : array(span, "links", "links")) idsToBase64(link);
        }
      }
    }
    ExportTraceServiceRequest.Builder b = ExportTraceServiceRequest.newBuilder();
    try {
      PARSER.merge(MAPPER.writeValueAsString(root), b);
    } catch (InvalidProtocolBufferException | JsonProcessingException e) {
      throw new MalformedRequestException("Malformed: " + shortMessage(e));
    }
    return b.build();
  }

  /** Prints any OTLP message in protobuf's JSON mapping (IDs in base64, as Tempo's API does). */
  public static String print(MessageOrBuilder message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + message.getClass().getSimpleName(), e);
    }
  }

  private static Iterable<JsonNode> array(JsonNode parent, String camel, String snake) {
    JsonNode n = parent.get(camel);
    if (n == null) n = parent.get(snake);
    return n != null && n.isArray() ? n : java.util.List.of();
  }

  // Hex IDs become base64 so that protobuf's JSON parser reads them as bytes. Anything else is left
  // alone: either it is base64 already, or the parser says why not.
  private static void idsToBase64(JsonNode node) {
    if (!(node instanceof ObjectNode obj)) return;
    for (String field : ID_FIELDS) {
      JsonNode v = obj.get(field);
      if (v == null || !v.isTextual()) continue;
      String s = v.asText();
      // Padded base64 of an 8- or 16-byte ID always holds '=', so a string of only hex digits is
      // hex, whatever its length: a wrong length then gets "trace_id: 15 bytes", not a base64 puzzle.
      if (!s.isEmpty() && s.length() % 2 == 0 && Hex.isHex(s, 0, s.length())) {
        obj.set(field, new TextNode(Base64.getEncoder().encodeToString(hexToBytes(s))));
      }
    }
  }

  private static byte[] hexToBytes(String s) {
    byte[] b = new byte[s.length() / 2];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) ((Hex.digit(s.charAt(2 * i)) << 4) | Hex.digit(s.charAt(2 * i + 1)));
    }
    return b;
  }

  private static String shortMessage(Exception e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl > 0 ? m.substring(0, nl) : m;
  }
}
