package dev.spanloom.pipeline.sampling;

import static dev.spanloom.pipeline.sampling.SamplingSpans.T0;
import static dev.spanloom.pipeline.sampling.SamplingSpans.builder;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spanloom.model.Attributes;
import dev.spanloom.model.Span;
import dev.spanloom.model.TraceId;
import dev.spanloom.pipeline.TestConfigs;
import java.util.List;
import org.junit.jupiter.api.Test;

class DbStatementProcessorTest {
  private final DbStatementProcessor processor = DbStatementProcessor.fromConfig(
      TestConfigs.yaml("processors: {db_statement: {}}").child("processors").child("db_statement"));

  private static Span dbSpan(long durationMs, String statement) {
    return builder(new TraceId(1, 1), 1, "orders").endEpochNanos(T0 + durationMs * 1_000_000)
        .attributes(Attributes.builder().put("db.system", "postgresql").put("db.name", "shop").put("db.operation", "SELECT")
            .put("db.statement", statement).build())
        .build();
  }

  @Test
  void dropsTheStatementOfFastQueriesAndKeepsOperationAndName() {
    Span out = processor.clean(dbSpan(100, "SELECT * FROM users WHERE email = 'a@b.c'"));
    assertThat(out.attributes().get("db.statement")).isNull();
    assertThat(out.attributes().getString("db.operation")).isEqualTo("SELECT");
    assertThat(out.attributes().getString("db.name")).isEqualTo("shop");
    assertThat(processor.statementsRemoved()).isEqualTo(1);
  }

  @Test
  void keepsTheStatementOfSlowQueriesWithoutItsValues() {
    Span out = processor.clean(dbSpan(101,
        "SELECT * FROM users WHERE email = 'o''brien@x.org' AND age > 42 AND id IN ($1, :name, @p2, ?) -- user 17\n"
            + "AND score < -1.5e3 /* card 4111 */ AND \"col1\" = 0x1F AND t::text = 'x'"));
    assertThat(out.attributes().getString("db.statement")).isEqualTo(
        "SELECT * FROM users WHERE email = ? AND age > ? AND id IN (?, ?, ?, ?) \n"
            + "AND score < -? AND \"col1\" = ? AND t::text = ?");
  }

  @Test
  void leavesSpansWithoutStatementsUntouched() {
    Span plain = builder(new TraceId(1, 2), 2, "web").build();
    assertThat(processor.clean(plain)).isSameAs(plain);
  }

  @Test
  void handlesTheNewSemanticConventionNameToo() {
    Span s = builder(new TraceId(1, 3), 3, "web").attributes(Attributes.builder().put("db.query.text", "DELETE FROM t WHERE id = 7").build())
        .endEpochNanos(T0 + 500_000_000L).build();
    SamplingSpans.Downstream next = new SamplingSpans.Downstream();
    processor.process(List.of(s), next);
    assertThat(next.spans.get(0).attributes().getString("db.query.text")).isEqualTo("DELETE FROM t WHERE id = ?");
  }

  @Test
  void describesItsConfiguration() {
    assertThat(processor).hasToString("db_statement{slower_than=100ms, sanitize=true, attributes=[db.statement, db.query.text]}");
  }
}
