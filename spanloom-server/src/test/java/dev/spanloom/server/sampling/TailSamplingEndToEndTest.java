package dev.spanloom.server.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spanloom.model.TraceId;
import dev.spanloom.sampling.CollectorHashes;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The seed's tail_sampling configuration (with a short decision_wait) behind a real Spanloom,
 * fed by the real OpenTelemetry Java SDK over OTLP/gRPC from three services: every error trace,
 * every trace over 2 s and every payment-service and fraud-detection trace is kept; of the rest,
 * exactly those the Collector's probabilistic policy keeps (about 5 %); every trace is stored
 * whole or not at all.
 */
class TailSamplingEndToEndTest {
  private static final String SEED_TAIL_SAMPLING = """
      processors:
        tail_sampling:
          decision_wait: 1s
          num_traces: 50000
          expected_new_traces_per_sec: 500
          policies:
            # Always keep errors
            - name: keep-errors
              type: status_code
              status_code: {status_codes: [ERROR]}
            # Keep slow traces (>2s)
            - name: keep-slow
              type: latency
              latency: {threshold_ms: 2000}
            # Keep 5% of all other traces
            - name: probabilistic
              type: probabilistic
              probabilistic: {sampling_percentage: 5}
            # Always keep traces for critical services
            - name: keep-payment
              type: string_attribute
              string_attribute:
                key: service.name
                values: [payment-service, fraud-detection]
      """;
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long MS = 1_000_000L;

  private record Client(SdkTracerProvider provider, Tracer tracer, InMemorySpanExporter sent) {
    static Client of(String service, String endpoint) {
      InMemorySpanExporter memory = InMemorySpanExporter.create();
      SdkTracerProvider provider = SdkTracerProvider.builder()
          .setResource(Resource.create(Attributes.of(io.opentelemetry.api.common.AttributeKey.stringKey("service.name"), service)))
          .addSpanProcessor(SimpleSpanProcessor.create(memory))
          .addSpanProcessor(BatchSpanProcessor.builder(OtlpGrpcSpanExporter.builder().setEndpoint(endpoint).build())
              .setScheduleDelay(Duration.ofMillis(100)).setMaxQueueSize(16_384).setMaxExportBatchSize(512).build())
          .build();
      return new Client(provider, provider.get("dev.spanloom.sampling.e2e"), memory);
    }
  }

  @Test
  void seedPoliciesKeepWhatTheySayAndEveryTraceWhole() throws Exception {
    try (SamplingServer spanloom = new SamplingServer(SEED_TAIL_SAMPLING, "[tail_sampling]")) {
      Client web = Client.of("web", spanloom.grpcEndpoint());
      Client payment = Client.of("payment-service", spanloom.grpcEndpoint());
      Client fraud = Client.of("fraud-detection", spanloom.grpcEndpoint());
      Set<String> errors = new HashSet<>();
      Set<String> slow = new HashSet<>();
      Set<String> critical = new HashSet<>();
      Set<String> others = new HashSet<>();
      for (int i = 0; i < 1200; i++) others.add(trace(web, null, 50, false));
      for (int i = 0; i < 40; i++) errors.add(trace(web, null, 50, true));
      for (int i = 0; i < 40; i++) slow.add(trace(web, null, 2_001, false));
      for (int i = 0; i < 30; i++) critical.add(trace(web, payment, 80, false));
      for (int i = 0; i < 30; i++) critical.add(trace(fraud, null, 30, false));
      Map<String, Integer> sentSpans = new HashMap<>();
      for (Client c : List.of(web, payment, fraud)) {
        assertThat(c.provider().forceFlush().join(20, TimeUnit.SECONDS).isSuccess()).isTrue();
        for (SpanData s : c.sent().getFinishedSpanItems()) sentSpans.merge(s.getTraceId(), 1, Integer::sum);
        c.provider().shutdown().join(10, TimeUnit.SECONDS);
      }
      assertThat(sentSpans).hasSize(1340);

      byte[] salt = CollectorHashes.tailSalt("");
      long threshold = CollectorHashes.tailProbabilisticThreshold(0.05);
      Set<String> expected = new HashSet<>();
      expected.addAll(errors);
      expected.addAll(slow);
      expected.addAll(critical);
      List<String> othersKept = new ArrayList<>();
      for (String id : sentSpans.keySet()) {
        if (CollectorHashes.tailProbabilisticSampled(salt, threshold, TraceId.fromHex(id))) {
          expected.add(id);
          if (others.contains(id)) othersKept.add(id);
        }
      }
      // About 5 % of the rest: 60 expected, sigma 7.5; five sigma either way.
      assertThat(othersKept.size()).isBetween(23, 97);

      String processor = "{processor=\"tail_sampling/0\"}";
      SamplingServer.await(Duration.ofSeconds(30), () ->
          spanloom.metric("spanloom_tail_sampling_new_trace_id_received_total" + processor) == 1340
              && spanloom.metric("spanloom_tail_sampling_traces_on_memory" + processor) == 0
              && expected.stream().allMatch(id -> spanloom.storedSpans(TraceId.fromHex(id)) == sentSpans.get(id)),
          () -> "traces seen " + spanloom.metric("spanloom_tail_sampling_new_trace_id_received_total" + processor)
              + ", in memory " + spanloom.metric("spanloom_tail_sampling_traces_on_memory" + processor)
              + ", kept traces stored whole " + expected.stream().filter(id -> spanloom.storedSpans(TraceId.fromHex(id)) == sentSpans.get(id)).count()
              + " of " + expected.size());

      for (Map.Entry<String, Integer> e : sentSpans.entrySet()) {
        int stored = spanloom.storedSpans(TraceId.fromHex(e.getKey()));
        if (expected.contains(e.getKey())) assertThat(stored).as("kept trace %s", e.getKey()).isEqualTo(e.getValue());
        else assertThat(stored).as("dropped trace %s", e.getKey()).isZero();
      }
      assertThat(spanloom.metric("spanloom_tail_sampling_global_count_traces_sampled_total{decision=\"sampled\",processor=\"tail_sampling/0\"}"))
          .isEqualTo(expected.size());
    }
  }

  /** One trace: a server span, two children (one in {@code downstream}'s service when given); returns its ID. */
  private static String trace(Client client, Client downstream, long durationMs, boolean error) {
    long start = T0 + System.nanoTime() % 1_000_000_000L;
    Span root = client.tracer().spanBuilder("GET /checkout").setSpanKind(SpanKind.SERVER)
        .setStartTimestamp(start, TimeUnit.NANOSECONDS).startSpan();
    Context ctx = Context.root().with(root);
    Span db = client.tracer().spanBuilder("SELECT orders").setSpanKind(SpanKind.CLIENT).setParent(ctx)
        .setStartTimestamp(start + MS, TimeUnit.NANOSECONDS).startSpan();
    if (error) db.setStatus(StatusCode.ERROR, "deadlock");
    db.end(start + 2 * MS, TimeUnit.NANOSECONDS);
    Tracer second = (downstream == null ? client : downstream).tracer();
    second.spanBuilder("charge").setSpanKind(downstream == null ? SpanKind.INTERNAL : SpanKind.SERVER).setParent(ctx)
        .setStartTimestamp(start + 3 * MS, TimeUnit.NANOSECONDS).startSpan().end(start + 4 * MS, TimeUnit.NANOSECONDS);
    root.end(start + durationMs * MS, TimeUnit.NANOSECONDS);
    return root.getSpanContext().getTraceId();
  }
}
