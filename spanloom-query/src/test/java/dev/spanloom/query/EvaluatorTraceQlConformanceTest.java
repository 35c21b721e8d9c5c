package dev.spanloom.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spanloom.model.Trace;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The TraceQL conformance table straight on the evaluator, without storage or planning. */
class EvaluatorTraceQlConformanceTest {
  static Stream<TraceQlConformanceTable.Case> matchCases() {
    return TraceQlConformanceTable.cases().stream().filter(c -> !c.isError());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("matchCases")
  void evaluatorAgreesWithTheTable(TraceQlConformanceTable.Case c) {
    TraceQlEvaluator evaluator = TraceQlEvaluator.of(TraceQlQuery.parse(c.query()));
    Set<String> found = new TreeSet<>();
    for (Map.Entry<String, Trace> e : TraceQlDataset.TRACES.entrySet()) {
      boolean matches = evaluator.matches(e.getValue());
      assertThat(!evaluator.evaluate(e.getValue()).isEmpty()).isEqualTo(matches);
      if (matches) found.add(e.getKey());
    }
    assertThat(found).isEqualTo(c.expected());
  }
}
