package dev.spanloom.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import dev.spanloom.model.Trace;
import dev.spanloom.model.TraceId;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Spanloom A forwards to Spanloom B through its {@code otlp} / {@code otlphttp} exporter, over
 * the network: the real OpenTelemetry SDK exports to A, and B stores what A sent. Covers
 * retries while B is down, permanent refusals, the full sending queue and the drain at close.
 */
class OtlpExporterEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
  }

  @Test
  void otlpExporterForwardsEverySpanFieldForFieldOverGrpc() throws Exception {
    RunningSpanloom b = started(RunningSpanloom.LOOPBACK_OTLP);
    RunningSpanloom a = started(forwarding("""
          otlp/b:
            endpoint: 127.0.0.1:%d
            tls: {insecure: true}
        """.formatted(port(b.grpcEndpoint())), "otlp/b"));

    assertForwardedFieldForField(a, b, "grpc", "5b8efff798038103d269b633813fc601");
    waitFor(() -> metric(a, "spanloom_exporter_sent_spans_total{exporter=\"otlp/b\"}") == 5);
    assertThat(a.get("/metrics").contentUtf8())
        .contains("spanloom_exporter_sent_spans_total{exporter=\"otlp/b\"} 5.0")
        .contains("spanloom_exporter_queue_capacity{exporter=\"otlp/b\"} 1000.0");
  }

  @Test
  void otlphttpExporterForwardsEverySpanFieldForField() throws Exception {
    RunningSpanloom b = started(RunningSpanloom.LOOPBACK_OTLP);
    RunningSpanloom a = started(forwarding("""
          otlphttp/b:
            endpoint: %s
        """.formatted(b.httpEndpoint()), "otlphttp/b"));

    assertForwardedFieldForField(a, b, "http", "5b8efff798038103d269b633813fc602");
    waitFor(() -> metric(a, "spanloom_exporter_sent_spans_total{exporter=\"otlphttp/b\"}") == 5);
  }

  @Test
  void spansAcceptedWhileTheDestinationIsDownArriveOnceItIsUp() throws Exception {
    int bPort = freePort();
    RunningSpanloom a = started(forwarding("""
          otlp/b:
            endpoint: http://127.0.0.1:%d
            retry_on_failure: {initial_interval: 100ms, max_interval: 200ms}
        """.formatted(bPort), "otlp/b"));
    List<SpanData> sent = SdkTraces.exportRichTrace(grpcExporter(a), "retry", "5b8efff798038103d269b633813fc603");
    waitFor(() -> metric(a, "spanloom_exporter_retries_total{exporter=\"otlp/b\"}") >= 1);

    RunningSpanloom b = started(withGrpcPort(RunningSpanloom.LOOPBACK_OTLP, bPort));
    TraceId traceId = TraceId.fromHex(sent.get(0).getTraceId());
    waitFor(() -> storedSpans(b, traceId) == 5);
    waitFor(() -> metric(a, "spanloom_exporter_sent_spans_total{exporter=\"otlp/b\"}") == 5);
    assertThat(metric(a, "spanloom_exporter_send_failed_spans_total{exporter=\"otlp/b\",reason=\"retries_exhausted\"}"))
        .isZero();
  }

  @Test
  void aBatchTheDestinationRefusesAsTooLargeIsDroppedAtOnceAndCountedOverGrpc() throws Exception {
    RunningSpanloom b = started(RunningSpanloom.LOOPBACK_OTLP.replace("endpoint: 127.0.0.1:0\n      http",
        "endpoint: 127.0.0.1:0\n        max_recv_msg_size_mib: 1\n      http"));
    RunningSpanloom a = started(forwarding("""
          otlp/b:
            endpoint: 127.0.0.1:%d
            tls: {insecure: true}
            compression: none
            retry_on_failure: {initial_interval: 100ms, max_interval: 100ms}
        """.formatted(port(b.grpcEndpoint())), "otlp/b"));

    exportLargeSpan(grpcExporter(a));

    String dropped = "spanloom_exporter_send_failed_spans_total{exporter=\"otlp/b\",reason=\"permanent\"}";
    waitFor(() -> metric(a, dropped) == 1);
    assertThat(metric(a, "spanloom_exporter_retries_total{exporter=\"otlp/b\"}")).isZero();
    assertThat(metric(a, "spanloom_exporter_sent_spans_total{exporter=\"otlp/b\"}")).isZero();
  }

  @Test
  void aBatchTheDestinationRefusesAsTooLargeIsDroppedAtOnceAndCountedOverHttp() throws Exception {
    RunningSpanloom b = started(RunningSpanloom.LOOPBACK_OTLP.replace("      http:\n        endpoint: 127.0.0.1:0",
        "      http:\n        endpoint: 127.0.0.1:0\n        max_request_body_size: 1MiB"));
    RunningSpanloom a = started(forwarding("""
          otlphttp/b:
            endpoint: %s
            retry_on_failure: {initial_interval: 100ms, max_interval: 100ms}
        """.formatted(b.httpEndpoint()), "otlphttp/b"));

    exportLargeSpan(grpcExporter(a));

    String dropped = "spanloom_exporter_send_failed_spans_total{exporter=\"otlphttp/b\",reason=\"permanent\"}";
    waitFor(() -> metric(a, dropped) == 1);
    assertThat(metric(a, "spanloom_exporter_retries_total{exporter=\"otlphttp/b\"}")).isZero();
  }

  @Test
  void aFullSendingQueueRefusesTheClientAndCountsTheSpans() throws Exception {
    RunningSpanloom a = started(forwarding("""
          otlp/nowhere:
            endpoint: http://127.0.0.1:%d
            timeout: 1s
            sending_queue: {num_consumers: 1, queue_size: 1}
            retry_on_failure: {initial_interval: 1h, max_interval: 1h, max_elapsed_time: 0}
        """.formatted(freePort()), "otlp/nowhere"));
    OtlpGrpcSpanExporter client = OtlpGrpcSpanExporter.builder().setEndpoint(a.grpcEndpoint()).setRetryPolicy(null).build();
    List<SpanData> spans = finishedSpans(3);

    // One batch in flight (waiting to retry), one queued, and the third finds the queue full.
    assertThat(client.export(List.of(spans.get(0))).join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    waitFor(() -> metric(a, "spanloom_exporter_retries_total{exporter=\"otlp/nowhere\"}") >= 1);
    assertThat(client.export(List.of(spans.get(1))).join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    CompletableResultCode third = client.export(List.of(spans.get(2))).join(10, TimeUnit.SECONDS);
    client.shutdown().join(10, TimeUnit.SECONDS);

    assertThat(third.isSuccess()).isFalse();
    assertThat(metric(a, "spanloom_exporter_enqueue_failed_spans_total{exporter=\"otlp/nowhere\"}")).isEqualTo(1);
    assertThat(metric(a, "spanloom_exporter_queue_size{exporter=\"otlp/nowhere\"}")).isEqualTo(1);
    assertThat(metric(a, "spanloom_exporter_queue_capacity{exporter=\"otlp/nowhere\"}")).isEqualTo(1);
    assertThat(metric(a, "spanloom_receiver_refused_spans_total{reason=\"queue_full\",receiver=\"otlp\",transport=\"grpc\"}"))
        .isEqualTo(1);
  }

  @Test
  void closeCountsWhatItCouldNotSendAsDroppedAtShutdown() throws Exception {
    RunningSpanloom a = started(forwarding("""
          otlp/nowhere:
            endpoint: http://127.0.0.1:%d
            timeout: 200ms
            sending_queue: {num_consumers: 1}
            retry_on_failure: {initial_interval: 1h, max_interval: 1h, max_elapsed_time: 0}
        """.formatted(freePort()), "otlp/nowhere"));
    OtlpGrpcSpanExporter client = OtlpGrpcSpanExporter.builder().setEndpoint(a.grpcEndpoint()).setRetryPolicy(null).build();
    List<SpanData> spans = finishedSpans(3);
    for (SpanData s : spans) assertThat(client.export(List.of(s)).join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    client.shutdown().join(10, TimeUnit.SECONDS);

    toClose.remove(a);
    a.close();

    assertThat(metric(a, "spanloom_exporter_send_failed_spans_total{exporter=\"otlp/nowhere\",reason=\"shutdown\"}"))
        .isEqualTo(3);
    assertThat(metric(a, "spanloom_exporter_queue_size{exporter=\"otlp/nowhere\"}")).isZero();
  }

  @Test
  void closeDeliversBatchesWaitingForTheirNextRetry() throws Exception {
    int bPort = freePort();
    RunningSpanloom a = new RunningSpanloom(forwarding("""
          otlp/b:
            endpoint: http://127.0.0.1:%d
            retry_on_failure: {initial_interval: 1h, max_interval: 1h, max_elapsed_time: 0}
        """.formatted(bPort), "otlp/b"));
    List<SpanData> sent;
    try {
      sent = SdkTraces.exportRichTrace(grpcExporter(a), "drain", "5b8efff798038103d269b633813fc604");
      waitFor(() -> metric(a, "spanloom_exporter_retries_total{exporter=\"otlp/b\"}") >= 1);
    } catch (RuntimeException | Error e) {
      a.close();
      throw e;
    }
    RunningSpanloom b = started(withGrpcPort(RunningSpanloom.LOOPBACK_OTLP, bPort));

    a.close(); // the next retry was an hour away

    assertThat(storedSpans(b, TraceId.fromHex(sent.get(0).getTraceId()))).isEqualTo(5);
    waitFor(() -> metric(a, "spanloom_exporter_sent_spans_total{exporter=\"otlp/b\"}") == 5);
  }

  @Test
  void anUnreachableJaegerDoesNotHoldUpTheStoreAndItsDropsAreCounted() throws Exception {
    // The seed's pipeline exports to otlp/jaeger beside the store; here jaeger:4317 does not resolve.
    RunningSpanloom a = started(forwarding("""
          otlp/jaeger:
            endpoint: jaeger:4317
            tls: {insecure: true}
            timeout: 1s
            retry_on_failure: {initial_interval: 100ms, max_interval: 200ms, max_elapsed_time: 1s}
        """, "otlp/jaeger, store"));

    List<SpanData> sent = SdkTraces.exportRichTrace(grpcExporter(a), "seed", "5b8efff798038103d269b633813fc605");

    assertThat(storedSpans(a, TraceId.fromHex(sent.get(0).getTraceId()))).isEqualTo(5);
    waitFor(() -> metric(a, "spanloom_exporter_send_failed_spans_total{exporter=\"otlp/jaeger\",reason=\"retries_exhausted\"}") == 5);
    assertThat(metric(a, "spanloom_exporter_sent_spans_total{exporter=\"otlp/jaeger\"}")).isZero();
  }

  @Test
  void withoutTheQueueTheClientIsAnsweredOnlyAfterTheDestinationAccepted() throws Exception {
    RunningSpanloom b = started(RunningSpanloom.LOOPBACK_OTLP);
    RunningSpanloom a = started(forwarding("""
          otlp/b:
            endpoint: 127.0.0.1:%d
            tls: {insecure: true}
            sending_queue: {enabled: false}
        """.formatted(port(b.grpcEndpoint())), "otlp/b"));

    List<SpanData> sent = SdkTraces.exportRichTrace(grpcExporter(a), "sync", "5b8efff798038103d269b633813fc606");

    assertThat(storedSpans(b, TraceId.fromHex(sent.get(0).getTraceId()))).isEqualTo(5);
  }

  @Test
  void withoutTheQueueAFailedExportReachesTheClient() throws Exception {
    RunningSpanloom a = started(forwarding("""
          otlp/nowhere:
            endpoint: http://127.0.0.1:%d
            sending_queue: {enabled: false}
            retry_on_failure: {enabled: false}
        """.formatted(freePort()), "otlp/nowhere"));
    OtlpGrpcSpanExporter client = OtlpGrpcSpanExporter.builder().setEndpoint(a.grpcEndpoint()).setRetryPolicy(null).build();

    CompletableResultCode result = client.export(finishedSpans(1)).join(10, TimeUnit.SECONDS);
    client.shutdown().join(10, TimeUnit.SECONDS);

    assertThat(result.isSuccess()).isFalse();
    assertThat(metric(a, "spanloom_exporter_send_failed_spans_total{exporter=\"otlp/nowhere\",reason=\"retries_exhausted\"}"))
        .isEqualTo(1);
    assertThat(metric(a, "spanloom_receiver_refused_spans_total{reason=\"export_failed\",receiver=\"otlp\",transport=\"grpc\"}"))
        .isEqualTo(1);
  }

  // --- helpers

  private RunningSpanloom started(String yaml) {
    RunningSpanloom s = new RunningSpanloom(yaml);
    toClose.add(s);
    return s;
  }

  /** A Spanloom whose one pipeline ends in {@code exporters}, with {@code exporterYaml} (indented two spaces) defined. */
  private static String forwarding(String exporterYaml, String exporters) {
    return RunningSpanloom.LOOPBACK_OTLP
        .replace("exporters:\n  store: {}\n", "exporters:\n  store: {}\n" + exporterYaml)
        .replace("exporters: [store]", "exporters: [" + exporters + "]");
  }

  private static String withGrpcPort(String yaml, int port) {
    return yaml.replaceFirst("endpoint: 127\\.0\\.0\\.1:0", "endpoint: 127.0.0.1:" + port);
  }

  private void assertForwardedFieldForField(RunningSpanloom a, RunningSpanloom b, String label, String traceIdHex) throws Exception {
    List<SpanData> sent = SdkTraces.exportRichTrace(grpcOrHttp(a, label), label, traceIdHex);
    ExportTraceServiceRequest expected = SdkTraces.sdkEncoding(sent);
    String traceId = sent.get(0).getTraceId();
    waitFor(() -> storedSpans(b, TraceId.fromHex(traceId)) == 5);

    AggregatedHttpResponse got = b.get("/api/traces/" + traceId);
    assertThat(got.status().code()).isEqualTo(200);
    assertThat(SdkTraces.flatten(SdkTraces.fromTempoJson(got).getResourceSpansList()))
        .isEqualTo(SdkTraces.flatten(expected.getResourceSpansList()));
  }

  private io.opentelemetry.sdk.trace.export.SpanExporter grpcOrHttp(RunningSpanloom a, String label) {
    return label.equals("grpc") ? grpcExporter(a)
        : OtlpHttpSpanExporter.builder().setEndpoint(a.httpEndpoint() + "/v1/traces").build();
  }

  private static OtlpGrpcSpanExporter grpcExporter(RunningSpanloom a) {
    return OtlpGrpcSpanExporter.builder().setEndpoint(a.grpcEndpoint()).build();
  }

  /** One span with a 2 MiB attribute, exported through {@code exporter} to A. */
  private static void exportLargeSpan(io.opentelemetry.sdk.trace.export.SpanExporter exporter) {
    SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
    provider.get("dev.spanloom.e2e").spanBuilder("large").startSpan().setAttribute("blob", "x".repeat(2 * 1024 * 1024)).end();
    assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    provider.shutdown().join(10, TimeUnit.SECONDS);
  }

  /** {@code n} finished spans, each its own trace, not yet exported anywhere. */
  private static List<SpanData> finishedSpans(int n) {
    InMemorySpanExporter memory = InMemorySpanExporter.create();
    SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(memory)).build();
    for (int i = 0; i < n; i++) {
      Span s = provider.get("dev.spanloom.e2e").spanBuilder("op-" + i).startSpan();
      s.end();
    }
    List<SpanData> spans = memory.getFinishedSpanItems();
    provider.shutdown().join(10, TimeUnit.SECONDS);
    return spans;
  }

  private static int storedSpans(RunningSpanloom s, TraceId id) {
    return s.server.storage().reader().findTrace(id).map(Trace::spans).map(List::size).orElse(0);
  }

  /** One sample of A's registry, e.g. {@code spanloom_exporter_sent_spans_total{exporter="otlp/b"}}; NaN when absent. */
  private static double metric(RunningSpanloom s, String sample) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try {
      io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter.create().write(out, s.server.registry().scrape());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    for (String line : out.toString(java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
      if (line.startsWith(sample + " ")) return Double.parseDouble(line.substring(sample.length() + 1).trim());
    }
    return Double.NaN;
  }

  private static int port(String url) {
    return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void waitFor(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not within " + WAIT);
      Thread.sleep(20);
    }
  }
}
