package dev.spanloom.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The web UI in real Chromium: the OpenTelemetry SDK sends the shop's traces (two similar ones
 * to compare, a failed one) and a trace of 10,000 spans over OTLP/gRPC, then
 * {@code spanloom-ui/e2e/ui.mjs} (playwright-core driving Debian's chromium) searches, opens,
 * expands, follows the critical path, compares and scrolls, asserting what each page shows.
 * Screenshots land in {@code spanloom-server/target/ui-screenshots/}. {@code ./test} installs
 * chromium and the script's node_modules; without them this test fails and says so.
 */
class UiBrowserTest {
  private static final long MS = 1_000_000L;
  private static final int BIG_TRACE_SPANS = 10_000;

  /** Span metrics and two objectives, so the service and SLO pages have data to show. */
  private static final String WITH_METRICS = RunningSpanloom.LOOPBACK_OTLP
      .replace("exporters:\n  store: {}", "exporters:\n  store: {}\n  prometheus:\n    endpoint: 127.0.0.1:0\n"
          + "connectors:\n  spanmetrics:\n    exemplars:\n      enabled: true")
      .replace("exporters: [store]", "exporters: [store, spanmetrics]\n    metrics:\n      receivers: [spanmetrics]\n"
          + "      exporters: [prometheus]")
      + """
      slo:
        evaluation_interval: 1s
        objectives:
          - name: storefront-availability
            service: api-gateway
            sli: {availability: {}}
            objective: 99.5
          - name: checkout-latency
            service: order-service
            operation: POST /orders
            sli: {latency: {threshold: 200ms}}
            objective: 99
      """;

  private static RunningSpanloom spanloom;
  private static final Map<String, SdkTracerProvider> providers = new LinkedHashMap<>();
  private static String traceA;
  private static String traceB;
  private static String bigTrace;

  @BeforeAll
  static void sendTraces() throws Exception {
    requireBrowserTools();
    spanloom = new RunningSpanloom(WITH_METRICS);
    long now = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
    traceA = shopOrder(now - 300_000 * MS, 1.0, false, false);
    traceB = shopOrder(now - 240_000 * MS, 1.0, true, false);
    shopOrder(now - 420_000 * MS, 0.8, false, false);
    shopOrder(now - 180_000 * MS, 1.7, false, true);
    shopOrder(now - 120_000 * MS, 2.6, true, false);
    shopOrder(now - 60_000 * MS, 1.3, false, false);
    bigTrace = nightlyBatch(now - 600_000 * MS);
    for (SdkTracerProvider p : providers.values()) {
      assertThat(p.forceFlush().join(60, TimeUnit.SECONDS).isSuccess()).isTrue();
      p.shutdown().join(10, TimeUnit.SECONDS);
    }
    awaitSpans(traceA, 8);
    awaitSpans(traceB, 9);
    awaitSpans(bigTrace, BIG_TRACE_SPANS);
    // The service page charts the RED history (a sample every 15 s) and the SLO page the engine's
    // evaluation (every second here): both must have seen the shop's spans.
    await("/api/red?service=order-service&since=1h", "a point in the RED series", json -> json.contains("\"series\":[{"));
    await("/api/slo", "an SLI for each objective",
        json -> json.contains("\"sli_value\"") && !json.contains("\"sli_value\":null"));
  }

  private static void await(String path, String what, java.util.function.Predicate<String> ok) throws InterruptedException {
    String last = "";
    for (int i = 0; i < 600; i++) {
      last = spanloom.get(path).contentUtf8();
      if (ok.test(last)) return;
      Thread.sleep(100);
    }
    throw new AssertionError(path + " never showed " + what + "; last answer: " + last);
  }

  @AfterAll
  static void stop() {
    if (spanloom != null) spanloom.close();
  }

  @Test
  void searchesOpensComparesAndScrollsTracesInChromium() throws Exception {
    Path repo = repositoryRoot();
    Path script = repo.resolve("spanloom-ui/e2e/ui.mjs");
    Path screenshots = repo.resolve("spanloom-server/target/ui-screenshots");
    if (Files.isDirectory(screenshots)) { // only this run's screenshots
      try (var old = Files.list(screenshots)) {
        for (Path f : old.filter(f -> f.toString().endsWith(".png")).toList()) Files.delete(f);
      }
    }

    ProcessBuilder pb = new ProcessBuilder("node", script.toString(),
        "--base", spanloom.jaegerQueryEndpoint(), "--out", screenshots.toString(),
        "--a", traceA, "--b", traceB, "--big", bigTrace, "--metrics", "required")
        .directory(script.getParent().toFile())
        .redirectErrorStream(true);
    pb.environment().put("CHROMIUM", System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    Process node;
    try {
      node = pb.start();
    } catch (IOException e) {
      throw new AssertionError("node is not on the PATH (run ./test): " + e.getMessage(), e);
    }
    String output;
    boolean finished;
    try (var in = node.getInputStream()) {
      // The script prints a line per step; reading to the end also waits for it to exit.
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      finished = node.waitFor(5, TimeUnit.MINUTES);
    } finally {
      node.destroyForcibly();
    }
    assertThat(finished).as("the browser test finished:\n" + output).isTrue();
    assertThat(node.exitValue()).as("ui.mjs exit code; its output:\n" + output).isZero();
    assertThat(output).contains("steps passed");
    try (var files = Files.list(screenshots)) {
      assertThat(files.filter(f -> f.toString().endsWith(".png")).count()).isGreaterThanOrEqualTo(20);
    }
  }

  /** Fails (not skips) without the browser or the script's node_modules: {@code ./test} installs both. */
  private static void requireBrowserTools() {
    String chromium = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
    assertThat(Files.isExecutable(Path.of(chromium)))
        .as("chromium at " + chromium + " (run ./test, which installs it with apt-get)").isTrue();
    Path playwright = repositoryRoot().resolve("spanloom-ui/e2e/node_modules/playwright-core/package.json");
    assertThat(Files.exists(playwright))
        .as(playwright + " (run ./test, which runs npm ci --prefix spanloom-ui/e2e)").isTrue();
  }

  /**
   * The shop's order: gateway → auth, order service → PostgreSQL, Kafka → notification, payment;
   * {@code slowdown} stretches every time in it (1.0: 150 ms).
   */
  private static String shopOrder(long t0, double slowdown, boolean paymentRetry, boolean failed) {
    LongUnaryOperator at = ms -> t0 + (long) (ms * slowdown * MS);
    Span root = tracer("api-gateway").spanBuilder("POST /orders").setSpanKind(SpanKind.SERVER)
        .setNoParent().setStartTimestamp(t0, TimeUnit.NANOSECONDS)
        .setAttribute("http.request.method", "POST").setAttribute("http.route", "/orders")
        .setAttribute("http.response.status_code", failed ? 502L : 201L).startSpan();
    child("auth-service", root, "verify token", SpanKind.SERVER, at.applyAsLong(2)).end(at.applyAsLong(10), TimeUnit.NANOSECONDS);
    Span order = child("order-service", root, "POST /orders", SpanKind.SERVER, at.applyAsLong(12));
    Span insert = child("order-service", order, "INSERT orders", SpanKind.CLIENT, at.applyAsLong(15));
    insert.setAttribute("db.system", "postgresql");
    insert.setAttribute("db.statement", "INSERT INTO orders (id, customer, total) VALUES ($1, $2, $3)");
    insert.end(at.applyAsLong(45), TimeUnit.NANOSECONDS);
    Span publish = child("order-service", order, "publish order.created", SpanKind.PRODUCER, at.applyAsLong(50));
    publish.setAttribute("messaging.system", "kafka");
    publish.setAttribute("messaging.destination.name", "order.created");
    publish.end(at.applyAsLong(55), TimeUnit.NANOSECONDS);
    Span consume = child("notification-service", publish, "consume order.created", SpanKind.CONSUMER, at.applyAsLong(60));
    Span email = child("notification-service", consume, "send email", SpanKind.CLIENT, at.applyAsLong(65));
    if (failed) {
      email.addEvent("smtp_error", Attributes.of(AttributeKey.longKey("smtp.attempt"), 1L), at.applyAsLong(70), TimeUnit.NANOSECONDS);
      email.setStatus(StatusCode.ERROR, "421 service not available");
    }
    email.end(at.applyAsLong(95), TimeUnit.NANOSECONDS);
    consume.end(at.applyAsLong(100), TimeUnit.NANOSECONDS);
    Span charge = child("payment-service", order, "charge card", SpanKind.CLIENT, at.applyAsLong(60));
    charge.setAttribute("payment.amount", 4200L);
    charge.setAttribute("payment.currency", "EUR");
    if (failed) charge.setStatus(StatusCode.ERROR, "card declined");
    charge.end(at.applyAsLong(100), TimeUnit.NANOSECONDS);
    if (paymentRetry) {
      Span retry = child("payment-service", order, "charge card retry", SpanKind.CLIENT, at.applyAsLong(101));
      retry.setAttribute("payment.amount", 4200L);
      retry.end(at.applyAsLong(126), TimeUnit.NANOSECONDS);
    }
    order.end(at.applyAsLong(132), TimeUnit.NANOSECONDS);
    if (failed) root.setStatus(StatusCode.ERROR, "payment failed");
    root.end(at.applyAsLong(150), TimeUnit.NANOSECONDS);
    return root.getSpanContext().getTraceId();
  }

  /** 1 root, 99 chunks, 100 records per chunk: 10,000 spans in one trace. */
  private static String nightlyBatch(long t0) {
    Span root = tracer("batch-service").spanBuilder("nightly batch").setNoParent()
        .setStartTimestamp(t0, TimeUnit.NANOSECONDS).startSpan();
    List<String> workers = List.of("worker-a", "worker-b", "worker-c");
    int spans = 1;
    long t = t0 + MS;
    for (int chunk = 0; spans < BIG_TRACE_SPANS; chunk++) {
      String worker = workers.get(chunk % workers.size());
      Span c = child(worker, root, "chunk " + chunk, SpanKind.INTERNAL, t);
      spans++;
      for (int r = 0; r < 100 && spans < BIG_TRACE_SPANS; r++, spans++) {
        Span record = child(worker, c, r % 10 == 9 ? "UPDATE records" : "process record", r % 10 == 9 ? SpanKind.CLIENT : SpanKind.INTERNAL, t + r * MS / 2);
        record.setAttribute("record.index", (long) r);
        if (r == 57 && chunk % 20 == 3) record.setStatus(StatusCode.ERROR, "malformed record");
        record.end(t + r * MS / 2 + 2 * MS, TimeUnit.NANOSECONDS);
      }
      c.end(t + 52 * MS, TimeUnit.NANOSECONDS);
      t += 50 * MS;
    }
    root.end(t + 5 * MS, TimeUnit.NANOSECONDS);
    return root.getSpanContext().getTraceId();
  }

  private static Span child(String service, Span parent, String name, SpanKind kind, long start) {
    return tracer(service).spanBuilder(name).setSpanKind(kind).setParent(Context.root().with(parent))
        .setStartTimestamp(start, TimeUnit.NANOSECONDS).startSpan();
  }

  /** One SDK per service, as each service would have its own, exporting over OTLP/gRPC. */
  private static Tracer tracer(String service) {
    return providers.computeIfAbsent(service, s -> SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
            AttributeKey.stringKey("service.name"), s, AttributeKey.stringKey("deployment.environment"), "ui-test"))))
        .addSpanProcessor(BatchSpanProcessor.builder(OtlpGrpcSpanExporter.builder().setEndpoint(spanloom.grpcEndpoint()).build())
            .setMaxQueueSize(20_000).setMaxExportBatchSize(1_000).build())
        .build()).get("dev.spanloom.ui-test", "1.0.0");
  }

  /** Ingest acknowledges before the pipeline stores: wait until the trace has all its spans. */
  private static void awaitSpans(String traceId, int spans) throws InterruptedException {
    int seen = 0;
    for (int i = 0; i < 600; i++) {
      var r = spanloom.get("/api/v2/traces/" + traceId);
      if (r.status().code() == 200) {
        seen = r.contentUtf8().split("\"spanId\"", -1).length - 1;
        if (seen >= spans) return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("trace " + traceId + " has " + seen + " of " + spans + " spans stored");
  }

  private static Path repositoryRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.exists(p.resolve("spanloom-ui/e2e/package.json"))) return p;
    }
    throw new AssertionError("no spanloom-ui/e2e above " + Path.of("").toAbsolutePath());
  }
}
