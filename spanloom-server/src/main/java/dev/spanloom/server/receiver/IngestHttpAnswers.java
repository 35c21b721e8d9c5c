package dev.spanloom.server.receiver;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import dev.spanloom.otlp.OtlpTranslator;
import dev.spanloom.pipeline.RefusedException;

/**
 * The plain-text answers of the Jaeger and Zipkin HTTP receivers, whose protocols have no error
 * body of their own: 202 when the spans are stored, 400 for a body that cannot be read, 429
 * (queue full) or 503 (memory limit, export failed) with {@code Retry-After}.
 */
final class IngestHttpAnswers {
  private IngestHttpAnswers() {}

  /** 202; when some spans were invalid the body says how many and why the first was. */
  static HttpResponse accepted(OtlpTranslator.Decoded decoded) {
    if (decoded.rejected() == 0) return HttpResponse.of(HttpStatus.ACCEPTED);
    return HttpResponse.of(HttpStatus.ACCEPTED, MediaType.PLAIN_TEXT_UTF_8, decoded.errorMessage());
  }

  static HttpResponse badRequest(String message) {
    return HttpResponse.of(HttpStatus.BAD_REQUEST, MediaType.PLAIN_TEXT_UTF_8, message);
  }

  static HttpResponse unsupportedMediaType(MediaType type, String expected) {
    return HttpResponse.of(HttpStatus.UNSUPPORTED_MEDIA_TYPE, MediaType.PLAIN_TEXT_UTF_8,
        "Unsupported Content-Type: " + type + " (expected: " + expected + ")");
  }

  /** 429 for a full queue, 503 otherwise, both with the refusal's delay in whole seconds (at least 1). */
  static HttpResponse refused(Throwable error) {
    RefusedException refused = ReceiverIngest.refusal(error);
    HttpStatus status = refused.reason() == RefusedException.Reason.QUEUE_FULL
        ? HttpStatus.TOO_MANY_REQUESTS : HttpStatus.SERVICE_UNAVAILABLE;
    long seconds = Math.max(1, refused.retryAfter().toSeconds());
    return HttpResponse.of(ResponseHeaders.builder(status)
            .contentType(MediaType.PLAIN_TEXT_UTF_8)
            .set(HttpHeaderNames.RETRY_AFTER, Long.toString(seconds))
            .build(),
        com.linecorp.armeria.common.HttpData.ofUtf8(refused.getMessage()));
  }
}
