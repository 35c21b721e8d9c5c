package dev.spanloom.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TraceQlParserTest {
  @Test
  void errorsCountLinesAndColumns() {
    assertThatThrownBy(() -> TraceQlQuery.parse("{\n  resource.service.name = \"x\" &&\n  span.foo =\n}"))
        .isInstanceOf(TraceQlException.class)
        .hasMessage("line 4, column 1: expected a value after \"=\", found \"}\"");
  }

  @Test
  void theBriefsExampleReadsAsDocumented() {
    assertThatThrownBy(() -> TraceQlQuery.parse("{ span.http.foo = }"))
        .hasMessage("line 1, column 19: expected a value after \"=\", found \"}\"");
  }

  @Test
  void emptyQueryIsRefused() {
    assertThatThrownBy(() -> TraceQlQuery.parse(""))
        .hasMessageStartingWith("line 1, column 1: expected a spanset filter");
  }

  @Test
  void durationsParseAsGoDoes() {
    assertThat(Values.parseDuration("1h30m")).isEqualTo(5_400_000_000_000L);
    assertThat(Values.parseDuration("1.5s")).isEqualTo(1_500_000_000L);
    assertThat(Values.parseDuration("250µs")).isEqualTo(250_000L);
    assertThat(Values.parseDuration("7ns")).isEqualTo(7L);
  }

  @Test
  void durationsPrintAsGoDoes() {
    assertThat(Values.format(1_500_000_000L)).isEqualTo("1.5s");
    assertThat(Values.format(250_000_000L)).isEqualTo("250ms");
    assertThat(Values.format(3_600_000_000_000L)).isEqualTo("1h0m0s");
    assertThat(Values.format(90_000_000_000L)).isEqualTo("1m30s");
    assertThat(Values.format(1_500L)).isEqualTo("1.5µs");
  }

  @Test
  void hintsAreKept() {
    assertThat(TraceQlQuery.parse("{ } with (most_recent=true)").hints()).containsEntry("most_recent", true);
  }

  @Test
  void singleFieldsParseForTagValueSearch() {
    assertThat(TraceQlParser.parseField(".service.name").toString()).isEqualTo(".service.name");
    assertThat(TraceQlParser.parseField("span:name").toString()).isEqualTo("span:name");
    assertThat(TraceQlParser.parseField("status").toString()).isEqualTo("span:status");
    assertThatThrownBy(() -> TraceQlParser.parseField("{ }")).isInstanceOf(TraceQlException.class);
  }
}
