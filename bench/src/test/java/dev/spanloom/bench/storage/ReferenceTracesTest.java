package dev.spanloom.bench.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Span;
import dev.spanloom.model.SpanId;
import dev.spanloom.model.TraceId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ReferenceTracesTest {
  static final long END = 1_750_000_000_000_000_000L;
  static final long START = END - 3_600_000_000_000L;

  static ReferenceTraces traces(int chunks, int spansPerChunk) {
    return new ReferenceTraces(7, 50, START, END, chunks, spansPerChunk);
  }

  @Test
  void sameSeedAndChunkGiveTheSameSpans() {
    assertThat(traces(10, 512).chunk(4).spans()).isEqualTo(traces(10, 512).chunk(4).spans());
  }

  @Test
  void chunksShareNoTraceId() {
    ReferenceTraces t = traces(20, 256);
    Set<TraceId> seen = new HashSet<>();
    int total = 0;
    for (int c = 0; c < t.chunks(); c++) {
      List<TraceId> ids = t.chunk(c).traceIds();
      seen.addAll(ids);
      total += ids.size();
    }
    assertThat(seen).hasSize(total);
  }

  @Test
  void chunkHoldsWholeTracesOfAtLeastTheAskedSpans() {
    ReferenceTraces.Chunk c = traces(10, 1000).chunk(2);

    assertThat(c.spans().size()).isGreaterThanOrEqualTo(1000);
    Map<TraceId, List<Span>> byTrace = byTrace(c.spans());
    assertThat(byTrace.keySet()).containsExactlyInAnyOrderElementsOf(c.traceIds());
    for (int i = 0; i < c.traceIds().size(); i++) {
      List<Span> spans = byTrace.get(c.traceIds().get(i));
      assertThat(spans).hasSize(c.traceSpanCounts().get(i));
      assertThat(spans.stream().filter(Span::isRoot)).hasSize(1);
      Set<SpanId> ids = spans.stream().map(Span::spanId).collect(Collectors.toSet());
      assertThat(spans).allSatisfy(s -> assertThat(s.isRoot() || ids.contains(s.parentSpanId())).isTrue());
    }
  }

  @Test
  void tracesStartInTheirChunksSliceOfTheRange() {
    ReferenceTraces t = traces(10, 500);
    long slice = (END - START) / 10;
    for (Span root : roots(t.chunk(6).spans())) {
      assertThat(root.startEpochNanos()).isBetween(START + 6 * slice, START + 7 * slice - 1);
    }
  }

  @Test
  void orderTraceFollowsTheReferenceShape() {
    List<Span> spans = traces(10, 2000).chunk(0).spans();
    Span handler = spans.stream().filter(s -> s.serviceName().equals("order-service") && s.name().equals("create_order"))
        .findFirst().orElseThrow();
    List<Span> trace = byTrace(spans).get(handler.traceId());
    Span root = trace.stream().filter(Span::isRoot).findFirst().orElseThrow();

    assertThat(root.serviceName()).isEqualTo("api-gateway");
    assertThat(root.name()).isEqualTo("POST /api/order");
    assertThat(children(trace, root)).containsExactlyInAnyOrder(
        "auth-service validate_token", "order-service create_order", "notification-service send_email");
    assertThat(children(trace, handler)).containsExactlyInAnyOrder(
        "order-service INSERT orders", "order-service order.created publish");
    assertThat(trace).allSatisfy(s -> assertThat(s.endEpochNanos()).isLessThanOrEqualTo(root.endEpochNanos()));
  }

  @Test
  void serviceXAppearsOnlyInNeedlesAndDecoys() {
    ReferenceTraces t = traces(50, 200);
    Set<TraceId> needles = new HashSet<>();
    Set<TraceId> decoys = new HashSet<>();
    Set<TraceId> withX = new HashSet<>();
    Set<TraceId> withX500 = new HashSet<>();
    for (int c = 0; c < t.chunks(); c++) {
      ReferenceTraces.Chunk chunk = t.chunk(c);
      needles.addAll(chunk.needles());
      decoys.addAll(chunk.decoys());
      for (Span s : chunk.spans()) {
        if (!s.serviceName().equals(ReferenceTraces.NEEDLE_SERVICE)) continue;
        withX.add(s.traceId());
        if (AttributeValue.of(500L).equals(s.attributes().get("http.response.status_code"))) withX500.add(s.traceId());
      }
    }

    assertThat(needles).hasSize(ReferenceTraces.NEEDLE_POSITIONS.length);
    assertThat(decoys).hasSize(ReferenceTraces.DECOY_POSITIONS.length);
    assertThat(withX500).isEqualTo(needles);
    Set<TraceId> both = new HashSet<>(needles);
    both.addAll(decoys);
    assertThat(withX).isEqualTo(both);
  }

  @Test
  void rejectsFewerServicesThanTheShapeNeeds() {
    assertThatThrownBy(() -> new ReferenceTraces(1, 3, START, END, 1, 1))
        .hasMessage("services: 3 (expected: >= 4)");
  }

  private static Map<TraceId, List<Span>> byTrace(List<Span> spans) {
    Map<TraceId, List<Span>> out = new LinkedHashMap<>();
    for (Span s : spans) out.computeIfAbsent(s.traceId(), id -> new ArrayList<>()).add(s);
    return out;
  }

  private static List<Span> roots(List<Span> spans) {
    return spans.stream().filter(Span::isRoot).toList();
  }

  private static List<String> children(List<Span> trace, Span parent) {
    return trace.stream().filter(s -> parent.spanId().equals(s.parentSpanId()))
        .map(s -> s.serviceName() + " " + s.name()).toList();
  }
}
