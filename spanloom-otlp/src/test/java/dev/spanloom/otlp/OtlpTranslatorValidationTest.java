package dev.spanloom.otlp;

import static dev.spanloom.otlp.TestRequests.START_NANOS;
import static dev.spanloom.otlp.TestRequests.TRACE_ID;
import static dev.spanloom.otlp.TestRequests.request;
import static dev.spanloom.otlp.TestRequests.span;
import static dev.spanloom.otlp.TestRequests.spanId;
import static dev.spanloom.otlp.TestRequests.zeros;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spanloom.model.Span;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import org.junit.jupiter.api.Test;

/** Spans a client can fix are refused one by one, with the fix in the message; the rest are kept. */
class OtlpTranslatorValidationTest {

  @Test
  void rejectsSpanWithAllZeroTraceId() {
    OtlpTranslator.Decoded decoded = decode(span("zero trace").setTraceId(zeros(16)));

    assertThat(decoded.spans()).isEmpty();
    assertThat(decoded.rejected()).isEqualTo(1);
    assertThat(decoded.firstProblem())
        .isEqualTo("span 0 (name \"zero trace\"): trace_id: all zero (expected: a non-zero 16-byte ID)");
  }

  @Test
  void rejectsSpanWithAllZeroSpanId() {
    OtlpTranslator.Decoded decoded = decode(span("zero span").setSpanId(zeros(8)));

    assertThat(decoded.rejected()).isEqualTo(1);
    assertThat(decoded.firstProblem())
        .isEqualTo("span 0 (name \"zero span\"): span_id: all zero (expected: a non-zero 8-byte ID)");
  }

  @Test
  void rejectsSpanWithTraceIdOf15Bytes() {
    OtlpTranslator.Decoded decoded = decode(span("short").setTraceId(TRACE_ID.substring(0, 15)));

    assertThat(decoded.rejected()).isEqualTo(1);
    assertThat(decoded.firstProblem()).endsWith("trace_id: 15 bytes (expected: 16)");
  }

  @Test
  void rejectsSpanWithoutTraceId() {
    OtlpTranslator.Decoded decoded = decode(span("none").clearTraceId());

    assertThat(decoded.firstProblem()).endsWith("trace_id: 0 bytes (expected: 16)");
  }

  @Test
  void rejectsSpanWithSpanIdOf9Bytes() {
    OtlpTranslator.Decoded decoded = decode(span("long").setSpanId(TRACE_ID.substring(0, 9)));

    assertThat(decoded.rejected()).isEqualTo(1);
    assertThat(decoded.firstProblem()).endsWith("span_id: 9 bytes (expected: 8)");
  }

  @Test
  void rejectsSpanWithParentSpanIdOf4Bytes() {
    OtlpTranslator.Decoded decoded = decode(span("parent").setParentSpanId(TRACE_ID.substring(0, 4)));

    assertThat(decoded.rejected()).isEqualTo(1);
    assertThat(decoded.firstProblem()).endsWith("parent_span_id: 4 bytes (expected: 8, or empty for a root span)");
  }

  @Test
  void rejectsSpanWithLinkTraceIdOf8Bytes() {
    OtlpTranslator.Decoded decoded = decode(span("link").addLinks(
        io.opentelemetry.proto.trace.v1.Span.Link.newBuilder().setTraceId(TRACE_ID.substring(0, 8)).setSpanId(spanId(1))));

    assertThat(decoded.rejected()).isEqualTo(1);
    assertThat(decoded.firstProblem()).endsWith("links: trace_id/span_id of 8/8 bytes (expected: 16/8)");
  }

  @Test
  void rejectsSpanWithLinkSpanIdOf16Bytes() {
    OtlpTranslator.Decoded decoded = decode(span("link").addLinks(
        io.opentelemetry.proto.trace.v1.Span.Link.newBuilder().setTraceId(TRACE_ID).setSpanId(TRACE_ID)));

    assertThat(decoded.rejected()).isEqualTo(1);
    assertThat(decoded.firstProblem()).endsWith("links: trace_id/span_id of 16/16 bytes (expected: 16/8)");
  }

  @Test
  void rejectsSpanWithLinkWithoutIds() {
    OtlpTranslator.Decoded decoded = decode(span("link").addLinks(io.opentelemetry.proto.trace.v1.Span.Link.getDefaultInstance()));

    assertThat(decoded.firstProblem()).endsWith("links: trace_id/span_id of 0/0 bytes (expected: 16/8)");
  }

  @Test
  void rejectsSpanWithStartTimeZero() {
    OtlpTranslator.Decoded decoded = decode(span("no start").setStartTimeUnixNano(0));

    assertThat(decoded.rejected()).isEqualTo(1);
    assertThat(decoded.firstProblem())
        .isEqualTo("span 0 (name \"no start\"): start_time_unix_nano: 0 (expected: > 0)");
  }

  @Test
  void rejectsSpanThatEndsBeforeItStarts() {
    OtlpTranslator.Decoded decoded = decode(span("backwards").setEndTimeUnixNano(START_NANOS - 1));

    assertThat(decoded.rejected()).isEqualTo(1);
    assertThat(decoded.firstProblem()).endsWith("end_time_unix_nano: " + (START_NANOS - 1)
        + " (expected: >= start_time_unix_nano " + START_NANOS + ")");
  }

  @Test
  void rejectsSpanWithoutEndTime() {
    OtlpTranslator.Decoded decoded = decode(span("open").setEndTimeUnixNano(0));

    assertThat(decoded.rejected()).isEqualTo(1);
    assertThat(decoded.firstProblem()).contains("end_time_unix_nano: 0");
  }

  @Test
  void acceptsSpanThatEndsWhenItStarts() {
    OtlpTranslator.Decoded decoded = decode(span("instant").setEndTimeUnixNano(START_NANOS));

    assertThat(decoded.rejected()).isZero();
    assertThat(decoded.spans()).hasSize(1);
  }

  @Test
  void keepsTheValidSpansOfARequestWithRejectedOnes() {
    OtlpTranslator.Decoded decoded = decode(
        span("good-1").setSpanId(spanId(1)),
        span("bad-1").setSpanId(zeros(8)),
        span("good-2").setSpanId(spanId(2)),
        span("bad-2").setStartTimeUnixNano(0),
        span("good-3").setSpanId(spanId(3)));

    assertThat(decoded.spans()).extracting(Span::name).containsExactly("good-1", "good-2", "good-3");
    assertThat(decoded.rejected()).isEqualTo(2);
  }

  @Test
  void reportsOnlyTheFirstProblemByIndexAndName() {
    OtlpTranslator.Decoded decoded = decode(
        span("good").setSpanId(spanId(1)),
        span("bad-1").setSpanId(zeros(8)),
        span("bad-2").setStartTimeUnixNano(0));

    assertThat(decoded.firstProblem())
        .isEqualTo("span 1 (name \"bad-1\"): span_id: all zero (expected: a non-zero 8-byte ID)");
  }

  @Test
  void countsSpanIndexAcrossResourcesAndScopes() {
    ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .addScopeSpans(ScopeSpans.newBuilder().addSpans(span("a").setSpanId(spanId(1))))
            .addScopeSpans(ScopeSpans.newBuilder().addSpans(span("b").setSpanId(spanId(2)))))
        .addResourceSpans(ResourceSpans.newBuilder()
            .addScopeSpans(ScopeSpans.newBuilder().addSpans(span("c").setSpanId(zeros(8)))))
        .build();

    OtlpTranslator.Decoded decoded = OtlpTranslator.decode(request);

    assertThat(decoded.firstProblem()).startsWith("span 2 (name \"c\"): ");
  }

  @Test
  void errorMessageCountsRejectedOfAllSpansAndGivesTheFirstProblem() {
    OtlpTranslator.Decoded decoded = decode(
        span("good").setSpanId(spanId(1)),
        span("bad-1").setTraceId(zeros(16)),
        span("bad-2").setSpanId(zeros(8)));

    assertThat(decoded.errorMessage()).isEqualTo("2 of 3 spans rejected; first: span 1 (name \"bad-1\"): "
        + "trace_id: all zero (expected: a non-zero 16-byte ID)");
  }

  @Test
  void errorMessageIsEmptyWhenNothingWasRejected() {
    OtlpTranslator.Decoded decoded = decode(span("good"));

    assertThat(decoded.rejected()).isZero();
    assertThat(decoded.firstProblem()).isEmpty();
    assertThat(decoded.errorMessage()).isEmpty();
  }

  private static OtlpTranslator.Decoded decode(io.opentelemetry.proto.trace.v1.Span.Builder... spans) {
    return OtlpTranslator.decode(request(spans));
  }
}
