package dev.spanloom.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability as a client sees it: a real OTLP exporter sends while Spanloom is killed with
 * SIGKILL; after a restart on the same directories every span whose export was acknowledged
 * is there, also when the write-ahead log's tail was torn.
 */
class CrashRecoveryTest {
  private static final Pattern PORTS = Pattern.compile(
      "receivers.otlp.protocols.grpc=(\\d+).* query_port=(\\d+)");

  @TempDir
  Path dir;

  @Test
  void everyAcknowledgedSpanSurvivesSigkill() throws Exception {
    Set<String> acknowledged = exportWhileKilled();
    assertThat(acknowledged).hasSizeGreaterThan(100);
    assertAllStored(acknowledged);
  }

  @Test
  void everyAcknowledgedSpanSurvivesSigkillAndATornWalTail() throws Exception {
    Set<String> acknowledged = exportWhileKilled();
    Path newest;
    try (Stream<Path> files = Files.walk(dir.resolve("wal"))) {
      newest = files.filter(Files::isRegularFile).max(Path::compareTo).orElseThrow();
    }
    // Half a record header and garbage, as a crash in the middle of an append leaves it.
    Files.write(newest, new byte[] {0, 0, 1, 7, (byte) 0xde, (byte) 0xad, (byte) 0xbe}, StandardOpenOption.APPEND);
    assertAllStored(acknowledged);
  }

  /** Exports batches from four threads, kills Spanloom after some were acknowledged, returns their span IDs. */
  private Set<String> exportWhileKilled() throws Exception {
    Child spanloom = Child.start(config(), dir);
    List<List<SpanData>> batches = batches(60, 50);
    Set<String> acknowledged = Collections.synchronizedSet(new HashSet<>());
    AtomicInteger acks = new AtomicInteger();
    OtlpGrpcSpanExporter exporter = OtlpGrpcSpanExporter.builder()
        .setEndpoint("http://127.0.0.1:" + spanloom.grpcPort)
        .setTimeout(Duration.ofSeconds(5))
        .setRetryPolicy(null) // a refused export is simply not acknowledged
        .build();
    List<CompletableFuture<Void>> senders = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int first = t;
      senders.add(CompletableFuture.runAsync(() -> {
        for (int i = first; i < batches.size(); i += 4) {
          CompletableResultCode result = exporter.export(batches.get(i)).join(10, TimeUnit.SECONDS);
          if (result.isSuccess()) {
            batches.get(i).forEach(s -> acknowledged.add(s.getSpanId()));
            acks.incrementAndGet();
          }
        }
      }));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (acks.get() < 10 && System.nanoTime() < deadline) Thread.sleep(5);
    spanloom.kill();
    CompletableFuture.allOf(senders.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);
    exporter.shutdown().join(10, TimeUnit.SECONDS);
    return new HashSet<>(acknowledged);
  }

  private void assertAllStored(Set<String> acknowledged) throws Exception {
    Child restarted = Child.start(config(), dir);
    try {
      WebClient client = WebClient.of("http://127.0.0.1:" + restarted.queryPort);
      Set<String> traceIds = new HashSet<>();
      for (List<SpanData> batch : batches(60, 50)) {
        for (SpanData s : batch) traceIds.add(s.getTraceId());
      }
      Set<String> found = new HashSet<>();
      Map<Integer, Integer> statuses = new TreeMap<>();
      String sample = "";
      for (String traceId : traceIds) {
        AggregatedHttpResponse r = client.get("/api/traces/" + traceId).aggregate().join();
        statuses.merge(r.status().code(), 1, Integer::sum);
        if (sample.isEmpty()) sample = traceId + " -> " + r.contentUtf8();
        if (r.status().code() != 200) continue;
        Matcher m = Pattern.compile("\"spanId\":\"([^\"]+)\"").matcher(r.contentUtf8());
        while (m.find()) found.add(dev.spanloom.model.SpanId.fromBytes(java.util.Base64.getDecoder().decode(m.group(1))).toHex());
      }
      assertThat(found).as("statuses %s, e.g. %s", statuses, sample).containsAll(acknowledged);
    } finally {
      restarted.kill();
    }
  }

  // The same spans every call: trace and span IDs come from a seeded generator via fixed IDs.
  private static List<List<SpanData>> batches(int count, int size) {
    InMemorySpanExporter memory = InMemorySpanExporter.create();
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setIdGenerator(new SeededIds(42))
        .addSpanProcessor(SimpleSpanProcessor.create(memory)).build();
    Tracer tracer = provider.get("crash-test");
    for (int i = 0; i < count * size; i++) {
      Span span = tracer.spanBuilder("op-" + i).setAttribute("i", i).startSpan();
      span.end();
    }
    List<SpanData> all = memory.getFinishedSpanItems();
    provider.shutdown();
    List<List<SpanData>> out = new ArrayList<>();
    for (int i = 0; i < all.size(); i += size) out.add(all.subList(i, Math.min(all.size(), i + size)));
    return out;
  }

  private String config() {
    return RunningSpanloom.LOOPBACK_OTLP.replace("backend: memory", "backend: local\n    local:\n      path: "
        + dir.resolve("blocks") + "\n    wal:\n      path: " + dir.resolve("wal"));
  }

  /** Deterministic IDs so a second call to {@link #batches} yields the same spans. */
  private static final class SeededIds implements io.opentelemetry.sdk.trace.IdGenerator {
    private final java.util.Random random;

    SeededIds(long seed) {
      random = new java.util.Random(seed);
    }

    @Override
    public String generateSpanId() {
      return String.format("%016x", random.nextLong() | 1);
    }

    @Override
    public String generateTraceId() {
      return String.format("%016x%016x", random.nextLong() | 1, random.nextLong());
    }
  }

  /** Spanloom in its own JVM, so that it can be killed for real. */
  private static final class Child {
    final Process process;
    final int grpcPort;
    final int queryPort;

    private Child(Process process, int grpcPort, int queryPort) {
      this.process = process;
      this.grpcPort = grpcPort;
      this.queryPort = queryPort;
    }

    static Child start(String yaml, Path dir) throws IOException, InterruptedException {
      Path config = dir.resolve("spanloom.yaml");
      Files.writeString(config, yaml);
      Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx512m", "-cp", System.getProperty("java.class.path"), Spanloom.class.getName(),
          "--config", config.toString())
          .redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.PIPE)
          .start();
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      List<String> lines = new ArrayList<>();
      CompletableFuture<Matcher> started = CompletableFuture.supplyAsync(() -> {
        try {
          for (String line; (line = out.readLine()) != null; ) {
            lines.add(line);
            Matcher m = PORTS.matcher(line);
            if (m.find()) return m;
          }
        } catch (IOException e) {
          // the process died; reported below
        }
        return null;
      });
      Matcher m;
      try {
        m = started.get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        m = null;
      }
      if (m == null) {
        p.destroyForcibly().waitFor();
        throw new AssertionError("Spanloom did not start:\n" + String.join("\n", lines));
      }
      // Keep draining its output so that it never blocks on a full pipe.
      CompletableFuture.runAsync(() -> {
        try {
          while (out.readLine() != null) { /* discard */ }
        } catch (IOException e) {
          // gone
        }
      });
      return new Child(p, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    /** SIGKILL: no shutdown hook, no flush. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
  }
}
