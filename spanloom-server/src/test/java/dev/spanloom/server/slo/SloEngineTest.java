package dev.spanloom.server.slo;

import static dev.spanloom.server.slo.SloFixtures.spans;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.StatusCode;
import dev.spanloom.pipeline.config.ConfigNode;
import dev.spanloom.pipeline.connector.SpanMetricsConnector;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SloEngineTest {
  private static final Instant START = Instant.parse("2026-11-29T12:00:00Z");
  private final TestClock clock = new TestClock(START);
  private final ManualTicker ticker = new ManualTicker();
  private final SpanMetricsConnector metrics = SloFixtures.spanMetrics(clock, "metrics_expiration: 2m");
  private final WebhookReceiver receiver = new WebhookReceiver();
  private SloEngine engine;
  private AlertWebhook webhook;

  @AfterEach
  void stop() {
    if (engine != null) engine.close();
    if (webhook != null) webhook.close();
    receiver.close();
  }

  static SloConfig config(String objectivesYaml) {
    return SloConfig.parse(ConfigNode.root(yaml("evaluation_interval: 1m\nobjectives:\n" + objectivesYaml)));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> yaml(String text) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
          .readValue(text, Map.class);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static final String AVAILABILITY_99 = """
        - name: checkout-availability
          service: order-service
          operation: POST /orders
          sli: {availability: {}}
          objective: 99
          window: 30d
      """;

  private SloEngine start(SloConfig config, AlertNotifier notifier) {
    engine = new SloEngine(config, metrics, clock, ticker, notifier);
    engine.start();
    return engine;
  }

  /** One minute of traffic to POST /orders, then one scheduled evaluation. */
  private void minute(int ok, int errors) {
    metrics.consume(spans("order-service", "POST /orders", SpanKind.SERVER, 50, StatusCode.UNSET, ok));
    metrics.consume(spans("order-service", "POST /orders", SpanKind.SERVER, 50, StatusCode.ERROR, errors));
    clock.advance(Duration.ofMinutes(1));
    ticker.tick();
  }

  private SloStatus status() {
    return engine.statuses().get(0);
  }

  private boolean firing(int alert) {
    return status().alerts().get(alert).firing();
  }

  @Test
  void reportsNoNumbersBeforeAnySpan() {
    start(config(AVAILABILITY_99), AlertNotifier.NONE);
    ticker.tick();

    assertThat(status().sliValue()).isNull();
    assertThat(status().errorBudgetRemaining()).isNull();
    assertThat(status().burnRates()).containsOnlyKeys("5m", "30m", "1h", "6h").containsValues((Double) null);
    assertThat(status().alerts()).extracting(SloStatus.AlertStatus::state).containsExactly("inactive", "inactive");
  }

  @Test
  void computesSliBudgetAndBurnRateFromGoodAndErrorSpans() {
    start(config(AVAILABILITY_99), AlertNotifier.NONE);
    for (int i = 0; i < 10; i++) minute(995, 5);

    // 0.5% errors against a 1% budget: half the budget is left, it burns at half the sustainable rate.
    assertThat(status().sliValue()).isCloseTo(0.995, within(1e-12));
    assertThat(status().errorBudgetRemaining()).isCloseTo(0.5, within(1e-9));
    assertThat(status().burnRates().values()).allSatisfy(b -> assertThat(b).isCloseTo(0.5, within(1e-9)));
  }

  @Test
  void countsOnlyTheObjectivesServiceOperationAndSpanKinds() {
    start(config(AVAILABILITY_99), AlertNotifier.NONE);
    metrics.consume(spans("order-service", "GET /orders", SpanKind.SERVER, 50, StatusCode.ERROR, 100));
    metrics.consume(spans("order-service", "POST /orders", SpanKind.CLIENT, 50, StatusCode.ERROR, 100));
    metrics.consume(spans("auth-service", "POST /orders", SpanKind.SERVER, 50, StatusCode.ERROR, 100));
    minute(100, 0);

    assertThat(status().sliValue()).isEqualTo(1.0);
  }

  @Test
  void latencySliCountsSpansInBucketsUpToTheThresholdAsGood() {
    start(config("""
        - name: checkout-latency
          service: order-service
          sli: {latency: {threshold: 500ms}}
          objective: 90
      """), AlertNotifier.NONE);
    metrics.consume(spans("order-service", "POST /orders", SpanKind.SERVER, 500, StatusCode.UNSET, 60));
    metrics.consume(spans("order-service", "POST /orders", SpanKind.SERVER, 501, StatusCode.UNSET, 30));
    metrics.consume(spans("order-service", "POST /orders", SpanKind.SERVER, 20, StatusCode.ERROR, 10));
    clock.advance(Duration.ofMinutes(1));
    ticker.tick();

    // 500ms is within the 500ms bucket; 501ms is not; a fast error is fast.
    assertThat(status().sliValue()).isCloseTo(0.7, within(1e-12));
    assertThat(status().burnRates().get("5m")).isCloseTo(3.0, within(1e-9));
  }

  @Test
  void seriesExpiredAndCreatedAgainCountFromZeroAsPrometheusIncreaseDoes() {
    start(config(AVAILABILITY_99), AlertNotifier.NONE);
    minute(1000, 0);
    clock.advance(Duration.ofMinutes(10)); // idle past metrics_expiration: the connector drops the series
    minute(90, 10); // and creates them again, holding fewer calls than before

    assertThat(status().burnRates().get("5m")).isCloseTo(10.0 / 100 / 0.01, within(1e-9));
    assertThat(status().burnRates().get("30m")).isCloseTo(10.0 / 1100 / 0.01, within(1e-9));
    assertThat(status().sliValue()).isCloseTo(1090.0 / 1100, within(1e-12));
  }

  @Test
  void spansAlreadyCountedWhenTheEngineStartsAreNotCharged() {
    metrics.consume(spans("order-service", "POST /orders", SpanKind.SERVER, 50, StatusCode.ERROR, 500));
    start(config(AVAILABILITY_99), AlertNotifier.NONE);
    minute(100, 0);

    assertThat(status().sliValue()).isEqualTo(1.0);
  }

  @Test
  void fastBurnPagesOnceTheOneHourErrorRatioPassesFourteenPointFourTimesTheBudgetAndResolvesWithTheFiveMinuteOne() {
    start(config(AVAILABILITY_99), AlertNotifier.NONE);
    for (int i = 0; i < 60; i++) minute(100, 0);
    int minutes = 0;
    while (!firing(0)) {
      minute(50, 50);
      minutes++;
    }
    // 50 errors a minute against 6000 spans an hour: 14.4% is passed in the 18th minute.
    assertThat(minutes).isEqualTo(18);
    assertThat(status().alerts().get(0).activeAt()).isEqualTo(START.plus(Duration.ofMinutes(78)));
    for (int i = 0; i < 3; i++) minute(100, 0);
    assertThat(firing(0)).isTrue(); // 5m: 2 bad minutes of 5, 20% errors
    minute(100, 0); // 5m: 1 bad minute of 5, 10% errors, while the 1h ratio still is 15%

    assertThat(status().burnRates().get("1h")).isGreaterThan(14.4);
    assertThat(firing(0)).isFalse();
    assertThat(status().alerts().get(0).activeAt()).isNull();
  }

  @Test
  void webhookReceivesTheFiringAndTheResolvedAlertInAlertmanagersPayload() throws Exception {
    SloConfig config = SloConfig.parse(ConfigNode.root(yaml("""
        evaluation_interval: 1m
        external_url: http://spanloom.example:3200/
        webhook: {endpoint: "%s", timeout: 5s}
        objectives:
        %s""".formatted(receiver.url(), AVAILABILITY_99))));
    webhook = new AlertWebhook(config.webhook(), config.externalUrl());
    webhook.start();
    start(config, webhook);
    for (int i = 0; i < 60; i++) minute(100, 0);
    while (!firing(0)) minute(0, 100);

    JsonNode fired = receiver.next();
    assertThat(fired).isNotNull();
    assertThat(fired.path("version").asText()).isEqualTo("4");
    assertThat(fired.path("status").asText()).isEqualTo("firing");
    assertThat(fired.path("receiver").asText()).isEqualTo("spanloom");
    assertThat(fired.path("groupKey").asText()).isEqualTo("{}:{alertname=\"SLOBurnRateHigh\", slo=\"checkout-availability\"}");
    assertThat(fired.path("groupLabels").toString()).isEqualTo("{\"alertname\":\"SLOBurnRateHigh\",\"slo\":\"checkout-availability\"}");
    assertThat(fired.path("externalURL").asText()).isEqualTo("http://spanloom.example:3200/");
    JsonNode alert = fired.path("alerts").get(0);
    assertThat(alert.path("status").asText()).isEqualTo("firing");
    // All spans failing: the 6h/30m pair (6x) fires before the 1h/5m one (14.4x).
    assertThat(alert.path("labels").toString()).isEqualTo("{\"alertname\":\"SLOBurnRateHigh\",\"long_window\":\"6h\","
        + "\"operation\":\"POST /orders\",\"service\":\"order-service\",\"severity\":\"page\",\"short_window\":\"30m\","
        + "\"sli\":\"availability\",\"slo\":\"checkout-availability\"}");
    assertThat(alert.path("annotations").path("summary").asText())
        .isEqualTo("SLO checkout-availability burns its error budget more than 6x as fast as it may");
    String firedAt = engine.statuses().get(0).alerts().get(1).activeAt().toString();
    assertThat(alert.path("startsAt").asText()).isEqualTo(firedAt);
    assertThat(alert.path("endsAt").asText()).isEqualTo("0001-01-01T00:00:00Z");
    assertThat(alert.path("generatorURL").asText()).isEqualTo("http://spanloom.example:3200/api/slo");
    assertThat(alert.path("fingerprint").asText()).matches("[0-9a-f]{16}");
    assertThat(fired.path("commonLabels").path("long_window").asText()).isEqualTo("6h");
    JsonNode both = receiver.next(); // the 1h/5m pair joins the group
    assertThat(both.path("alerts")).extracting(a -> a.path("labels").path("long_window").asText())
        .containsExactlyInAnyOrder("1h", "6h");
    assertThat(both.path("commonLabels").has("long_window")).isFalse();

    while (firing(0) || firing(1)) minute(100, 0);
    JsonNode partly = receiver.next(); // the 1h/5m pair resolves first; the group still fires
    assertThat(partly.path("status").asText()).isEqualTo("firing");
    assertThat(partly.path("alerts")).extracting(a -> a.path("labels").path("long_window").asText() + " " + a.path("status").asText())
        .containsExactlyInAnyOrder("1h resolved", "6h firing");
    JsonNode resolved = receiver.next();
    assertThat(resolved.path("status").asText()).isEqualTo("resolved");
    assertThat(resolved.path("alerts")).singleElement().satisfies(a -> {
      assertThat(a.path("status").asText()).isEqualTo("resolved");
      assertThat(a.path("startsAt").asText()).isEqualTo(firedAt);
      assertThat(a.path("endsAt").asText()).isEqualTo(clock.instant().toString());
    });
    assertThat(webhook.failed()).isZero();
    assertThat(webhook.dropped()).isZero();
  }

  @Test
  void failingWebhookIsRetriedWithBackoffGivenUpAndCountedWhileEvaluationGoesOn() throws Exception {
    receiver.answer(503);
    SloConfig config = SloConfig.parse(ConfigNode.root(yaml("""
        evaluation_interval: 1m
        webhook:
          endpoint: "%s"
          retry_on_failure: {initial_interval: 10ms, max_interval: 20ms, max_elapsed_time: 200ms}
        objectives:
        %s""".formatted(receiver.url(), AVAILABILITY_99))));
    webhook = new AlertWebhook(config.webhook(), config.externalUrl());
    webhook.start();
    start(config, webhook);
    for (int i = 0; i < 60; i++) minute(100, 0);
    while (!firing(0)) minute(0, 100);
    minute(0, 100); // evaluation goes on while the webhook fails

    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (webhook.failed() < 1 && System.nanoTime() < deadline) Thread.sleep(10);
    assertThat(webhook.failed()).isGreaterThanOrEqualTo(1);
    assertThat(webhook.sent()).isZero();
    assertThat(receiver.requests()).isGreaterThan(1);
    assertThat(webhook.attempts()).isGreaterThanOrEqualTo(receiver.requests());
  }

  @Test
  void budgetForgetsSpansOlderThanTheWindow() {
    start(config(AVAILABILITY_99.replace("window: 30d", "window: 6h")), AlertNotifier.NONE);
    minute(0, 10);
    for (int i = 0; i < 6 * 60 - 1; i++) minute(10, 0);
    assertThat(status().sliValue()).isLessThan(1.0); // the bad minute is still inside the 6h window
    minute(10, 0);

    assertThat(status().sliValue()).isEqualTo(1.0);
    assertThat(status().errorBudgetRemaining()).isEqualTo(1.0);
  }

  @Test
  void notificationsBeyondTheQueueAreDroppedAndCountedWithoutBlockingTheCaller() throws Exception {
    receiver.answer(503);
    SloConfig config = SloConfig.parse(ConfigNode.root(yaml("""
        webhook:
          endpoint: "%s"
          queue_size: 1
          retry_on_failure: {initial_interval: 1m, max_interval: 1m, max_elapsed_time: 1h}
        objectives:
        %s""".formatted(receiver.url(), AVAILABILITY_99))));
    webhook = new AlertWebhook(config.webhook(), "");
    webhook.start();
    AlertNotification n = new AlertNotification(Map.of("alertname", "SLOBurnRateHigh"), List.of(new AlertNotification.Alert(
        Map.of("alertname", "SLOBurnRateHigh"), Map.of(), START, null)));

    // The worker holds at most one while it backs off; the queue holds one more.
    for (int i = 0; i < 5; i++) webhook.notify(n);

    assertThat(webhook.dropped()).isGreaterThanOrEqualTo(3);
    assertThat(webhook.sent()).isZero();
  }
}
