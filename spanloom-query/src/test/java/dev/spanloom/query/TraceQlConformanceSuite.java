package dev.spanloom.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spanloom.storage.TraceReader;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The TraceQL conformance table, run as a search over a backend holding {@link TraceQlDataset}:
 * every backend must find exactly the expected traces for every query, and refuse the bad ones
 * with the expected position. Subclasses say how to build the backend, as the storage suite's do.
 */
public abstract class TraceQlConformanceSuite {
  /** A reader over a store that holds exactly {@link TraceQlDataset#allSpans()}. */
  protected abstract TraceReader reader();

  static Stream<TraceQlConformanceTable.Case> cases() {
    return TraceQlConformanceTable.cases().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void conforms(TraceQlConformanceTable.Case c) {
    if (c.isError()) {
      assertThatThrownBy(() -> TraceQlQuery.parse(c.query()))
          .isInstanceOf(TraceQlException.class)
          .satisfies(e -> {
            TraceQlException t = (TraceQlException) e;
            assertThat(t.line() + ":" + t.column()).as(t.getMessage()).isEqualTo(c.errorAt());
            assertThat(t.reason()).contains(c.errorMessage());
          });
      return;
    }
    SearchResult result = new TraceQlSearch(reader())
        .search(new TraceQlSearch.Request(TraceQlQuery.parse(c.query()), 0, 0, 1_000));
    Set<String> found = new TreeSet<>();
    for (TraceMatch m : result.traces()) found.add(TraceQlDataset.nameOf(m.trace().traceId()));
    assertThat(found).isEqualTo(c.expected());
  }
}
