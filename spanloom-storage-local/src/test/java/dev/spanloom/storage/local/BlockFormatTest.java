package dev.spanloom.storage.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spanloom.model.Span;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.TraceId;
import dev.spanloom.storage.SpanName;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BlockFormatTest {
  @Test
  void bloomFilterHasNoFalseNegativesAndFewFalsePositives() {
    Random random = new Random(1);
    BloomFilter bloom = BloomFilter.withExpectedEntries(10_000);
    TraceId[] added = new TraceId[10_000];
    for (int i = 0; i < added.length; i++) {
      added[i] = new TraceId(random.nextLong(), random.nextLong());
      bloom.add(added[i]);
    }
    int falsePositives = 0;
    for (int i = 0; i < 10_000; i++) {
      if (bloom.mightContain(new TraceId(random.nextLong(), random.nextLong()))) falsePositives++;
    }

    for (TraceId id : added) assertThat(bloom.mightContain(id)).isTrue();
    assertThat(falsePositives).isLessThan(300); // ~1% expected
  }

  @Test
  void bloomFilterRoundTrips() {
    BloomFilter bloom = BloomFilter.withExpectedEntries(3);
    bloom.add(new TraceId(1, 2));
    WriteBuffer out = new WriteBuffer(64);
    bloom.writeTo(out);

    BloomFilter back = BloomFilter.readFrom(new ReadBuffer(out.toByteArray()));

    assertThat(back.mightContain(new TraceId(1, 2))).isTrue();
  }

  @Test
  void stringFilterIsExactWhenSmallAndBloomBeyond() {
    StringFilter small = StringFilter.of(List.of("frontend", "backend"));
    assertThat(small.values()).containsExactly("backend", "frontend");
    assertThat(small.mightContain("billing")).isFalse();

    List<String> many = java.util.stream.IntStream.range(0, 500).mapToObj(i -> "span " + i).toList();
    StringFilter big = StringFilter.of(many);
    WriteBuffer out = new WriteBuffer(64);
    big.writeTo(out);
    StringFilter back = StringFilter.readFrom(new ReadBuffer(out.toByteArray()));

    assertThat(back.values()).isNull();
    for (String s : many) assertThat(back.mightContain(s)).isTrue();
  }

  @Test
  void spanNameCatalogRoundTripsWithEveryKindOfAName() {
    Span query = Spans.span(Spans.traceId(1), 1, Spans.BACKEND, "query");
    List<Span> spans = List.of(query, query.toBuilder().kind(SpanKind.SERVER).build(),
        Spans.span(Spans.traceId(1), 0, Spans.FRONTEND, "GET /"));
    SpanNameCatalog catalog = catalogOf(spans);

    SpanNameCatalog back = SpanNameCatalog.readFrom(new ReadBuffer(bytesOf(catalog)));

    assertThat(back.serviceNames()).containsExactlyInAnyOrder("backend", "frontend");
    List<SpanName> backend = new ArrayList<>();
    back.addSpanNamesTo("backend", backend);
    assertThat(backend).containsExactlyInAnyOrder(
        new SpanName("query", SpanKind.SERVER), new SpanName("query", SpanKind.CLIENT));
    assertThat(back.hasSpanName("GET /")).isTrue();
    assertThat(back.hasSpanName("query 2")).isFalse();
    // Written sorted: the same spans in another order make the same bytes.
    List<Span> reversed = new ArrayList<>(spans);
    Collections.reverse(reversed);
    assertThat(bytesOf(catalogOf(reversed))).isEqualTo(bytesOf(catalog));
  }

  @Test
  void spanNameCatalogWithAnUnknownKindIsRefused() {
    WriteBuffer out = new WriteBuffer(64);
    out.writeVarint(1);
    out.writeUtf8("backend");
    out.writeVarint(1);
    out.writeUtf8("query");
    out.writeVarint(1 << SpanKind.values().length);

    assertThatThrownBy(() -> SpanNameCatalog.readFrom(new ReadBuffer(out.toByteArray())))
        .isInstanceOf(CorruptDataException.class)
        .hasMessageContaining("span name kinds");
  }

  private static SpanNameCatalog catalogOf(List<Span> spans) {
    SpanNameCatalog catalog = new SpanNameCatalog();
    for (Span s : spans) catalog.add(s);
    return catalog;
  }

  private static byte[] bytesOf(SpanNameCatalog catalog) {
    WriteBuffer out = new WriteBuffer(64);
    catalog.writeTo(out);
    return out.toByteArray();
  }

  @Test
  void metaRoundTripsThroughJson() {
    BlockMeta meta = new BlockMeta(BlockMeta.FORMAT_VERSION, "3f2a", 2, 1_700_000_000_000L, 10, 55, 3, -5, Long.MAX_VALUE,
        0, 1_000_000, 17, 4096);

    assertThat(BlockMeta.fromJson(meta.toJson())).isEqualTo(meta);
  }

  @Test
  void metaOfAnotherFormatVersionIsRefused() {
    byte[] json = "{\"format\": 3, \"blockId\": \"x\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    assertThatThrownBy(() -> BlockMeta.fromJson(json))
        .isInstanceOf(CorruptDataException.class)
        .hasMessageContaining("block format 3");
  }
}
