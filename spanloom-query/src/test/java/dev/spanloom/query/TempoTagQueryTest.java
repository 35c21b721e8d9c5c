package dev.spanloom.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TempoTagQueryTest {
  @Test
  void tagsBecomeOneSpansetFilter() {
    assertThat(TempoTagQuery.toTraceQl("service.name=cart http.status_code=500", 0, 0))
        .isEqualTo("{ resource.service.name = \"cart\" && (.\"http.status_code\" = 500 || .\"http.status_code\" = \"500\") }");
    assertThat(TempoTagQuery.toTraceQl("", 0, 0)).isEqualTo("{ }");
  }

  @Test
  void quotedValuesAndSpecialKeys() {
    assertThat(TempoTagQuery.toTraceQl("name=\"GET /cart\" status=error error=true", 0, 0))
        .isEqualTo("{ name = \"GET /cart\" && status = error && status = error }");
  }

  @Test
  void durationsBoundTheTrace() {
    assertThat(TempoTagQuery.toTraceQl("", 600_000_000L, 2_000_000_000L))
        .isEqualTo("{ trace:duration >= 600000000ns && trace:duration <= 2000000000ns }");
  }

  @Test
  void everyGeneratedQueryParses() {
    TraceQlQuery.parse(TempoTagQuery.toTraceQl("a=1 b=1.5 c=true d=\"x \\\"y\\\"\" e.f-g=h", 1, 2));
  }

  @Test
  void badInputIsNamed() {
    assertThatThrownBy(() -> TempoTagQuery.toTraceQl("service.name", 0, 0)).hasMessageContaining("has no value");
    assertThatThrownBy(() -> TempoTagQuery.toTraceQl("a=\"open", 0, 0)).hasMessageContaining("unterminated");
    assertThatThrownBy(() -> TempoTagQuery.toTraceQl("status=bad", 0, 0)).hasMessageContaining("expected: ok, error or unset");
    assertThatThrownBy(() -> TempoTagQuery.parseDuration("10 parsecs")).hasMessageContaining("expected: a duration");
    assertThat(TempoTagQuery.parseDuration("1.5s")).isEqualTo(1_500_000_000L);
  }

  @Test
  void tagSearchFindsWhatItShould() {
    var storage = dev.spanloom.storage.InMemoryStorage.builder().build();
    storage.writer().write(TraceQlDataset.allSpans());
    var search = new TraceQlSearch(storage.reader());
    var r = search.search(new TraceQlSearch.Request(
        TraceQlQuery.parse(TempoTagQuery.toTraceQl("service.name=frontend http.response.status_code=500", 0, 0)), 0, 0, 20));
    assertThat(r.traces()).extracting(m -> TraceQlDataset.nameOf(m.trace().traceId())).containsExactly("pay");
    r = search.search(new TraceQlSearch.Request(TraceQlQuery.parse(TempoTagQuery.toTraceQl("", 1_000_000_000L, 0)), 0, 0, 20));
    assertThat(r.traces()).extracting(m -> TraceQlDataset.nameOf(m.trace().traceId())).containsExactly("slow");
    storage.close();
  }
}
