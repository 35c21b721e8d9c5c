package dev.spanloom.server.slo;

import static dev.spanloom.server.slo.SloFixtures.spans;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.StatusCode;
import dev.spanloom.pipeline.connector.SpanMetricsConnector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated rules are valid for Prometheus' own checker, and Prometheus evaluating them
 * over a series alerts as Spanloom's engine does over the same counts.
 */
class SloRulesTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @TempDir
  Path dir;

  private static final String OBJECTIVES = """
        - name: checkout-availability
          service: order-service
          operation: POST /orders
          span_kinds: [SPAN_KIND_SERVER]
          sli: {availability: {}}
          objective: 99
        - name: "checkout-latency"
          service: order-service
          sli: {latency: {threshold: 500ms}}
          objective: 99.5
          window: 7d
      """;

  /** Runs Debian's promtool (package prometheus; ./test installs it); returns its output, failing on a non-zero exit. */
  static String promtool(Path workDir, String... args) throws IOException, InterruptedException {
    Path promtool = Path.of("/usr/bin/promtool");
    assertThat(promtool).as("promtool, from Debian's prometheus package (./test installs it)").isExecutable();
    List<String> command = new ArrayList<>();
    command.add(promtool.toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("promtool %s:\n%s", String.join(" ", args), out).isZero();
    return out;
  }

  @Test
  void promtoolAcceptsTheRulesOfLatencyAndAvailabilityObjectives() throws Exception {
    Files.writeString(dir.resolve("slo.rules.yml"), SloRules.yaml(SloEngineTest.config(OBJECTIVES).objectives()));

    assertThat(promtool(dir, "check", "rules", "slo.rules.yml")).contains("SUCCESS: 16 rules found");
  }

  @Test
  void prometheusAlertsOnTheGeneratedRulesAsTheEngineDoesOnTheSameCounts() throws Exception {
    SloConfig config = SloEngineTest.config(OBJECTIVES.substring(0, OBJECTIVES.indexOf("  - name: \"checkout-latency\"")));
    String rules = SloRules.yaml(config.objectives());
    Files.writeString(dir.resolve("slo.rules.yml"), rules);

    // Per minute: an hour of 1% errors, half an hour of 50% errors, then an hour of 1% again.
    int minutes = 150;
    int[] ok = new int[minutes + 1];
    int[] err = new int[minutes + 1];
    for (int m = 1; m <= minutes; m++) {
      boolean burning = m > 60 && m <= 90;
      ok[m] = burning ? 50 : 99;
      err[m] = burning ? 50 : 1;
    }

    // Spanloom's engine, one evaluation a minute from t=0, the start of promtool's series.
    TestClock clock = new TestClock(Instant.EPOCH);
    ManualTicker ticker = new ManualTicker();
    SpanMetricsConnector metrics = SloFixtures.spanMetrics(clock, "");
    List<boolean[]> firing = new ArrayList<>();
    firing.add(new boolean[2]);
    try (SloEngine engine = new SloEngine(config, metrics, clock, ticker, AlertNotifier.NONE)) {
      engine.start();
      for (int m = 1; m <= minutes; m++) {
        metrics.consume(spans("order-service", "POST /orders", SpanKind.SERVER, 10, StatusCode.UNSET, ok[m]));
        metrics.consume(spans("order-service", "POST /orders", SpanKind.SERVER, 10, StatusCode.ERROR, err[m]));
        clock.advance(Duration.ofMinutes(1));
        ticker.tick();
        List<SloStatus.AlertStatus> alerts = engine.statuses().get(0).alerts();
        firing.add(new boolean[] {alerts.get(0).firing(), alerts.get(1).firing()});
      }
    }
    assertThat(firing).as("the scenario makes both alerts fire and resolve")
        .anySatisfy(f -> assertThat(f).containsExactly(true, true))
        .anySatisfy(f -> assertThat(f).containsExactly(false, true));

    // Prometheus' windows end a sample earlier than the engine's: compare where the engine's
    // state holds for three minutes either side.
    List<Map<String, Object>> alertTests = new ArrayList<>();
    List<Map<String, Object>> alertRules = alertRules(rules);
    int compared = 0;
    for (int m = 3; m <= minutes - 3; m++) {
      if (!stable(firing, m)) continue;
      compared++;
      List<Map<String, Object>> expected = new ArrayList<>();
      for (int a = 0; a < 2; a++) if (firing.get(m)[a]) expected.add(alertRules.get(a));
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("eval_time", m + "m");
      t.put("alertname", BurnRateAlert.ALERTNAME);
      t.put("exp_alerts", expected);
      alertTests.add(t);
    }
    assertThat(compared).isGreaterThan(100);

    String labels = "service=\"order-service\", span_name=\"POST /orders\", span_kind=\"SPAN_KIND_SERVER\"";
    Map<String, Object> test = new LinkedHashMap<>();
    test.put("interval", "1m");
    test.put("input_series", List.of(
        Map.of("series", SloRules.CALLS + "{" + labels + ", status_code=\"STATUS_CODE_UNSET\"}", "values", cumulative(ok)),
        Map.of("series", SloRules.CALLS + "{" + labels + ", status_code=\"STATUS_CODE_ERROR\"}", "values", cumulative(err))));
    test.put("alert_rule_test", alertTests);
    Map<String, Object> file = new LinkedHashMap<>();
    file.put("rule_files", List.of("slo.rules.yml"));
    file.put("evaluation_interval", "1m");
    file.put("tests", List.of(test));
    Files.writeString(dir.resolve("slo.test.yml"), YAML.writeValueAsString(file));

    assertThat(promtool(dir, "test", "rules", "slo.test.yml")).contains("SUCCESS");
  }

  private static boolean stable(List<boolean[]> firing, int m) {
    for (int d = -3; d <= 3; d++) {
      if (firing.get(m + d)[0] != firing.get(m)[0] || firing.get(m + d)[1] != firing.get(m)[1]) return false;
    }
    return true;
  }

  /** The labels and annotations each generated alert fires with, 1h/5m first. */
  private static List<Map<String, Object>> alertRules(String rules) throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    for (JsonNode rule : YAML.readTree(rules).path("groups").get(0).path("rules")) {
      if (!rule.has("alert")) continue;
      Map<String, String> labels = new TreeMap<>(YAML.convertValue(rule.path("labels"), Map.class));
      Map<String, Object> alert = new LinkedHashMap<>();
      alert.put("exp_labels", labels);
      alert.put("exp_annotations", YAML.convertValue(rule.path("annotations"), Map.class));
      out.add(alert);
    }
    assertThat(out).extracting(a -> (Object) ((Map<?, ?>) a.get("exp_labels")).get("long_window")).containsExactly("1h", "6h");
    return out;
  }

  private static String cumulative(int[] perMinute) {
    StringJoiner values = new StringJoiner(" ");
    long sum = 0;
    for (int v : perMinute) {
      sum += v;
      values.add(Long.toString(sum));
    }
    return values.toString();
  }
}
