package dev.spanloom.server.exporter;

import com.google.protobuf.InvalidProtocolBufferException;
import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.client.WebClientBuilder;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.CompletableFuture;
import java.util.zip.GZIPOutputStream;

/**
 * OTLP/HTTP: {@code POST} of a protobuf {@code ExportTraceServiceRequest}, gzipped unless
 * {@code compression: none}. As the OTLP specification says, 429, 502, 503 and 504 are retried
 * (after {@code Retry-After} when given); any other error status is permanent.
 */
final class OtlpHttpTransport implements OtlpTransport {
  private static final int MAX_MESSAGE_CHARS = 256;

  private final WebClient client;
  private final String path;
  private final OtlpExporterSettings settings;

  OtlpHttpTransport(OtlpExporterSettings settings, ClientFactory factory) {
    this.settings = settings;
    java.net.URI target = settings.target();
    String base = target.getScheme() + "://" + target.getRawAuthority();
    String p = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
    path = target.getRawQuery() == null ? p : p + "?" + target.getRawQuery();
    WebClientBuilder builder = WebClient.builder(base).factory(factory).responseTimeout(settings.timeout());
    settings.headers().forEach(builder::setHeader);
    client = builder.build();
  }

  @Override
  public CompletableFuture<ExportOutcome> export(ExportTraceServiceRequest request) {
    RequestHeadersBuilder headers = RequestHeaders.builder(HttpMethod.POST, path).contentType(MediaType.X_PROTOBUF);
    byte[] body = request.toByteArray();
    if (settings.gzip()) {
      headers.set(HttpHeaderNames.CONTENT_ENCODING, "gzip");
      body = gzip(body);
    }
    try {
      return client.execute(HttpRequest.of(headers.build(), HttpData.wrap(body))).aggregate()
          .handle((response, error) -> error == null ? classify(response)
              : ExportOutcome.retryable(null, String.valueOf(rootCause(error))));
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(ExportOutcome.retryable(null, e.toString()));
    }
  }

  private static Throwable rootCause(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) c = c.getCause();
    return c;
  }

  static ExportOutcome classify(AggregatedHttpResponse response) {
    int code = response.status().code();
    if (code >= 200 && code < 300) {
      try {
        ExportTraceServiceResponse parsed = ExportTraceServiceResponse.parseFrom(response.content().array());
        return ExportOutcome.accepted(parsed.getPartialSuccess().getRejectedSpans(), parsed.getPartialSuccess().getErrorMessage());
      } catch (InvalidProtocolBufferException e) {
        return ExportOutcome.accepted(0, ""); // a 2xx whose body is not OTLP (a proxy's): the spans were taken
      }
    }
    String message = "HTTP " + code + describeBody(response);
    return switch (code) {
      case 429, 502, 503, 504 -> ExportOutcome.retryable(retryAfter(response.headers().get(HttpHeaderNames.RETRY_AFTER)), message);
      default -> ExportOutcome.permanent(message);
    };
  }

  /** {@code Retry-After} in seconds or as an HTTP date; null when absent or unreadable. */
  static Duration retryAfter(String value) {
    if (value == null || value.isBlank()) return null;
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
    } catch (NumberFormatException e) {
      try {
        Duration d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException notADate) {
        return null;
      }
    }
  }

  private static String describeBody(AggregatedHttpResponse response) {
    MediaType type = response.contentType();
    if (response.content().isEmpty() || type == null) return "";
    if (type.is(MediaType.PROTOBUF) || type.is(MediaType.X_PROTOBUF)) { // the OTLP error body: a google.rpc.Status
      try {
        return ": " + com.google.rpc.Status.parseFrom(response.content().array()).getMessage();
      } catch (InvalidProtocolBufferException e) {
        return "";
      }
    }
    if (!type.is(MediaType.ANY_TEXT_TYPE)) return "";
    String text = response.content().toString(StandardCharsets.UTF_8).strip();
    return ": " + (text.length() > MAX_MESSAGE_CHARS ? text.substring(0, MAX_MESSAGE_CHARS) + "…" : text);
  }

  private static byte[] gzip(byte[] raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 4 + 64);
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(raw);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in memory: cannot happen
    }
    return out.toByteArray();
  }
}
