package dev.spanloom.receivers.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.spanloom.otlp.MalformedRequestException;
import dev.spanloom.otlp.OtlpJson;
import dev.spanloom.otlp.OtlpTranslator;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

/**
 * Turns the body of an OTLP/HTTP export request into validated spans. Both encodings end in the
 * same {@link OtlpTranslator.Decoded}, so protobuf and JSON clients get identical answers.
 */
public final class OtlpRequestDecoder {
  /** The body encodings of OTLP/HTTP. */
  public enum Encoding {
    PROTOBUF,
    JSON
  }

  private OtlpRequestDecoder() {}

  /**
   * Parses and validates a request body.
   *
   * @throws MalformedRequestException when the body is not an export request at all (HTTP 400)
   */
  public static OtlpTranslator.Decoded decode(byte[] body, Encoding encoding) {
    return OtlpTranslator.decode(parse(body, encoding));
  }

  public static ExportTraceServiceRequest parse(byte[] body, Encoding encoding) {
    if (encoding == Encoding.JSON) return OtlpJson.parseRequest(body);
    try {
      return ExportTraceServiceRequest.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      String what = e.getMessage() != null && e.getMessage().contains("truncated") ? "Truncated" : "Malformed";
      throw new MalformedRequestException(what + ": not an OTLP ExportTraceServiceRequest: " + e.getMessage());
    }
  }
}
