package dev.spanloom.storage;

import static dev.spanloom.storage.StorageFixtures.T0;
import static dev.spanloom.storage.StorageFixtures.service;
import static dev.spanloom.storage.StorageFixtures.span;
import static dev.spanloom.storage.StorageFixtures.traceId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Attributes;
import dev.spanloom.model.Event;
import dev.spanloom.model.InstrumentationScope;
import dev.spanloom.model.Resource;
import dev.spanloom.model.Span;
import dev.spanloom.model.SpanId;
import dev.spanloom.model.Trace;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SpanMatcherTest {
  static final Span SPAN = span(1, 1).build();

  static SearchRequest.Builder request() {
    return SearchRequest.builder();
  }

  static boolean matches(SearchRequest.Builder request, Span span) {
    return SpanMatcher.of(request.build()).matches(span);
  }

  @Nested
  class SpanConditions {
    @Test
    void emptyRequestMatchesEverySpan() {
      assertThat(matches(request(), SPAN)).isTrue();
      assertThat(matches(request(), span(1, 2).resource(Resource.EMPTY).name("").build())).isTrue();
    }

    @Test
    void matchesServiceNameOfResource() {
      assertThat(matches(request().serviceName("frontend"), SPAN)).isTrue();
      assertThat(matches(request().serviceName("backend"), SPAN)).isFalse();
    }

    @Test
    void comparesServiceNameExactly() {
      assertThat(matches(request().serviceName("Frontend"), SPAN)).isFalse();
      assertThat(matches(request().serviceName("front"), SPAN)).isFalse();
    }

    @Test
    void spanWithoutServiceNameMatchesNoServiceSearch() {
      Span anonymous = span(1, 2).resource(Resource.EMPTY).build();

      assertThat(matches(request().serviceName("frontend"), anonymous)).isFalse();
    }

    @Test
    void comparesSpanNameExactly() {
      assertThat(matches(request().spanName("GET /"), SPAN)).isTrue();
      assertThat(matches(request().spanName("GET"), SPAN)).isFalse();
      assertThat(matches(request().spanName("get /"), SPAN)).isFalse();
    }

    @Test
    void matchesAttributeOnSpan() {
      Span span = span(1, 2).attributes(Attributes.of("http.route", AttributeValue.of("/"))).build();

      assertThat(matches(request().attribute("http.route", "/"), span)).isTrue();
      assertThat(matches(request().attribute("http.route", "/x"), span)).isFalse();
    }

    @Test
    void matchesAttributeOnResource() {
      Span span = span(1, 2)
          .resource(Resource.of(Attributes.builder()
              .put(Resource.SERVICE_NAME, "frontend")
              .put("host.name", "web-1")
              .build()))
          .build();

      assertThat(matches(request().attribute("host.name", "web-1"), span)).isTrue();
      assertThat(matches(request().attribute(Resource.SERVICE_NAME, "frontend"), span)).isTrue();
    }

    @Test
    void spanAttributeHidesResourceAttributeOfSameKey() {
      Span span = span(1, 2)
          .attributes(Attributes.of("env", AttributeValue.of("canary")))
          .resource(Resource.of(Attributes.of("env", AttributeValue.of("production"))))
          .build();

      assertThat(matches(request().attribute("env", "canary"), span)).isTrue();
      assertThat(matches(request().attribute("env", "production"), span)).isFalse();
    }

    @Test
    void rejectsSpanWithoutTheAttribute() {
      assertThat(matches(request().attribute("http.route", "/"), SPAN)).isFalse();
    }

    @Test
    void requiresEveryAttribute() {
      Span span = span(1, 2)
          .attributes(Attributes.builder().put("a", "1").put("b", "2").build())
          .build();

      assertThat(matches(request().attribute("a", "1").attribute("b", "2"), span)).isTrue();
      assertThat(matches(request().attribute("a", "1").attribute("b", "3"), span)).isFalse();
      assertThat(matches(request().attribute("a", "1").attribute("c", "2"), span)).isFalse();
    }

    static Stream<Arguments> typedValues() {
      return Stream.of(
          Arguments.of(AttributeValue.of(201L), "201"),
          Arguments.of(AttributeValue.of(-7L), "-7"),
          Arguments.of(AttributeValue.of(true), "true"),
          Arguments.of(AttributeValue.of(0.25), "0.25"),
          Arguments.of(AttributeValue.of(new byte[] {1, 2, 3}), "AQID"),
          Arguments.of(
              AttributeValue.ofArray(List.of(AttributeValue.of("a"), AttributeValue.of("b"))),
              "[a,b]"),
          Arguments.of(
              new AttributeValue.KeyValueList(Attributes.builder().put("k", "v").build()),
              "{k=v}"));
    }

    @ParameterizedTest
    @MethodSource("typedValues")
    void comparesTypedValuesByTheirStringForm(AttributeValue value, String asString) {
      Span span = span(1, 2).attributes(Attributes.of("key", value)).build();

      assertThat(matches(request().attribute("key", asString), span)).isTrue();
    }

    @Test
    void doesNotConvertNumbersBetweenForms() {
      Span span = span(1, 2).attributes(Attributes.of("code", AttributeValue.of(201L))).build();

      assertThat(matches(request().attribute("code", "201.0"), span)).isFalse();
      assertThat(matches(request().attribute("code", "0201"), span)).isFalse();
    }

    @Test
    void ignoresEventAndScopeAttributes() {
      Attributes attributes = Attributes.of("retry", AttributeValue.of(true));
      Span span = span(1, 2)
          .events(List.of(Event.of("retrying", T0 + 10, attributes)))
          .scope(new InstrumentationScope("lib", "1.0", attributes, 0, ""))
          .build();

      assertThat(matches(request().attribute("retry", "true"), span)).isFalse();
    }

    @Test
    void minDurationIsInclusive() {
      long duration = SPAN.durationNanos();

      assertThat(matches(request().minDurationNanos(duration), SPAN)).isTrue();
      assertThat(matches(request().minDurationNanos(duration + 1), SPAN)).isFalse();
    }

    @Test
    void maxDurationIsInclusive() {
      long duration = SPAN.durationNanos();

      assertThat(matches(request().maxDurationNanos(duration), SPAN)).isTrue();
      assertThat(matches(request().maxDurationNanos(duration - 1), SPAN)).isFalse();
    }

    @Test
    void zeroDurationBoundsAreUnset() {
      Span instant = span(1, 2).endEpochNanos(T0).build();

      assertThat(matches(request().minDurationNanos(0).maxDurationNanos(0), instant)).isTrue();
    }

    @Test
    void everyConditionMustHoldOnTheSameSpan() {
      SearchRequest.Builder request = request()
          .serviceName("frontend")
          .spanName("GET /")
          .attribute("http.route", "/")
          .minDurationNanos(1)
          .maxDurationNanos(1_000_000);
      Span span = span(1, 2).attributes(Attributes.of("http.route", AttributeValue.of("/"))).build();

      assertThat(matches(request, span)).isTrue();
      assertThat(matches(request, span.toBuilder().name("POST /").build())).isFalse();
      assertThat(matches(request, span.toBuilder().resource(service("backend")).build())).isFalse();
      assertThat(matches(request, span.toBuilder().attributes(Attributes.EMPTY).build())).isFalse();
      assertThat(matches(request, span.toBuilder().endEpochNanos(T0 + 2_000_000).build())).isFalse();
    }
  }

  @Nested
  class TimeWindow {
    final long start = T0;
    final long end = T0 + 5_000;

    boolean overlaps(long windowStart, long windowEnd) {
      SearchRequest request = request().startEpochNanos(windowStart).endEpochNanos(windowEnd).build();
      return SpanMatcher.of(request).overlaps(start, end);
    }

    @Test
    void unsetWindowOverlapsEverything() {
      assertThat(overlaps(0, 0)).isTrue();
    }

    @Test
    void boundsAreInclusive() {
      assertThat(overlaps(end, end + 100)).isTrue();
      assertThat(overlaps(start - 100, start)).isTrue();
    }

    @Test
    void rejectsTraceEndingBeforeWindow() {
      assertThat(overlaps(end + 1, end + 100)).isFalse();
      assertThat(overlaps(end + 1, 0)).isFalse();
    }

    @Test
    void rejectsTraceStartingAfterWindow() {
      assertThat(overlaps(start - 100, start - 1)).isFalse();
      assertThat(overlaps(0, start - 1)).isFalse();
    }

    @Test
    void windowInsideTraceOverlaps() {
      assertThat(overlaps(start + 1, end - 1)).isTrue();
    }

    @Test
    void openEndedWindowsOverlapFromTheirSetSide() {
      assertThat(overlaps(start + 1, 0)).isTrue();
      assertThat(overlaps(0, end - 1)).isTrue();
    }

    @Test
    void windowAppliesToWholeTraceNotToTheMatchingSpan() {
      Span early = span(1, 1).name("early").startEpochNanos(T0).endEpochNanos(T0 + 10).build();
      Span late = span(1, 2).parentSpanId(new SpanId(1)).name("late")
          .startEpochNanos(T0 + 1_000).endEpochNanos(T0 + 2_000).build();
      Trace trace = Trace.of(traceId(1), List.of(early, late));
      SearchRequest request =
          request().spanName("early").startEpochNanos(T0 + 1_500).endEpochNanos(T0 + 3_000).build();

      assertThat(SpanMatcher.of(request).match(trace)).isPresent();
    }
  }

  @Nested
  class Summaries {
    final Span root = span(1, 1).build();
    final Span child = span(1, 2).parentSpanId(new SpanId(1)).resource(service("backend"))
        .name("SELECT").startEpochNanos(T0 + 100).endEpochNanos(T0 + 3_000_000).build();
    final Trace trace = Trace.of(traceId(1), List.of(child, root));

    @Test
    void describesTraceByItsRootSpan() {
      TraceSummary summary = SpanMatcher.summarize(trace, 1);

      assertThat(summary).isEqualTo(
          new TraceSummary(traceId(1), "frontend", "GET /", T0, 3_000_000, 2, 1));
    }

    @Test
    void usesEarliestSpanWhenRootWasNotStored() {
      Span orphan = child.toBuilder().spanId(new SpanId(3)).name("late orphan")
          .startEpochNanos(T0 + 200).build();
      Trace partial = Trace.of(traceId(1), List.of(orphan, child));

      assertThat(SpanMatcher.summarize(partial, 0).rootSpanName()).isEqualTo("SELECT");
    }

    @Test
    void refusesEmptyTrace() {
      assertThatThrownBy(() -> SpanMatcher.summarize(Trace.of(traceId(1), List.of()), 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no spans");
    }

    @Test
    void matchCountsEveryMatchingSpan() {
      SpanMatcher matcher = SpanMatcher.of(request().minDurationNanos(1).build());

      assertThat(matcher.countMatchingSpans(trace)).isEqualTo(2);
      assertThat(matcher.match(trace)).hasValue(SpanMatcher.summarize(trace, 2));
    }

    @Test
    void matchIsEmptyWhenNoSpanMatches() {
      SpanMatcher matcher = SpanMatcher.of(request().serviceName("payments").build());

      assertThat(matcher.match(trace)).isEmpty();
    }

    @Test
    void matchIsEmptyOutsideWindowEvenWhenSpansMatch() {
      SpanMatcher matcher = SpanMatcher.of(request().startEpochNanos(T0 + 3_000_001).build());

      assertThat(matcher.match(trace)).isEmpty();
    }

    @Test
    void matchIsEmptyForEmptyTrace() {
      assertThat(SpanMatcher.of(request().build()).match(Trace.of(traceId(1), List.of()))).isEmpty();
    }
  }

  @Nested
  class Ordering {
    TraceSummary hit(long traceN, long start) {
      return new TraceSummary(traceId(traceN), "frontend", "GET /", start, 10, 1, 1);
    }

    @Test
    void sortsNewestFirst() {
      List<TraceSummary> hits = List.of(hit(1, T0), hit(2, T0 + 2), hit(3, T0 + 1));

      assertThat(SpanMatcher.of(request().build()).newestFirst(hits))
          .containsExactly(hit(2, T0 + 2), hit(3, T0 + 1), hit(1, T0));
    }

    @Test
    void breaksStartTiesByAscendingTraceId() {
      List<TraceSummary> hits = List.of(hit(3, T0), hit(1, T0), hit(2, T0));

      assertThat(SpanMatcher.of(request().build()).newestFirst(hits))
          .containsExactly(hit(1, T0), hit(2, T0), hit(3, T0));
    }

    @Test
    void keepsAtMostTheLimit() {
      List<TraceSummary> hits = new ArrayList<>();
      for (int i = 1; i <= 10; i++) hits.add(hit(i, T0 + i));

      assertThat(SpanMatcher.of(request().limit(3).build()).newestFirst(hits))
          .containsExactly(hit(10, T0 + 10), hit(9, T0 + 9), hit(8, T0 + 8));
      assertThat(hits).hasSize(10);
    }
  }

  @Test
  void toStringShowsRequest() {
    assertThat(SpanMatcher.of(request().serviceName("frontend").build()))
        .hasToString("SpanMatcher{" + request().serviceName("frontend").build() + "}")
        .asString().contains("serviceName=frontend");
  }
}
