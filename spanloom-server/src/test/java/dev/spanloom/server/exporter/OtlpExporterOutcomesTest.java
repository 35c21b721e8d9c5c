package dev.spanloom.server.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Attributes;
import dev.spanloom.model.Resource;
import dev.spanloom.model.Span;
import dev.spanloom.model.SpanId;
import dev.spanloom.model.SpanKind;
import dev.spanloom.model.TraceId;
import dev.spanloom.pipeline.config.ConfigNode;
import dev.spanloom.server.exporter.OtlpExporter.DropReason;
import dev.spanloom.server.exporter.ScriptedOtlpServer.Answer;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How the exporters treat each kind of answer from a real endpoint over the network: partial
 * success, throttling with a delay, permanent refusals, a destination that stays down; and what
 * they send (headers, gzip).
 */
class OtlpExporterOutcomesTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Map<String, Object> FAST_RETRY = Map.of("initial_interval", "20ms", "max_interval", "50ms");
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
  }

  @Test
  void spansRejectedByAPartialSuccessAreCountedAsFailedAndTheRestAsSent() throws Exception {
    ScriptedOtlpServer remote = remote(Answer.partialSuccess(2));
    OtlpExporter exporter = grpcExporter(remote, Map.of());

    exporter.consume(spans(5)).join();

    waitFor(() -> exporter.sentSpans() + exporter.failedSpans(DropReason.REJECTED) == 5);
    assertThat(exporter.sentSpans()).isEqualTo(3);
    assertThat(exporter.failedSpans(DropReason.REJECTED)).isEqualTo(2);
    assertThat(exporter.retries()).isZero();
  }

  @Test
  void resourceExhaustedWithRetryInfoIsRetriedAndThenSent() throws Exception {
    ScriptedOtlpServer remote = remote(Answer.grpcError(Status.RESOURCE_EXHAUSTED, Duration.ofMillis(50)));
    OtlpExporter exporter = grpcExporter(remote, Map.of("retry_on_failure", FAST_RETRY));

    exporter.consume(spans(5)).join();

    waitFor(() -> exporter.sentSpans() == 5);
    assertThat(exporter.retries()).isEqualTo(1);
    assertThat(remote.requests).hasSize(2);
    assertThat(remote.requests.get(1)).isEqualTo(remote.requests.get(0));
  }

  @Test
  void aServerDelayBeyondMaxElapsedTimeGivesTheBatchUpInsteadOfWaiting() throws Exception {
    ScriptedOtlpServer remote = remote(Answer.grpcError(Status.RESOURCE_EXHAUSTED, Duration.ofHours(1)));
    OtlpExporter exporter = grpcExporter(remote, Map.of("retry_on_failure", FAST_RETRY));

    exporter.consume(spans(3)).join();

    waitFor(() -> exporter.failedSpans(DropReason.RETRIES_EXHAUSTED) == 3);
    assertThat(exporter.retries()).isZero();
  }

  @Test
  void invalidArgumentDropsTheBatchWithoutRetrying() throws Exception {
    ScriptedOtlpServer remote = remote(Answer.grpcError(Status.INVALID_ARGUMENT, null));
    OtlpExporter exporter = grpcExporter(remote, Map.of("retry_on_failure", FAST_RETRY));

    exporter.consume(spans(4)).join();

    waitFor(() -> exporter.failedSpans(DropReason.PERMANENT) == 4);
    assertThat(exporter.retries()).isZero();
    assertThat(remote.requests).hasSize(1);
  }

  @Test
  void unavailableIsRetriedUntilMaxElapsedTimeThenDropped() throws Exception {
    Answer[] down = new Answer[1000];
    java.util.Arrays.fill(down, Answer.grpcError(Status.UNAVAILABLE, null));
    ScriptedOtlpServer remote = remote(down);
    OtlpExporter exporter = grpcExporter(remote, Map.of("retry_on_failure",
        Map.of("initial_interval", "20ms", "max_interval", "50ms", "max_elapsed_time", "300ms")));

    exporter.consume(spans(3)).join();

    waitFor(() -> exporter.failedSpans(DropReason.RETRIES_EXHAUSTED) == 3);
    assertThat(exporter.retries()).isPositive();
    assertThat(remote.requests).hasSizeGreaterThan(1);
    assertThat(exporter.sentSpans()).isZero();
  }

  @Test
  void http429WithRetryAfterIsRetriedAndThenSent() throws Exception {
    ScriptedOtlpServer remote = remote(Answer.httpError(429, "1"));
    OtlpExporter exporter = httpExporter(remote, Map.of("retry_on_failure", FAST_RETRY));

    exporter.consume(spans(2)).join();

    waitFor(() -> exporter.sentSpans() == 2);
    assertThat(exporter.retries()).isEqualTo(1);
    assertThat(remote.requests).hasSize(2);
  }

  @Test
  void http400DropsTheBatchWithoutRetrying() throws Exception {
    ScriptedOtlpServer remote = remote(Answer.httpError(400, null));
    OtlpExporter exporter = httpExporter(remote, Map.of("retry_on_failure", FAST_RETRY));

    exporter.consume(spans(2)).join();

    waitFor(() -> exporter.failedSpans(DropReason.PERMANENT) == 2);
    assertThat(exporter.retries()).isZero();
    assertThat(remote.requests).hasSize(1);
  }

  @Test
  void configuredHeadersAndGzipReachTheRemoteOverHttp() throws Exception {
    ScriptedOtlpServer remote = remote();
    OtlpExporter exporter = httpExporter(remote, Map.of("headers", Map.of("authorization", "Bearer s3cret")));

    exporter.consume(spans(1)).join();

    waitFor(() -> exporter.sentSpans() == 1);
    assertThat(remote.headers.get(0).get("authorization")).isEqualTo("Bearer s3cret");
    assertThat(remote.headers.get(0).get("content-encoding")).isEqualTo("gzip");
    assertThat(remote.headers.get(0).get("content-type")).isEqualTo("application/x-protobuf");
    assertThat(exporter.toString()).contains("authorization=***").doesNotContain("s3cret");
  }

  @Test
  void configuredHeadersReachTheRemoteOverGrpc() throws Exception {
    ScriptedOtlpServer remote = remote();
    OtlpExporter exporter = grpcExporter(remote, Map.of("headers", Map.of("x-tenant", "blue")));

    exporter.consume(spans(1)).join();

    waitFor(() -> exporter.sentSpans() == 1);
    assertThat(remote.headers.get(0).get("x-tenant")).isEqualTo("blue");
    assertThat(remote.headers.get(0).get("grpc-encoding")).isEqualTo("gzip");
  }

  @Test
  void sentSpansArriveAsTheSameOtlpTheTranslatorEncodes() throws Exception {
    ScriptedOtlpServer remote = remote();
    OtlpExporter exporter = grpcExporter(remote, Map.of());
    List<Span> spans = spans(3);

    exporter.consume(spans).join();

    waitFor(() -> exporter.sentSpans() == 3);
    assertThat(remote.requests.get(0).getResourceSpansList()).isEqualTo(dev.spanloom.otlp.OtlpTranslator.encode(spans));
  }

  @Test
  void aSchemeLessEndpointWithoutInsecureSpeaksTlsAndNeverFallsBackToPlainText() throws Exception {
    ScriptedOtlpServer plainText = remote();
    OtlpExporter exporter = started(OtlpExporter.grpcFromConfig(node("otlp/test", Map.of(
        "endpoint", "127.0.0.1:" + plainText.port(),
        "retry_on_failure", Map.of("initial_interval", "20ms", "max_interval", "50ms", "max_elapsed_time", "200ms")))));

    exporter.consume(spans(2)).join();

    waitFor(() -> exporter.failedSpans(DropReason.RETRIES_EXHAUSTED) == 2);
    assertThat(plainText.requests).isEmpty();
    assertThat(exporter.settings().tls()).isTrue();
  }

  // --- helpers

  private ScriptedOtlpServer remote(Answer... answers) {
    ScriptedOtlpServer s = new ScriptedOtlpServer(answers);
    toClose.add(s);
    return s;
  }

  private OtlpExporter grpcExporter(ScriptedOtlpServer remote, Map<String, Object> extra) {
    Map<String, Object> config = new java.util.HashMap<>(extra);
    config.put("endpoint", "http://127.0.0.1:" + remote.port());
    return started(OtlpExporter.grpcFromConfig(node("otlp/test", config)));
  }

  private OtlpExporter httpExporter(ScriptedOtlpServer remote, Map<String, Object> extra) {
    Map<String, Object> config = new java.util.HashMap<>(extra);
    config.put("endpoint", "http://127.0.0.1:" + remote.port());
    return started(OtlpExporter.httpFromConfig(node("otlphttp/test", config)));
  }

  private OtlpExporter started(OtlpExporter exporter) {
    exporter.start();
    toClose.add(exporter);
    return exporter;
  }

  static ConfigNode node(String id, Map<String, Object> config) {
    return ConfigNode.root(Map.of("exporters", Map.of(id, config))).child("exporters").child(id);
  }

  private static List<Span> spans(int n) {
    Resource resource = Resource.of(Attributes.of(Resource.SERVICE_NAME, AttributeValue.of("checkout")));
    List<Span> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Span.builder()
          .traceId(TraceId.fromHex("4bf92f3577b34da6a3ce929d0e0e4736"))
          .spanId(new SpanId(0x1000L + i))
          .name("op-" + i)
          .kind(SpanKind.SERVER)
          .startEpochNanos(1_700_000_000_000_000_000L)
          .endEpochNanos(1_700_000_000_001_000_000L)
          .resource(resource)
          .build());
    }
    return out;
  }

  private static void waitFor(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not within " + WAIT);
      Thread.sleep(10);
    }
  }
}
