package dev.spanloom.server.receiver;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.spanloom.otlp.MalformedRequestException;
import dev.spanloom.otlp.OtlpTranslator;
import dev.spanloom.receivers.zipkin.ZipkinRequestDecoder;
import dev.spanloom.receivers.zipkin.ZipkinRequestDecoder.Encoding;
import java.util.concurrent.CompletableFuture;

/**
 * Zipkin's {@code POST /api/v2/spans}: a JSON v2 list (also without a Content-Type, as Zipkin
 * allows) or proto3 {@code ListOfSpans} ({@code application/x-protobuf}); gzip is undone by a
 * decorator in front. Answers 202 once the spans are stored, as Zipkin's collector does; an empty
 * list is fine.
 */
public final class ZipkinHttpService implements HttpService {
  static final String TRANSPORT = "zipkin_http";

  private final ReceiverIngest ingest;

  public ZipkinHttpService(ReceiverIngest ingest) {
    this.ingest = ingest;
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    MediaType type = req.contentType();
    Encoding encoding;
    if (type == null || type.is(MediaType.JSON) || type.is(MediaType.PLAIN_TEXT)) {
      encoding = Encoding.JSON;
    } else if (type.is(OtlpHttpService.PROTOBUF) || type.is(MediaType.PROTOBUF)) {
      encoding = Encoding.PROTO3;
    } else {
      ingest.metrics().refusedRequest(ingest.receiverId(), TRANSPORT, ReceiverMetrics.UNSUPPORTED_MEDIA_TYPE);
      return IngestHttpAnswers.unsupportedMediaType(type, "application/json or application/x-protobuf");
    }
    return HttpResponse.of(req.aggregate().thenCompose(agg -> handle(agg, encoding)));
  }

  private CompletableFuture<HttpResponse> handle(AggregatedHttpRequest agg, Encoding encoding) {
    OtlpTranslator.Decoded decoded;
    try {
      decoded = ZipkinRequestDecoder.decode(agg.content().array(), encoding);
    } catch (MalformedRequestException e) {
      ingest.metrics().refusedRequest(ingest.receiverId(), TRANSPORT, ReceiverMetrics.MALFORMED);
      return CompletableFuture.completedFuture(IngestHttpAnswers.badRequest(e.getMessage()));
    }
    return ingest.export(decoded, TRANSPORT).handle((response, error) ->
        error == null ? IngestHttpAnswers.accepted(decoded) : IngestHttpAnswers.refused(error));
  }
}
