package dev.spanloom.pipeline.metrics;

import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/** Something a metrics pipeline reads: the current, cumulative value of every series it keeps. */
@FunctionalInterface
public interface MetricsProducer {
  MetricSnapshots collect();

  /** Every producer's series in one list; the first producer wins a name two of them use. */
  static MetricsProducer of(java.util.List<? extends MetricsProducer> producers) {
    if (producers.size() == 1) return producers.get(0);
    java.util.List<MetricsProducer> copy = java.util.List.copyOf(producers);
    return () -> {
      MetricSnapshots.Builder all = MetricSnapshots.builder();
      java.util.Set<String> names = new java.util.HashSet<>();
      for (MetricsProducer p : copy) {
        p.collect().forEach(s -> {
          if (names.add(s.getMetadata().getPrometheusName())) all.metricSnapshot(s);
        });
      }
      return all.build();
    };
  }
}
