package dev.spanloom.storage.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Attributes;
import dev.spanloom.model.Resource;
import dev.spanloom.model.Span;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.TraceId;
import dev.spanloom.storage.AttributeEquality;
import dev.spanloom.storage.AttributeEquality.Scope;
import dev.spanloom.storage.SpanName;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
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
    byte[] json = "{\"format\": 4, \"blockId\": \"x\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    assertThatThrownBy(() -> BlockMeta.fromJson(json))
        .isInstanceOf(CorruptDataException.class)
        .hasMessageContaining("block format 4");
  }

  // ---------------------------------------------------------------- attribute-value filters (format 3)

  static AttributeEquality eq(Scope scope, String key, AttributeValue value) {
    return new AttributeEquality(scope, key, value);
  }

  static RowGroupInfo rowGroup(StringFilter attributeValues) {
    return new RowGroupInfo(new TraceId(1, 2), new TraceId(3, 4), 8, 100, 200, 42, 5, 2, 10, 20, 1, 9,
        StringFilter.of(List.of("frontend")), StringFilter.of(List.of("GET /")), attributeValues);
  }

  @Test
  void rowGroupInfoRoundTripsWithItsAttributeValueFilter() {
    AttributeValueFilter.Collector c = new AttributeValueFilter.Collector();
    c.add(Spans.span(Spans.traceId(1), 3, Spans.FRONTEND, "GET /"));
    RowGroupInfo rg = rowGroup(StringFilter.of(c.entries()));
    WriteBuffer out = new WriteBuffer(64);
    rg.writeTo(out);

    RowGroupInfo back = RowGroupInfo.readFrom(new ReadBuffer(out.toByteArray()), BlockMeta.FORMAT_VERSION);

    assertThat(back.attributeValues().values()).isEqualTo(rg.attributeValues().values());
    assertThat(back.spanNames().values()).containsExactly("GET /");
    assertThat(AttributeValueFilter.mayHold(back.attributeValues(), eq(Scope.SPAN, "n", AttributeValue.of(3)))).isTrue();
    assertThat(AttributeValueFilter.mayHold(back.attributeValues(), eq(Scope.SPAN, "n", AttributeValue.of(4)))).isFalse();
  }

  @Test
  void rowGroupInfoOfFormat2HasNoAttributeValueFilter() {
    RowGroupInfo rg = rowGroup(StringFilter.of(List.of("sn\0i3")));
    WriteBuffer out = new WriteBuffer(64);
    rg.writeTo(out);
    WriteBuffer filterOnly = new WriteBuffer(64);
    rg.attributeValues().writeTo(filterOnly);
    byte[] v3 = out.toByteArray();
    // Format 2 wrote the same fields without the filter at the end.
    byte[] v2 = java.util.Arrays.copyOf(v3, v3.length - filterOnly.size());

    ReadBuffer in = new ReadBuffer(v2);
    RowGroupInfo back = RowGroupInfo.readFrom(in, 2);

    assertThat(in.remaining()).isZero();
    assertThat(back.attributeValues()).isNull();
    assertThat(back.maxDurationNanos()).isEqualTo(9);
    assertThat(AttributeValueFilter.mayHold(null, eq(Scope.SPAN, "n", AttributeValue.of(4)))).isTrue();
  }

  @Test
  void attributeValueFilterKeepsScopesTypesArraysAndIntegralDoubles() {
    Resource resource = Resource.of(Attributes.builder().put("service.name", "frontend").put("region", "eu").build());
    Span span = Spans.span(Spans.traceId(1), 0, Spans.FRONTEND, "GET /").toBuilder()
        .resource(resource)
        .attributes(Attributes.builder()
            .put("code", 418)
            .put("ratio", 2.0)
            .put("half", 2.5)
            .put("ok", AttributeValue.of(true))
            .put("tags", AttributeValue.ofArray(List.of(AttributeValue.of("a"), AttributeValue.of(7))))
            .build())
        .build();
    AttributeValueFilter.Collector c = new AttributeValueFilter.Collector();
    c.add(span);
    StringFilter f = StringFilter.of(c.entries());

    assertThat(AttributeValueFilter.mayHold(f, eq(Scope.SPAN, "code", AttributeValue.of(418)))).isTrue();
    assertThat(AttributeValueFilter.mayHold(f, eq(Scope.SPAN, "code", AttributeValue.of("418")))).isFalse();
    assertThat(AttributeValueFilter.mayHold(f, eq(Scope.RESOURCE, "code", AttributeValue.of(418)))).isFalse();
    assertThat(AttributeValueFilter.mayHold(f, eq(Scope.SPAN_OR_RESOURCE, "code", AttributeValue.of(418)))).isTrue();
    assertThat(AttributeValueFilter.mayHold(f, eq(Scope.RESOURCE, "region", AttributeValue.of("eu")))).isTrue();
    assertThat(AttributeValueFilter.mayHold(f, eq(Scope.SPAN, "region", AttributeValue.of("eu")))).isFalse();
    assertThat(AttributeValueFilter.mayHold(f, eq(Scope.SPAN_OR_RESOURCE, "region", AttributeValue.of("eu")))).isTrue();
    assertThat(AttributeValueFilter.mayHold(f, eq(Scope.SPAN, "ratio", AttributeValue.of(2)))).isTrue();
    assertThat(AttributeValueFilter.mayHold(f, eq(Scope.SPAN, "half", AttributeValue.of(2)))).isFalse();
    assertThat(AttributeValueFilter.mayHold(f, eq(Scope.SPAN, "ok", AttributeValue.of(true)))).isTrue();
    assertThat(AttributeValueFilter.mayHold(f, eq(Scope.SPAN, "ok", AttributeValue.of(false)))).isFalse();
    assertThat(AttributeValueFilter.mayHold(f, eq(Scope.SPAN, "tags", AttributeValue.of("a")))).isTrue();
    assertThat(AttributeValueFilter.mayHold(f, eq(Scope.SPAN, "tags", AttributeValue.of(7)))).isTrue();
    assertThat(AttributeValueFilter.mayHold(f, eq(Scope.SPAN, "tags", AttributeValue.of("b")))).isFalse();
    // What the filter says of a span, the span says too.
    for (AttributeEquality e : List.of(eq(Scope.SPAN, "ratio", AttributeValue.of(2)), eq(Scope.SPAN, "tags", AttributeValue.of(7)),
        eq(Scope.SPAN_OR_RESOURCE, "region", AttributeValue.of("eu")))) {
      assertThat(e.isSatisfiedBy(span)).as("%s", e).isTrue();
    }
  }

  @Test
  void attributeValueFilterListsManyOrLongValuesAsAnyValue() {
    AttributeValueFilter.Collector c = new AttributeValueFilter.Collector();
    for (int i = 0; i <= AttributeValueFilter.MAX_VALUES_PER_KEY; i++) {
      c.add(Spans.span(Spans.traceId(1), i, Spans.FRONTEND, "GET /")); // "n" = i: one value too many
    }
    String longValue = "x".repeat(AttributeValueFilter.MAX_VALUE_CHARS + 1);
    c.add(Spans.span(Spans.traceId(2), 0, Spans.FRONTEND, "GET /").toBuilder()
        .attributes(Attributes.builder().put("http.method", "GET").put("url", longValue).build()).build());
    Set<String> entries = c.entries();
    StringFilter f = StringFilter.of(entries);

    assertThat(entries).contains("sn\0*", "surl\0*", "shttp.method\0sGET").noneMatch(e -> e.startsWith("sn\0i"));
    assertThat(AttributeValueFilter.mayHold(f, eq(Scope.SPAN, "n", AttributeValue.of(1_000)))).isTrue();
    assertThat(AttributeValueFilter.mayHold(f, eq(Scope.SPAN, "url", AttributeValue.of(longValue)))).isTrue();
    assertThat(AttributeValueFilter.mayHold(f, eq(Scope.SPAN, "http.method", AttributeValue.of("POST")))).isFalse();
  }
}
