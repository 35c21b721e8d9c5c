package dev.spanloom.server.receiver;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.spanloom.otlp.MalformedRequestException;
import dev.spanloom.otlp.OtlpTranslator;
import dev.spanloom.receivers.jaeger.JaegerThriftDecoder;
import java.util.concurrent.CompletableFuture;

/**
 * The Jaeger collector's {@code POST /api/traces}: a thrift {@code Batch} in the binary protocol
 * ({@code application/x-thrift} or {@code application/vnd.apache.thrift.binary}), as
 * jaeger-client's {@code HttpSender} posts it. Answers 202 once the spans are stored, as Jaeger's
 * collector does.
 */
public final class JaegerThriftHttpService implements HttpService {
  static final String TRANSPORT = "thrift_http";
  private static final MediaType X_THRIFT = MediaType.parse("application/x-thrift");
  private static final MediaType THRIFT_BINARY = MediaType.parse("application/vnd.apache.thrift.binary");

  private final ReceiverIngest ingest;

  public JaegerThriftHttpService(ReceiverIngest ingest) {
    this.ingest = ingest;
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    MediaType type = req.contentType();
    if (type == null || !(type.is(X_THRIFT) || type.is(THRIFT_BINARY))) {
      ingest.metrics().refusedRequest(ingest.receiverId(), TRANSPORT, ReceiverMetrics.UNSUPPORTED_MEDIA_TYPE);
      return IngestHttpAnswers.unsupportedMediaType(type, "application/x-thrift or application/vnd.apache.thrift.binary");
    }
    return HttpResponse.of(req.aggregate().thenCompose(this::handle));
  }

  private CompletableFuture<HttpResponse> handle(AggregatedHttpRequest agg) {
    OtlpTranslator.Decoded decoded;
    try {
      decoded = JaegerThriftDecoder.decode(agg.content().array());
    } catch (MalformedRequestException e) {
      ingest.metrics().refusedRequest(ingest.receiverId(), TRANSPORT, ReceiverMetrics.MALFORMED);
      return CompletableFuture.completedFuture(IngestHttpAnswers.badRequest(e.getMessage()));
    }
    return ingest.export(decoded, TRANSPORT).handle((response, error) ->
        error == null ? IngestHttpAnswers.accepted(decoded) : IngestHttpAnswers.refused(error));
  }
}
