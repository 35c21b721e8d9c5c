package dev.spanloom.server.slo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spanloom.model.SpanKind;
import dev.spanloom.pipeline.config.ConfigException;
import dev.spanloom.server.SpanloomServer;
import dev.spanloom.server.config.SpanloomConfig;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SloConfigTest {
  private static SloConfig parse(String slo) {
    return SpanloomConfig.parse(SloFixtures.WITH_SPAN_METRICS + slo, "test").slo();
  }

  private static void build(String yaml) {
    new SpanloomServer(SpanloomConfig.parse(yaml, "test"));
  }

  private static final String OBJECTIVE = """
      slo:
        objectives:
          - name: checkout-latency
            service: order-service
            sli: {latency: {threshold: 500ms}}
            objective: 99.5
      """;

  @Test
  void readsTheObjectiveWithItsDefaults() {
    SloConfig config = parse(OBJECTIVE);

    assertThat(config.evaluationInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.connector()).isNull();
    assertThat(config.webhook()).isNull();
    ServiceLevelObjective o = config.objectives().get(0);
    assertThat(o.operation()).isNull();
    assertThat(o.spanKinds()).isEqualTo(Set.of(SpanKind.SERVER, SpanKind.CONSUMER));
    assertThat(o.sli()).isEqualTo(new Sli.Latency(500_000_000L));
    assertThat(o.objective()).isEqualTo(0.995);
    assertThat(o.window()).isEqualTo(Duration.ofDays(30));
  }

  @Test
  void readsAWebhookWithTheCollectorsRetryKeys() {
    SloConfig config = parse("""
        slo:
          webhook:
            endpoint: http://alertmanager:9093/hook
            timeout: 2s
            send_resolved: false
            retry_on_failure: {initial_interval: 2s, max_interval: 10s, max_elapsed_time: 1m}
        """ + OBJECTIVE.substring("slo:\n".length()));

    assertThat(config.webhook().toString()).isEqualTo("webhook{endpoint=http://alertmanager:9093/hook, timeout=PT2S, "
        + "send_resolved=false, retry_on_failure=PT2S..PT10S for PT1M, queue_size=256}");
  }

  @Test
  void rejectsAnUnknownKeyWithItsPath() {
    assertThatThrownBy(() -> parse(OBJECTIVE + "      windw: 30d\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("slo.objectives[0].windw: unknown key (expected one of: name, objective, operation, service, sli, "
            + "span_kinds, window)");
  }

  @Test
  void rejectsAnObjectiveOfAHundredPercent() {
    assertThatThrownBy(() -> parse(OBJECTIVE.replace("99.5", "100")))
        .hasMessage("slo.objectives[0].objective: 100 (expected: a percentage above 0 and below 100, such as 99.5)");
  }

  @Test
  void rejectsAWindowShorterThanTheLongestAlertWindow() {
    assertThatThrownBy(() -> parse(OBJECTIVE + "      window: 1h\n"))
        .hasMessage("slo.objectives[0].window: \"1h\" (expected: 6h to 366d; 6h is the longest alert window)");
  }

  @Test
  void rejectsAnUnknownSpanKind() {
    assertThatThrownBy(() -> parse(OBJECTIVE + "      span_kinds: [SERVER]\n"))
        .hasMessage("slo.objectives[0].span_kinds[0]: \"SERVER\" (expected: one of SPAN_KIND_UNSPECIFIED, SPAN_KIND_INTERNAL, "
            + "SPAN_KIND_SERVER, SPAN_KIND_CLIENT, SPAN_KIND_PRODUCER, SPAN_KIND_CONSUMER)");
  }

  @Test
  void rejectsAnSliThatIsBothLatencyAndAvailability() {
    assertThatThrownBy(() -> parse(OBJECTIVE.replace("sli: {latency: {threshold: 500ms}}",
        "sli: {latency: {threshold: 500ms}, availability: {}}")))
        .hasMessage("slo.objectives[0].sli: both latency and availability (expected: one of {latency: {threshold: 500ms}} "
            + "or {availability: {}})");
  }

  @Test
  void rejectsTwoObjectivesOfOneName() {
    assertThatThrownBy(() -> parse(OBJECTIVE + OBJECTIVE.substring(OBJECTIVE.indexOf("    - name"))))
        .hasMessage("slo.objectives[1].name: \"checkout-latency\" (expected: a name no other objective has)");
  }

  @Test
  void rejectsAWebhookThatIsNoHttpUrl() {
    assertThatThrownBy(() -> parse(OBJECTIVE + "  webhook: {endpoint: alertmanager:9093}\n"))
        .hasMessage("slo.webhook.endpoint: \"alertmanager:9093\" (expected: an http or https URL)");
  }

  @Test
  void rejectsAnEvaluationIntervalAboveOneMinute() {
    assertThatThrownBy(() -> parse(OBJECTIVE + "  evaluation_interval: 5m\n"))
        .hasMessage("slo.evaluation_interval: \"5m\" (expected: 1s to 1m, so that the 5m window holds several samples)");
  }

  @Test
  void rejectsALatencyThresholdThatIsNoBucketBoundNamingTheBounds() {
    assertThatThrownBy(() -> build(SloFixtures.WITH_SPAN_METRICS + OBJECTIVE.replace("500ms", "300ms")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("slo.objectives[0].sli.latency.threshold: 300ms (expected: a bucket bound of "
            + "connectors.spanmetrics: 100ms, 250ms, 500ms, 1000ms, 2500ms)");
  }

  @Test
  void rejectsAConnectorThatIsNotInThePipelines() {
    assertThatThrownBy(() -> build(SloFixtures.WITH_SPAN_METRICS + OBJECTIVE + "  connector: spanmetrics/red\n"))
        .hasMessage("slo.connector: \"spanmetrics/red\" (expected: a spanmetrics connector in a pipeline: one of "
            + "[spanmetrics])");
  }

  @Test
  void rejectsObjectivesWithoutSpanMetrics() {
    String noConnector = SloFixtures.WITH_SPAN_METRICS.replace("store, spanmetrics", "store")
        .replace("    metrics: {receivers: [spanmetrics], exporters: [prometheus]}\n", "")
        .replace("connectors:\n  spanmetrics:\n    histogram: {explicit: {buckets: " + SloFixtures.BUCKETS + "}}\n", "")
        .replace("  prometheus: {endpoint: \"127.0.0.1:0\"}\n", "");
    assertThatThrownBy(() -> build(noConnector + OBJECTIVE))
        .hasMessage("slo.objectives: no span metrics to read (expected: a spanmetrics connector under connectors, "
            + "exported by a traces pipeline and received by a metrics pipeline)");
  }

  @Test
  void acceptsALatencyThresholdOnABucketBound() {
    build(SloFixtures.WITH_SPAN_METRICS + OBJECTIVE.replace("500ms", "2.5s"));
  }

  @Test
  void rejectsARetryIntervalBelowTheDefaultMaximumNamingTheDefault() {
    assertThatThrownBy(() -> parse(OBJECTIVE + "  webhook: {endpoint: http://relay/hook, retry_on_failure: {initial_interval: 1m}}\n"))
        .hasMessage("slo.webhook.retry_on_failure.max_interval: \"30s\" (expected: >= initial_interval 1m)");
  }
}
