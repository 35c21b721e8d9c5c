package dev.spanloom.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.server.Server;
import dev.spanloom.model.Attributes;
import dev.spanloom.model.Resource;
import dev.spanloom.model.Span;
import dev.spanloom.model.SpanId;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.Status;
import dev.spanloom.model.StatusCode;
import dev.spanloom.model.TraceId;
import dev.spanloom.pipeline.config.ConfigNode;
import dev.spanloom.pipeline.connector.SpanMetricsConfig;
import dev.spanloom.pipeline.connector.SpanMetricsConnector;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The RED API over real HTTP, fed by a real spanmetrics connector; time moves only when a test moves it. */
class RedApiTest {
  static final long T0 = 1_764_400_000L;
  static final ObjectMapper JSON = new ObjectMapper();

  final AtomicLong nowSeconds = new AtomicLong(T0);
  final Clock clock = new Clock() {
    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochSecond(nowSeconds.get());
    }
  };
  // One server for all tests (a server's stop waits out its event loop's quiet period); it
  // answers with the API of the running test.
  static Server server;
  static WebClient client;
  static volatile RedApi api;
  SpanMetricsConnector connector;
  RedHistory history;
  long nextSpanId = 1;

  @BeforeAll
  static void startServer() {
    server = Server.builder().http(0).service("/api/red", (ctx, req) -> api.answer(ctx)).build();
    server.start().join();
    client = WebClient.of("http://127.0.0.1:" + server.activeLocalPort());
  }

  @AfterAll
  static void stopServer() {
    server.stop().join();
  }

  @BeforeEach
  void start() {
    // The seed's buckets, exemplars on.
    connector = new SpanMetricsConnector(SpanMetricsConfig.fromConfig(ConfigNode.root(Map.of(
        "histogram", Map.of("explicit", Map.of("buckets",
            List.of("5ms", "10ms", "25ms", "50ms", "75ms", "100ms", "250ms", "500ms", "1s", "2.5s", "5s"))),
        "exemplars", Map.of("enabled", true)))), () -> nowSeconds.get() * 1_000_000_000L);
    history = new RedHistory(connector, clock, Duration.ofSeconds(15), Duration.ofHours(1), 1000);
    api = new RedApi(history);
  }

  void send(String service, String name, SpanKind kind, StatusCode status, long durationMillis, int count) {
    List<Span> spans = new ArrayList<>();
    long end = nowSeconds.get() * 1_000_000_000L;
    for (int i = 0; i < count; i++) {
      spans.add(Span.builder().traceId(new TraceId(0x4bf92f3577b34da6L, nextSpanId)).spanId(new SpanId(nextSpanId++))
          .name(name).kind(kind).status(Status.of(status, ""))
          .startEpochNanos(end - durationMillis * 1_000_000).endEpochNanos(end)
          .resource(Resource.of(Attributes.builder().put(Resource.SERVICE_NAME, service).build())).build());
    }
    connector.consume(spans).join();
  }

  void advance(long seconds) {
    nowSeconds.addAndGet(seconds);
  }

  AggregatedHttpResponse get(String path) {
    return client.get(path).aggregate().join();
  }

  JsonNode json(String path) throws Exception {
    AggregatedHttpResponse r = get(path);
    assertThat(r.status().code()).as(r.contentUtf8()).isEqualTo(200);
    return JSON.readTree(r.contentUtf8());
  }

  @Nested
  class Overview {
    @Test
    void givesRequestsErrorsRateAndP99PerServiceSinceStart() throws Exception {
      send("order-service", "POST /orders", SpanKind.SERVER, StatusCode.UNSET, 20, 988);
      send("order-service", "POST /orders", SpanKind.SERVER, StatusCode.ERROR, 240, 12);
      advance(400);

      // p99: rank 990 of 1000 falls 2 of 12 into the (100, 250] bucket: 100 + 150 * 2/12.
      assertThat(get("/api/red").contentUtf8()).isEqualTo("{\"services\":[{\"service\":\"order-service\","
          + "\"requests\":1000,\"errors\":12,\"rate\":2.5,\"error_rate\":0.012,\"p99_ms\":125.0}]}");
    }

    @Test
    void countsOnlyTheLastFiveMinutesOnceTheHistoryReachesThatFar() throws Exception {
      send("api", "GET /", SpanKind.SERVER, StatusCode.UNSET, 3, 500);
      advance(15);
      history.sample();
      advance(300);
      send("api", "GET /", SpanKind.SERVER, StatusCode.ERROR, 3, 30);

      JsonNode api = json("/api/red").get("services").get(0);
      assertThat(api.get("requests").asLong()).isEqualTo(30);
      assertThat(api.get("errors").asLong()).isEqualTo(30);
      assertThat(api.get("rate").asDouble()).isEqualTo(0.1);
      assertThat(api.get("error_rate").asDouble()).isEqualTo(1.0);
    }

    @Test
    void countsTheSpansAServiceServesNotTheCallsItMakes() throws Exception {
      send("api", "GET /", SpanKind.SERVER, StatusCode.UNSET, 3, 10);
      send("api", "SELECT", SpanKind.CLIENT, StatusCode.UNSET, 3, 40);
      send("cron", "nightly", SpanKind.INTERNAL, StatusCode.UNSET, 3, 7);
      advance(10);

      JsonNode services = json("/api/red").get("services");
      assertThat(services.get(0).get("service").asText()).isEqualTo("api");
      assertThat(services.get(0).get("requests").asLong()).isEqualTo(10);
      assertThat(services.get(1).get("service").asText()).isEqualTo("cron");
      assertThat(services.get(1).get("requests").asLong()).isEqualTo(7);
    }

    @Test
    void givesNullQuantilesAndErrorRateWithoutRequests() throws Exception {
      send("api", "GET /", SpanKind.SERVER, StatusCode.UNSET, 3, 10);
      advance(15);
      history.sample();
      advance(600);

      assertThat(get("/api/red").contentUtf8()).isEqualTo("{\"services\":[{\"service\":\"api\","
          + "\"requests\":0,\"errors\":0,\"rate\":0.0,\"error_rate\":null,\"p99_ms\":null}]}");
    }
  }

  @Nested
  class OneService {
    @Test
    void givesTotalsASeriesPerStepAndExemplarsPerOperation() throws Exception {
      send("order-service", "POST /orders", SpanKind.SERVER, StatusCode.UNSET, 20, 15);
      advance(15);
      history.sample();
      send("order-service", "POST /orders", SpanKind.SERVER, StatusCode.ERROR, 240, 30);
      advance(15);
      history.sample();

      JsonNode r = json("/api/red?service=order-service&since=1h");
      assertThat(r.get("service").asText()).isEqualTo("order-service");
      assertThat(r.get("step_seconds").asLong()).isEqualTo(15);
      assertThat(r.get("end").asLong()).isEqualTo(T0 + 30);
      assertThat(r.get("start").asLong()).isEqualTo(T0 + 30 - 3600);
      JsonNode op = r.get("operations").get(0);
      assertThat(op.get("operation").asText()).isEqualTo("POST /orders");
      assertThat(op.get("span_kind").asText()).isEqualTo("SPAN_KIND_SERVER");
      // 15 spans of 20 ms, then 30 errors of 240 ms: ranks fall in (10, 25] and (100, 250].
      JsonNode totals = op.get("totals");
      assertThat(totals.get("requests").asLong()).isEqualTo(45);
      assertThat(totals.get("errors").asLong()).isEqualTo(30);
      assertThat(totals.get("p50_ms").asDouble()).isCloseTo(137.5, within(1e-9));
      assertThat(totals.get("p95_ms").asDouble()).isCloseTo(238.75, within(1e-9));
      assertThat(totals.get("p99_ms").asDouble()).isCloseTo(247.75, within(1e-9));
      JsonNode series = op.get("series");
      assertThat(series).hasSize(2);
      assertThat(series.get(0).get("t").asLong()).isEqualTo(T0 + 15);
      assertThat(series.get(0).get("rate").asDouble()).isEqualTo(1.0);
      assertThat(series.get(0).get("error_rate").asDouble()).isEqualTo(0.0);
      assertThat(series.get(0).get("p50_ms").asDouble()).isCloseTo(17.5, within(1e-9));
      assertThat(series.get(0).get("p95_ms").asDouble()).isCloseTo(24.25, within(1e-9));
      assertThat(series.get(0).get("p99_ms").asDouble()).isCloseTo(24.85, within(1e-9));
      assertThat(series.get(1).get("t").asLong()).isEqualTo(T0 + 30);
      assertThat(series.get(1).get("rate").asDouble()).isEqualTo(2.0);
      assertThat(series.get(1).get("error_rate").asDouble()).isEqualTo(1.0);
      assertThat(series.get(1).get("p50_ms").asDouble()).isCloseTo(175.0, within(1e-9));
      assertThat(series.get(1).get("p99_ms").asDouble()).isCloseTo(248.5, within(1e-9));
      JsonNode exemplars = op.get("exemplars");
      assertThat(exemplars).hasSize(2);
      assertThat(exemplars.get(0).get("trace_id").asText()).matches("[0-9a-f]{32}");
      assertThat(exemplars.get(0).get("span_id").asText()).matches("[0-9a-f]{16}");
      assertThat(exemplars.get(0).get("duration_ms").asDouble()).isEqualTo(20.0);
      assertThat(exemplars.get(0).get("t").asLong()).isEqualTo(T0);
      assertThat(exemplars.get(0).get("error").asBoolean()).isFalse();
      assertThat(exemplars.get(1).get("duration_ms").asDouble()).isEqualTo(240.0);
      assertThat(exemplars.get(1).get("error").asBoolean()).isTrue();
    }

    @Test
    void answersNoOperationsForAnUnknownService() throws Exception {
      send("api", "GET /", SpanKind.SERVER, StatusCode.UNSET, 3, 1);

      assertThat(json("/api/red?service=nobody&since=5m").get("operations")).isEmpty();
    }

    @Test
    void sinceBeyondTheHistoryIsABadRequest() {
      AggregatedHttpResponse r = get("/api/red?service=api&since=2h");

      assertThat(r.status().code()).isEqualTo(400);
      assertThat(r.contentUtf8()).isEqualTo("since: \"2h\" (expected: from 1s to 1h, the span metrics history kept)");
    }

    @Test
    void sinceThatIsNoDurationIsABadRequest() {
      AggregatedHttpResponse r = get("/api/red?service=api&since=yesterday");

      assertThat(r.status().code()).isEqualTo(400);
      assertThat(r.contentUtf8()).startsWith("since:");
    }

    @Test
    void sinceWithoutAServiceIsABadRequest() {
      AggregatedHttpResponse r = get("/api/red?since=1h");

      assertThat(r.status().code()).isEqualTo(400);
      assertThat(r.contentUtf8()).isEqualTo("since: \"1h\" (expected: with service=…)");
    }
  }

  @Test
  void withoutASpanmetricsConnectorAnswers404SayingToConfigureOne() {
    api = new RedApi(null);

    AggregatedHttpResponse r = get("/api/red");
    assertThat(r.status().code()).isEqualTo(404);
    assertThat(r.contentUtf8()).contains("configure a spanmetrics connector");
  }

  @Test
  void historyKeepsNoMoreThanItsRetention() {
    for (int i = 0; i < 400; i++) {
      advance(15);
      history.sample();
    }

    assertThat(history.atOrBefore(nowSeconds.get() - 3600 - 16)).isNull();
    assertThat(history.atOrBefore(nowSeconds.get() - 3600)).isNotNull();
    assertThat(history.after(0)).hasSizeLessThanOrEqualTo(3600 / 15 + 2);
  }

  @Test
  void historyKeepsAtMostMaxOperationsPerSample() {
    history = new RedHistory(connector, clock, Duration.ofSeconds(15), Duration.ofHours(1), 2);
    send("a", "x", SpanKind.SERVER, StatusCode.UNSET, 1, 1);
    send("b", "x", SpanKind.SERVER, StatusCode.UNSET, 1, 1);
    send("c", "x", SpanKind.SERVER, StatusCode.UNSET, 1, 1);
    history.sample();

    assertThat(history.after(0).get(0).points()).hasSize(2);
    assertThat(history.droppedOperations()).isEqualTo(1);
  }

  @Nested
  class Quantiles {
    final double[] bounds = {10, 20, 40};

    @Test
    void interpolateLinearlyWithinTheBucketAsHistogramQuantileDoes() {
      assertThat(RedApi.quantile(0.5, bounds, new long[] {0, 10, 0, 0})).isEqualTo(15.0);
      assertThat(RedApi.quantile(0.75, bounds, new long[] {5, 5, 10, 0})).isEqualTo(30.0);
    }

    @Test
    void startTheFirstBucketAtZero() {
      assertThat(RedApi.quantile(0.5, bounds, new long[] {4, 0, 0, 0})).isEqualTo(5.0);
    }

    @Test
    void answerTheHighestFiniteBoundWhenTheRankFallsInInf() {
      assertThat(RedApi.quantile(0.99, bounds, new long[] {1, 0, 0, 9})).isEqualTo(40.0);
    }

    @Test
    void areNullWithoutObservations() {
      assertThat(RedApi.quantile(0.99, bounds, new long[4])).isNull();
    }
  }
}
