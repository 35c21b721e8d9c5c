package dev.spanloom.server.sampling;

import dev.spanloom.pipeline.PipelineGraph;
import dev.spanloom.pipeline.sampling.DbStatementProcessor;
import dev.spanloom.pipeline.sampling.ProbabilisticSamplerProcessor;
import dev.spanloom.pipeline.sampling.TailSamplingProcessor;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * The sampling processors' self-metrics in {@code /metrics}, named after the Collector's ({@code
 * otelcol_processor_tail_sampling_count_traces_sampled} becomes {@code
 * spanloom_tail_sampling_count_traces_sampled_total}). The {@code processor} label is the type
 * and the instance's position among processors of that type ({@code tail_sampling/0}).
 */
public final class SamplingMetrics {
  private SamplingMetrics() {}

  public static void register(PrometheusRegistry registry, PipelineGraph graph) {
    List<TailSamplingProcessor> tails = graph.components(TailSamplingProcessor.class);
    List<ProbabilisticSamplerProcessor> probabilistic = graph.components(ProbabilisticSamplerProcessor.class);
    List<DbStatementProcessor> db = graph.components(DbStatementProcessor.class);
    if (!tails.isEmpty()) registerTail(registry, tails);
    if (!probabilistic.isEmpty()) {
      CounterWithCallback.builder().name("spanloom_probabilistic_sampler_count_spans_sampled")
          .help("Spans decided by probabilistic_sampler, by randomness source (policy) and decision.")
          .labelNames("processor", "policy", "sampled")
          .callback(cb -> {
            for (int i = 0; i < probabilistic.size(); i++) {
              String id = ProbabilisticSamplerProcessor.TYPE + "/" + i;
              for (Map.Entry<String, Long> e : probabilistic.get(i).countsByPolicy().entrySet()) {
                String[] k = e.getKey().split("\\|", 2);
                cb.call(e.getValue(), id, k[0], k[1]);
              }
            }
          }).register(registry);
    }
    if (!db.isEmpty()) {
      counter(registry, "spanloom_db_statement_removed", "Statements removed from spans not slower than slower_than.",
          DbStatementProcessor.TYPE, db, DbStatementProcessor::statementsRemoved);
      counter(registry, "spanloom_db_statement_sanitized", "Statements kept with literals and bind parameters stripped.",
          DbStatementProcessor.TYPE, db, DbStatementProcessor::statementsSanitized);
    }
  }

  private static void registerTail(PrometheusRegistry registry, List<TailSamplingProcessor> tails) {
    String type = TailSamplingProcessor.TYPE;
    CounterWithCallback.builder().name("spanloom_tail_sampling_count_traces_sampled")
        .help("Traces evaluated by each tail_sampling policy, by the policy's decision.")
        .labelNames("processor", "policy", "decision")
        .callback(cb -> {
          for (int i = 0; i < tails.size(); i++) {
            for (Map.Entry<String, Long> e : tails.get(i).countsByPolicy().entrySet()) {
              String[] k = e.getKey().split("\\|", 2);
              cb.call(e.getValue(), type + "/" + i, k[0], k[1]);
            }
          }
        }).register(registry);
    CounterWithCallback.builder().name("spanloom_tail_sampling_global_count_traces_sampled")
        .help("Final tail_sampling decisions: sampled, not_sampled, dropped.")
        .labelNames("processor", "decision")
        .callback(cb -> {
          for (int i = 0; i < tails.size(); i++) {
            for (Map.Entry<String, Long> e : tails.get(i).finalDecisions().entrySet()) cb.call(e.getValue(), type + "/" + i, e.getKey());
          }
        }).register(registry);
    CounterWithCallback.builder().name("spanloom_tail_sampling_late_spans")
        .help("Spans that arrived after their trace was decided, by the decision they followed.")
        .labelNames("processor", "sampled")
        .callback(cb -> {
          for (int i = 0; i < tails.size(); i++) {
            cb.call(tails.get(i).lateSpansSampled(), type + "/" + i, "true");
            cb.call(tails.get(i).lateSpansDropped(), type + "/" + i, "false");
          }
        }).register(registry);
    counter(registry, "spanloom_tail_sampling_new_trace_id_received", "Traces first seen.", type, tails,
        TailSamplingProcessor::newTracesReceived);
    counter(registry, "spanloom_tail_sampling_traces_decided_early",
        "Traces decided before decision_wait because num_traces or max_bytes was reached.", type, tails,
        TailSamplingProcessor::tracesDecidedEarly);
    counter(registry, "spanloom_tail_sampling_spans_dropped", "Spans not kept by tail_sampling (deliberately not stored).", type,
        tails, TailSamplingProcessor::spansDropped);
    counter(registry, "spanloom_tail_sampling_export_failures", "Spans of kept traces that downstream refused.", type, tails,
        TailSamplingProcessor::exportFailures);
    gauge(registry, "spanloom_tail_sampling_traces_on_memory", "Undecided traces held.", type, tails, t -> t.tracesInMemory());
    gauge(registry, "spanloom_tail_sampling_bytes_on_memory", "Estimated heap bytes of the undecided spans held.", type, tails,
        TailSamplingProcessor::bytesInMemory);
  }

  private static <T> void counter(PrometheusRegistry registry, String name, String help, String type, List<T> items, ToLongFunction<T> f) {
    CounterWithCallback.builder().name(name).help(help).labelNames("processor")
        .callback(cb -> {
          for (int i = 0; i < items.size(); i++) cb.call(f.applyAsLong(items.get(i)), type + "/" + i);
        }).register(registry);
  }

  private static <T> void gauge(PrometheusRegistry registry, String name, String help, String type, List<T> items, ToLongFunction<T> f) {
    GaugeWithCallback.builder().name(name).help(help).labelNames("processor")
        .callback(cb -> {
          for (int i = 0; i < items.size(); i++) cb.call(f.applyAsLong(items.get(i)), type + "/" + i);
        }).register(registry);
  }
}
