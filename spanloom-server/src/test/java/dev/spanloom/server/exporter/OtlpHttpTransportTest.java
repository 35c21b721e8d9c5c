package dev.spanloom.server.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.ResponseHeaders;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

/** How OTLP/HTTP answers are classified, as the OTLP specification says. */
class OtlpHttpTransportTest {

  private static ExportOutcome answer(int status, String retryAfter) {
    var headers = ResponseHeaders.builder(status);
    if (retryAfter != null) headers.set("retry-after", retryAfter);
    return OtlpHttpTransport.classify(AggregatedHttpResponse.of(headers.build(), HttpData.empty()));
  }

  @Test
  void throttlingAndGatewayErrorsAreRetryable() {
    for (int status : new int[] {429, 502, 503, 504}) {
      assertThat(answer(status, null).kind()).as("HTTP %d", status).isEqualTo(ExportOutcome.Kind.RETRYABLE);
    }
  }

  @Test
  void otherErrorsArePermanent() {
    for (int status : new int[] {400, 401, 403, 404, 413, 500}) {
      assertThat(answer(status, null).kind()).as("HTTP %d", status).isEqualTo(ExportOutcome.Kind.PERMANENT);
    }
  }

  @Test
  void retryAfterInSecondsIsTheDelay() {
    assertThat(answer(503, "7").retryAfter()).isEqualTo(Duration.ofSeconds(7));
    assertThat(answer(429, null).retryAfter()).isEqualTo(Duration.ZERO);
  }

  @Test
  void retryAfterAsAnHttpDateIsTheTimeUntilThen() {
    String inAMinute = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60));

    assertThat(OtlpHttpTransport.retryAfter(inAMinute)).isBetween(Duration.ofSeconds(50), Duration.ofSeconds(61));
    assertThat(OtlpHttpTransport.retryAfter("soon")).isNull();
  }

  @Test
  void anEmptySuccessIsAcceptedWithNothingRejected() {
    ExportOutcome ok = answer(200, null);

    assertThat(ok.kind()).isEqualTo(ExportOutcome.Kind.ACCEPTED);
    assertThat(ok.rejectedSpans()).isZero();
  }
}
