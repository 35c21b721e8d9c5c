package dev.spanloom.server.receiver;

import com.google.protobuf.Message;
import com.google.rpc.Code;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.ServiceConfig;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServerErrorHandler;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.spanloom.otlp.MalformedRequestException;
import dev.spanloom.otlp.OtlpJson;
import dev.spanloom.otlp.OtlpTranslator;
import dev.spanloom.pipeline.RefusedException;
import dev.spanloom.receivers.otlp.OtlpRequestDecoder;
import dev.spanloom.receivers.otlp.OtlpRequestDecoder.Encoding;

/**
 * OTLP/HTTP {@code POST /v1/traces} with protobuf or JSON bodies (gzip is undone by a decorator
 * in front). Answers as the OTLP specification says: 200 with an {@code ExportTraceServiceResponse}
 * (partial success for invalid spans); 400 with a {@code google.rpc.Status} for a body that is
 * not a request; 415 for other media types; 429 (queue full) or 503 (memory limit, export
 * failed) with {@code Retry-After}. Responses use the request's encoding.
 */
public final class OtlpHttpService implements HttpService {
  static final String TRANSPORT = "http";
  public static final MediaType PROTOBUF = MediaType.parse("application/x-protobuf");

  private final ReceiverIngest ingest;

  public OtlpHttpService(ReceiverIngest ingest) {
    this.ingest = ingest;
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    Encoding encoding = encodingOf(req.contentType());
    if (encoding == null) {
      ingest.metrics().refusedRequest(ingest.receiverId(), TRANSPORT, ReceiverMetrics.UNSUPPORTED_MEDIA_TYPE);
      return HttpResponse.of(HttpStatus.UNSUPPORTED_MEDIA_TYPE, MediaType.PLAIN_TEXT_UTF_8,
          "Unsupported Content-Type: " + req.contentType()
              + " (expected: application/x-protobuf or application/json)");
    }
    return HttpResponse.of(req.aggregate().thenCompose(agg -> handle(agg, encoding)));
  }

  private java.util.concurrent.CompletableFuture<HttpResponse> handle(AggregatedHttpRequest agg, Encoding encoding) {
    OtlpTranslator.Decoded decoded;
    try {
      decoded = OtlpRequestDecoder.decode(agg.content().array(), encoding);
    } catch (MalformedRequestException e) {
      ingest.metrics().refusedRequest(ingest.receiverId(), TRANSPORT, ReceiverMetrics.MALFORMED);
      return java.util.concurrent.CompletableFuture.completedFuture(
          status(HttpStatus.BAD_REQUEST, Code.INVALID_ARGUMENT, e.getMessage(), encoding));
    }
    return ingest.export(decoded, TRANSPORT).handle((response, error) -> {
      if (error == null) return HttpResponse.of(HttpStatus.OK, mediaType(encoding), body(response, encoding));
      RefusedException refused = ReceiverIngest.refusal(error);
      HttpStatus status = refused.reason() == RefusedException.Reason.QUEUE_FULL
          ? HttpStatus.TOO_MANY_REQUESTS : HttpStatus.SERVICE_UNAVAILABLE;
      HttpResponse r = status(status, status == HttpStatus.TOO_MANY_REQUESTS ? Code.RESOURCE_EXHAUSTED : Code.UNAVAILABLE,
          refused.getMessage(), encoding);
      long seconds = Math.max(1, refused.retryAfter().toSeconds());
      return r.mapHeaders(h -> h.toBuilder().set(HttpHeaderNames.RETRY_AFTER, Long.toString(seconds)).build());
    });
  }

  /**
   * Answers a body over {@code max_request_body_size} with 413 and a {@code google.rpc.Status},
   * and counts it: whether Armeria sees the excess in {@code Content-Length} before the service
   * runs, or while the (possibly gzip) body streams in.
   */
  public ServerErrorHandler tooLargeHandler(long maxBody) {
    String message = "request body larger than max_request_body_size " + maxBody + " bytes (after decompression)";
    return new ServerErrorHandler() {
      @Override
      public HttpResponse onServiceException(ServiceRequestContext ctx, Throwable cause) {
        if (!(cause instanceof ContentTooLargeException)) return null;
        return tooLarge(ctx.request().headers()).toHttpResponse();
      }

      @Override
      public AggregatedHttpResponse renderStatus(ServiceRequestContext ctx, ServiceConfig config,
          RequestHeaders headers, HttpStatus status, String description, Throwable cause) {
        return status == HttpStatus.REQUEST_ENTITY_TOO_LARGE && headers != null ? tooLarge(headers) : null;
      }

      private AggregatedHttpResponse tooLarge(RequestHeaders headers) {
        ingest.metrics().refusedRequest(ingest.receiverId(), TRANSPORT, ReceiverMetrics.TOO_LARGE);
        Encoding encoding = encodingOf(headers.contentType());
        com.google.rpc.Status body = com.google.rpc.Status.newBuilder()
            .setCode(Code.INVALID_ARGUMENT.getNumber()).setMessage(message).build();
        Encoding e = encoding == null ? Encoding.PROTOBUF : encoding;
        return AggregatedHttpResponse.of(HttpStatus.REQUEST_ENTITY_TOO_LARGE, mediaType(e), body(body, e));
      }
    };
  }

  /** An error answer with a {@code google.rpc.Status} body in the request's encoding. */
  public static HttpResponse status(HttpStatus httpStatus, Code code, String message, Encoding encoding) {
    com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
        .setCode(code.getNumber()).setMessage(message).build();
    return HttpResponse.of(ResponseHeaders.of(httpStatus, HttpHeaderNames.CONTENT_TYPE, mediaType(encoding)),
        com.linecorp.armeria.common.HttpData.wrap(body(status, encoding)));
  }

  private static byte[] body(Message message, Encoding encoding) {
    return encoding == Encoding.JSON
        ? OtlpJson.print(message).getBytes(java.nio.charset.StandardCharsets.UTF_8)
        : message.toByteArray();
  }

  private static MediaType mediaType(Encoding encoding) {
    return encoding == Encoding.JSON ? MediaType.JSON : PROTOBUF;
  }

  static Encoding encodingOf(MediaType type) {
    if (type == null) return null;
    if (type.is(MediaType.JSON)) return Encoding.JSON;
    if (type.is(PROTOBUF) || type.is(MediaType.PROTOBUF)) return Encoding.PROTOBUF;
    return null;
  }
}
