package dev.spanloom.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spanloom.model.Span;
import dev.spanloom.model.SpanId;
import dev.spanloom.model.TraceId;
import dev.spanloom.otlp.OtlpJson;
import dev.spanloom.otlp.OtlpTranslator;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SyntheticTracesTest {
  static final long END = 1_750_000_000_000_000_000L;

  @Test
  void requestCarriesExactlyTheAskedSpansOverTheAskedServices() {
    ExportTraceServiceRequest request = SyntheticTraces.create(8, 1).request(510, 8, END);

    assertThat(request.getResourceSpansCount()).isEqualTo(8);
    assertThat(OtlpTranslator.decode(request).spans()).hasSize(510);
  }

  @Test
  void everySpanDecodesWithoutRejection() {
    OtlpTranslator.Decoded decoded = OtlpTranslator.decode(SyntheticTraces.create(8, 1).request(512, 8, END));

    assertThat(decoded.rejected()).isZero();
    assertThat(decoded.spans()).allSatisfy(s -> assertThat(s.endEpochNanos()).isLessThanOrEqualTo(END));
  }

  @Test
  void childrenShareTheirRootsTraceIdAndPointToASpanOfTheSameTrace() {
    List<Span> spans = OtlpTranslator.decode(SyntheticTraces.create(4, 1).request(256, 4, END)).spans();
    Map<TraceId, List<Span>> traces = spans.stream().collect(Collectors.groupingBy(Span::traceId));

    assertThat(traces).hasSize(256 / SyntheticTraces.SPANS_PER_TRACE);
    traces.values().forEach(trace -> {
      Set<SpanId> ids = trace.stream().map(Span::spanId).collect(Collectors.toSet());
      assertThat(trace).filteredOn(s -> s.parentSpanId() == null).hasSize(1);
      assertThat(trace).filteredOn(s -> s.parentSpanId() != null)
          .allSatisfy(s -> assertThat(ids).contains(s.parentSpanId()));
    });
  }

  @Test
  void consecutiveRequestsUseFreshTraceIds() {
    SyntheticTraces traces = SyntheticTraces.create(8, 1);
    Set<TraceId> first = new HashSet<>();
    OtlpTranslator.decode(traces.request(64, 8, END)).spans().forEach(s -> first.add(s.traceId()));

    assertThat(OtlpTranslator.decode(traces.request(64, 8, END)).spans())
        .noneMatch(s -> first.contains(s.traceId()));
  }

  @Test
  void otlpJsonFixtureParsesBackToTheSameRequest() {
    ExportTraceServiceRequest request = SyntheticTraces.create(8, 1).request(128, 8, END);

    byte[] json = SyntheticTraces.toOtlpJson(request);

    assertThat(new String(json, java.nio.charset.StandardCharsets.UTF_8)).contains("\"traceId\":\"");
    assertThat(OtlpJson.parseRequest(json)).isEqualTo(request);
  }
}
