package dev.spanloom.pipeline.sampling;

import static dev.spanloom.pipeline.sampling.SamplingSpans.T0;
import static dev.spanloom.pipeline.sampling.SamplingSpans.builder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spanloom.model.Attributes;
import dev.spanloom.model.Span;
import dev.spanloom.model.Status;
import dev.spanloom.model.TraceId;
import dev.spanloom.pipeline.TestConfigs;
import dev.spanloom.pipeline.config.ConfigException;
import dev.spanloom.sampling.CollectorHashes;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TailSamplingProcessorTest {
  static final String SEED_CONFIG = """
      processors:
        tail_sampling:
          decision_wait: 10s
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
  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
  private final SamplingSpans.Downstream next = new SamplingSpans.Downstream();
  private TailSamplingProcessor processor;

  @AfterEach
  void close() {
    if (processor != null) processor.close();
  }

  private TailSamplingProcessor fromYaml(String yaml) {
    processor = TailSamplingProcessor.fromConfig(TestConfigs.yaml(yaml).child("processors").child("tail_sampling"), clock::get);
    return processor;
  }

  /** The seed's header with the given policies (YAML list items, indented by 6). */
  private TailSamplingProcessor withPolicies(String settings, String policies) {
    return fromYaml("processors:\n  tail_sampling:\n    decision_wait: 10s\n" + settings.indent(4) + "    policies:\n" + policies.indent(6));
  }

  private static Span span(TraceId id, long spanId, String service) {
    return builder(id, spanId, service).build();
  }

  private void afterWait() {
    clock.addAndGet(10 * SECOND);
    processor.decideDue();
  }

  private Set<TraceId> keptTraces() {
    return next.spans.stream().map(Span::traceId).collect(Collectors.toSet());
  }

  @Test
  void theSeedConfigurationLoadsAsWritten() {
    TailSamplingProcessor p = fromYaml(SEED_CONFIG);
    assertThat(p.toString()).isEqualTo("tail_sampling{decision_wait=10000ms, num_traces=50000, max_bytes=" + maxBytesDefault()
        + ", sample_on_first_match=false, policies=[keep-errors=status_code{status_codes=[ERROR]}, "
        + "keep-slow=latency{threshold_ms=2000}, probabilistic=probabilistic{sampling_percentage=5.0}, "
        + "keep-payment=string_attribute{key=service.name, values=[payment-service, fraud-detection]}]}");
  }

  private static long maxBytesDefault() {
    return Math.max(16L << 20, Runtime.getRuntime().maxMemory() / 4);
  }

  @Test
  void seedPoliciesKeepErrorsSlowCriticalAndTheProbabilisticShare() {
    fromYaml(SEED_CONFIG);
    TraceId error = new TraceId(1, 1);
    TraceId slow = new TraceId(1, 2);
    TraceId payment = new TraceId(1, 3);
    processor.process(List.of(span(error, 1, "web"), builder(error, 2, "web").status(Status.ERROR).build(),
        builder(slow, 1, "web").endEpochNanos(T0 + 2_000_000_000L).build(),
        span(payment, 1, "web"), span(payment, 2, "payment-service")), next);
    SplittableRandom random = new SplittableRandom(5);
    byte[] salt = CollectorHashes.tailSalt("");
    long threshold = CollectorHashes.tailProbabilisticThreshold(0.05);
    int expectedOthers = 0;
    for (int i = 0; i < 2_000; i++) {
      TraceId id = new TraceId(random.nextLong(), random.nextLong());
      if (CollectorHashes.tailProbabilisticSampled(salt, threshold, id)) expectedOthers++;
      processor.process(List.of(span(id, 1, "web"), builder(id, 2, "web").endEpochNanos(T0 + 1_999_999_999L).build()), next);
    }
    assertThat(next.spans).isEmpty();
    afterWait();
    assertThat(keptTraces()).contains(error, slow, payment).hasSize(3 + expectedOthers);
    assertThat(next.spans).hasSize(2 + 1 + 2 + 2 * expectedOthers); // whole traces: 2 error, 1 slow, 2 payment spans
    assertThat(processor.finalDecisions()).containsEntry("sampled", 3L + expectedOthers);
    assertThat(processor.countsByPolicy()).containsEntry("keep-errors|sampled", 1L);
  }

  @Test
  void decisionWaitCountsFromTheFirstSpanOfATrace() {
    withPolicies("", "- {name: all, type: always_sample}");
    TraceId id = new TraceId(2, 2);
    processor.process(List.of(span(id, 1, "a")), next);
    clock.addAndGet(6 * SECOND);
    processor.process(List.of(span(id, 2, "a")), next);
    clock.addAndGet(4 * SECOND - 1);
    processor.decideDue();
    assertThat(next.spans).isEmpty();
    clock.addAndGet(1);
    processor.decideDue();
    assertThat(next.spans).hasSize(2); // decided whole, 10 s after its first span
  }

  @Test
  void requestsAreAcknowledgedWhenBufferedNotAfterTheDecision() {
    withPolicies("", "- {name: all, type: always_sample}");
    CompletableFuture<Void> stored = new CompletableFuture<>();
    CompletableFuture<Void> ack = processor.process(List.of(span(new TraceId(3, 3), 1, "a")), spans -> stored);
    assertThat(ack).isCompleted();
    assertThat(processor.tracesInMemory()).isEqualTo(1);
    assertThat(processor.spansInMemory()).isEqualTo(1);
    stored.complete(null);
  }

  @Test
  void lateSpansFollowTheDecisionOfTheirTrace() {
    withPolicies("", "- {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}");
    TraceId kept = new TraceId(4, 1);
    TraceId dropped = new TraceId(4, 2);
    processor.process(List.of(builder(kept, 1, "a").status(Status.ERROR).build(), span(dropped, 1, "a")), next);
    afterWait();
    assertThat(next.spans).hasSize(1);
    processor.process(List.of(span(kept, 2, "a"), span(dropped, 2, "a")), next);
    assertThat(next.spans).extracting(Span::traceId).containsExactly(kept, kept);
    assertThat(processor.lateSpansSampled()).isEqualTo(1);
    assertThat(processor.lateSpansDropped()).isEqualTo(1);
    assertThat(processor.spansDropped()).isEqualTo(2);
    assertThat(processor.tracesInMemory()).isZero();
  }

  @Test
  void whenNumTracesIsReachedTheOldestTraceIsDecidedEarly() {
    withPolicies("num_traces: 2", "- {name: all, type: always_sample}");
    processor.process(List.of(span(new TraceId(5, 1), 1, "a")), next);
    processor.process(List.of(span(new TraceId(5, 2), 1, "a")), next);
    assertThat(next.spans).isEmpty();
    processor.process(List.of(span(new TraceId(5, 3), 1, "a")), next);
    assertThat(next.spans).extracting(Span::traceId).containsExactly(new TraceId(5, 1));
    assertThat(processor.tracesDecidedEarly()).isEqualTo(1);
    assertThat(processor.tracesInMemory()).isEqualTo(2);
  }

  @Test
  void whenMaxBytesIsReachedTheOldestTracesAreDecidedEarly() {
    long one = span(new TraceId(6, 1), 1, "a").estimatedSizeBytes();
    withPolicies("max_bytes: " + (3 * one), "- {name: all, type: always_sample}");
    for (int i = 1; i <= 5; i++) processor.process(List.of(span(new TraceId(6, i), 1, "a")), next);
    assertThat(processor.bytesInMemory()).isLessThanOrEqualTo(3 * one);
    assertThat(processor.tracesDecidedEarly()).isEqualTo(2);
    assertThat(next.spans).hasSize(2);
  }

  @Test
  void closeDecidesEverythingPending() {
    withPolicies("", "- {name: all, type: always_sample}");
    processor.process(List.of(span(new TraceId(7, 1), 1, "a"), span(new TraceId(7, 2), 1, "a")), next);
    processor.close();
    assertThat(next.spans).hasSize(2);
    assertThat(processor.tracesInMemory()).isZero();
  }

  @Test
  void dropBeatsInvertNotSampledBeatsSampled() {
    withPolicies("", """
        - {name: all, type: always_sample}
        - name: not-health
          type: string_attribute
          string_attribute: {key: http.route, values: [/health], invert_match: true}
        - name: drop-debug
          type: drop
          drop: {drop_sub_policy: [{name: debug, type: boolean_attribute, boolean_attribute: {key: debug, value: true}}]}
        """);
    TraceId plain = new TraceId(8, 1);
    TraceId health = new TraceId(8, 2);
    TraceId debug = new TraceId(8, 3);
    processor.process(List.of(span(plain, 1, "a"),
        builder(health, 1, "a").attributes(Attributes.builder().put("http.route", "/health").build()).build(),
        builder(debug, 1, "a").attributes(Attributes.builder().put("debug", true).build()).build()), next);
    afterWait();
    assertThat(keptTraces()).containsExactly(plain);
    assertThat(processor.finalDecisions()).containsEntry("sampled", 1L).containsEntry("not_sampled", 1L).containsEntry("dropped", 1L);
  }

  @Test
  void invertedSampledKeepsOnlyWhenNoPolicySaidNotSampled() {
    withPolicies("", """
        - name: not-health
          type: string_attribute
          string_attribute: {key: http.route, values: [/health], invert_match: true}
        - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
        """);
    processor.process(List.of(span(new TraceId(9, 1), 1, "a")), next);
    afterWait();
    assertThat(next.spans).isEmpty(); // errors said not sampled
  }

  @Test
  void sampleOnFirstMatchStopsEvaluating() {
    withPolicies("sample_on_first_match: true", """
        - {name: all, type: always_sample}
        - {name: spans, type: span_count, span_count: {min_spans: 1}}
        """);
    processor.process(List.of(span(new TraceId(10, 1), 1, "a")), next);
    afterWait();
    assertThat(processor.countsByPolicy()).containsEntry("all|sampled", 1L).doesNotContainKey("spans|sampled");
  }

  @Test
  void andNumericSpanCountAndTraceStatePolicies() {
    withPolicies("", """
        - name: big-and-slow-ish
          type: and
          and:
            and_sub_policy:
              - {name: code, type: numeric_attribute, numeric_attribute: {key: http.status_code, min_value: 500, max_value: 599}}
              - {name: two, type: span_count, span_count: {min_spans: 2}}
        - {name: vendor, type: trace_state, trace_state: {key: rojo, values: ["1"]}}
        """);
    TraceId both = new TraceId(11, 1);
    TraceId oneSpan = new TraceId(11, 2);
    TraceId state = new TraceId(11, 3);
    Attributes code = Attributes.builder().put("http.status_code", 503L).build();
    processor.process(List.of(builder(both, 1, "a").attributes(code).build(), span(both, 2, "a"),
        builder(oneSpan, 1, "a").attributes(code).build(),
        builder(state, 1, "a").traceState("rojo=1,ot=th:8").build()), next);
    afterWait();
    assertThat(keptTraces()).containsExactlyInAnyOrder(both, state);
  }

  @Test
  void compositeGivesEachPolicyItsShareOfSpansPerSecond() {
    withPolicies("", """
        - name: composite
          type: composite
          composite:
            max_total_spans_per_second: 10
            policy_order: [errors, everything]
            composite_sub_policy:
              - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
              - {name: everything, type: always_sample}
            rate_allocation:
              - {policy: errors, percent: 50}
              - {policy: everything, percent: 50}
        """);
    for (int i = 0; i < 20; i++) {
      processor.process(List.of(builder(new TraceId(12, i), 1, "a").status(i % 2 == 0 ? Status.ERROR : Status.UNSET).build()), next);
    }
    afterWait();
    assertThat(next.spans).hasSize(10); // 5 errors, 5 others, in the same second
  }

  @Test
  void rateLimitingKeepsWholeTracesUnderTheSpanRate() {
    withPolicies("", "- {name: rate, type: rate_limiting, rate_limiting: {spans_per_second: 5}}");
    for (int i = 0; i < 10; i++) processor.process(List.of(span(new TraceId(13, i), 1, "a"), span(new TraceId(13, i), 2, "a")), next);
    afterWait();
    assertThat(next.spans).hasSize(4); // 2 + 2 < 5; a third trace would make 6
  }

  @Test
  void badSettingsNameTheKey() {
    assertThatThrownBy(() -> fromYaml("processors: {tail_sampling: {decision_wait: 0s, policies: [{name: a, type: always_sample}]}}"))
        .isInstanceOf(ConfigException.class).hasMessage("processors.tail_sampling.decision_wait: \"0s\" (expected: > 0s)");
    assertThatThrownBy(() -> fromYaml("processors: {tail_sampling: {policies: [{name: a, type: sometimes}]}}"))
        .hasMessageStartingWith("processors.tail_sampling.policies[0].type: \"sometimes\" (expected: one of always_sample, and,");
    assertThatThrownBy(() -> fromYaml("processors: {tail_sampling: {policies: [{name: a, type: status_code, status_code: {status_codes: [BAD]}}]}}"))
        .hasMessage("processors.tail_sampling.policies[0].status_code.status_codes: \"BAD\" (expected: OK, ERROR or UNSET)");
    assertThatThrownBy(() -> fromYaml("processors: {tail_sampling: {policies: [{name: a, type: always_sample}, {name: a, type: always_sample}]}}"))
        .hasMessage("processors.tail_sampling.policies[1].name: \"a\" (expected: a name no other policy has)");
    assertThatThrownBy(() -> fromYaml("processors: {tail_sampling: {decision_wait: 1s}}"))
        .hasMessage("processors.tail_sampling.policies: none (expected: at least one policy)");
  }
}
