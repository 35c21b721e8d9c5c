package dev.spanloom.receivers.zipkin;

import dev.spanloom.otlp.MalformedRequestException;
import dev.spanloom.otlp.OtlpTranslator;
import java.util.List;
import zipkin2.codec.SpanBytesDecoder;

/**
 * Turns the body of a Zipkin {@code POST /api/v2/spans} into validated spans, with Zipkin's own
 * codecs: JSON v2 (the default) and proto3 ({@code application/x-protobuf}). An empty list is a
 * valid request with no spans.
 */
public final class ZipkinRequestDecoder {
  /** The body encodings of Zipkin's v2 span endpoint. */
  public enum Encoding {
    JSON(SpanBytesDecoder.JSON_V2),
    PROTO3(SpanBytesDecoder.PROTO3);

    private final SpanBytesDecoder decoder;

    Encoding(SpanBytesDecoder decoder) {
      this.decoder = decoder;
    }
  }

  private ZipkinRequestDecoder() {}

  /**
   * Parses and validates a request body.
   *
   * @throws MalformedRequestException when the body is not a list of Zipkin v2 spans (HTTP 400)
   */
  public static OtlpTranslator.Decoded decode(byte[] body, Encoding encoding) {
    return ZipkinTranslator.decode(parse(body, encoding));
  }

  public static List<zipkin2.Span> parse(byte[] body, Encoding encoding) {
    if (body.length == 0) return List.of();
    try {
      return encoding.decoder.decodeList(body);
    } catch (RuntimeException e) { // the codecs report every defect as an unchecked exception
      String message = String.valueOf(e.getMessage());
      String what = message.contains("Truncated") ? "Truncated" : "Malformed";
      throw new MalformedRequestException(what + ": not a list of Zipkin v2 spans ("
          + encoding.name().toLowerCase(java.util.Locale.ROOT) + "): " + message);
    }
  }
}
