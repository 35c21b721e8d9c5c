package dev.spanloom.storage.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spanloom.model.Span;
import dev.spanloom.model.TraceId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpanBatchCodecTest {
  private final SpanBatchEncoder encoder = new SpanBatchEncoder();

  private byte[] encode(List<Span> spans) {
    WriteBuffer out = new WriteBuffer(64);
    encoder.encode(spans, out);
    return out.toByteArray();
  }

  @Test
  void roundTripsEveryField() {
    Span span = Spans.everyField();

    List<Span> decoded = SpanBatchDecoder.decode(encode(List.of(span)));

    assertThat(decoded).containsExactly(span);
    Span back = decoded.get(0);
    assertThat(back.events()).isEqualTo(span.events());
    assertThat(back.links()).isEqualTo(span.links());
    assertThat(back.resource()).isEqualTo(span.resource());
    assertThat(back.scope()).isEqualTo(span.scope());
    assertThat(back.flags()).isEqualTo(0x301);
  }

  @Test
  void roundTripsRootSpanAndDefaults() {
    Span root = Span.builder().traceId(new TraceId(0, 1)).spanId(new dev.spanloom.model.SpanId(1)).build();

    assertThat(SpanBatchDecoder.decode(encode(List.of(root)))).containsExactly(root);
  }

  @Test
  void roundTripsInterleavedTracesInOrder() {
    List<Span> spans = new ArrayList<>();
    List<Span> a = Spans.trace(Spans.traceId(1), 3);
    List<Span> b = Spans.trace(Spans.traceId(2), 3);
    for (int i = 0; i < 3; i++) {
      spans.add(a.get(i));
      spans.add(b.get(i));
    }
    spans.add(Spans.everyField());

    assertThat(SpanBatchDecoder.decode(encode(spans))).containsExactlyElementsOf(spans);
  }

  @Test
  void encoderIsReusable() {
    List<Span> first = Spans.trace(Spans.traceId(1), 5);
    List<Span> second = List.of(Spans.everyField());
    encode(first);

    assertThat(SpanBatchDecoder.decode(encode(second))).containsExactlyElementsOf(second);
  }

  @Test
  void sharesResourcesAcrossSpansOfABatch() {
    List<Span> spans = Spans.trace(Spans.traceId(1), 50);
    List<Span> decoded = SpanBatchDecoder.decode(encode(spans));

    assertThat(decoded.get(1).resource()).isSameAs(decoded.get(2).resource());
  }

  @Test
  void filtersByTraceId() {
    List<Span> spans = new ArrayList<>(Spans.trace(Spans.traceId(1), 3));
    spans.addAll(Spans.trace(Spans.traceId(2), 4));

    List<Span> decoded = SpanBatchDecoder.decode(
        new ReadBuffer(encode(spans)), Spans.traceId(2)::equals);

    assertThat(decoded).containsExactlyElementsOf(spans.subList(3, 7));
  }

  @Test
  void skipsEveryFieldOfUnwantedRowsExactly() {
    // Rows of other traces, with every attribute type, events and links, sit between wanted ones:
    // skipping them must consume each column exactly as reading would.
    Span full = Spans.everyField();
    Span other = full.toBuilder().traceId(Spans.traceId(9)).build();
    List<Span> wanted = Spans.trace(Spans.traceId(2), 2);
    List<Span> spans = List.of(other, wanted.get(0), other.toBuilder().spanId(new dev.spanloom.model.SpanId(77)).build(),
        wanted.get(1), full);

    List<Span> decoded = SpanBatchDecoder.decode(new ReadBuffer(encode(spans)), Spans.traceId(2)::equals);

    assertThat(decoded).containsExactlyElementsOf(wanted);
  }

  @Test
  void truncatedBatchIsCorruptNotACrash() {
    byte[] bytes = encode(List.of(Spans.everyField()));
    for (int len = 0; len < bytes.length; len++) {
      byte[] cut = Arrays.copyOf(bytes, len);
      assertThatThrownBy(() -> SpanBatchDecoder.decode(cut)).isInstanceOf(CorruptDataException.class);
    }
  }

  @Test
  void isCompact() {
    List<Span> spans = Spans.trace(Spans.traceId(1), 100);

    assertThat(encode(spans).length / 100).isLessThan(60);
  }
}
