package dev.spanloom.server.api;

import dev.spanloom.pipeline.config.ConfigNode;
import java.time.Duration;
import java.util.Set;

/**
 * Tempo's {@code query_frontend.search} settings that Spanloom honours: the default and largest
 * result limits, and the search SLO. A search is within the SLO when it answers within {@code
 * duration_slo} or reads at least {@code throughput_bytes_slo} bytes per second, as Tempo
 * counts {@code query_frontend_queries_within_slo_total}.
 */
public record SearchSettings(int defaultResultLimit, int maxResultLimit, Duration durationSlo, double throughputBytesSlo) {
  public static final SearchSettings DEFAULTS = new SearchSettings(20, 10_000, Duration.ZERO, 0);

  // Tempo's keys; those about splitting work across queriers are accepted and mean nothing here.
  private static final Set<String> KEYS = Set.of("duration_slo", "throughput_bytes_slo", "default_result_limit",
      "max_result_limit", "max_duration", "concurrent_jobs", "target_bytes_per_job", "query_backend_after",
      "query_ingesters_until", "max_spans_per_span_set");

  public static SearchSettings fromConfig(ConfigNode search) {
    search.requireKnownKeys(KEYS);
    long defaultLimit = search.longValue("default_result_limit", DEFAULTS.defaultResultLimit);
    long maxLimit = search.longValue("max_result_limit", DEFAULTS.maxResultLimit);
    if (maxLimit <= 0) maxLimit = Integer.MAX_VALUE; // Tempo: 0 means no limit
    if (defaultLimit <= 0 || defaultLimit > maxLimit) {
      throw search.invalid("default_result_limit", defaultLimit, "> 0 and <= max_result_limit " + maxLimit);
    }
    Duration slo = search.duration("duration_slo", Duration.ZERO);
    double throughput = search.number("throughput_bytes_slo", 0);
    if (throughput < 0) throw search.invalid("throughput_bytes_slo", throughput, ">= 0");
    return new SearchSettings((int) defaultLimit, (int) Math.min(maxLimit, Integer.MAX_VALUE), slo, throughput);
  }

  /** Whether a search that took {@code nanos} and read {@code bytes} met the SLO; true when none is set. */
  public boolean withinSlo(long nanos, long bytes) {
    if (durationSlo.isZero() && throughputBytesSlo == 0) return true;
    if (!durationSlo.isZero() && nanos <= durationSlo.toNanos()) return true;
    return throughputBytesSlo > 0 && nanos > 0 && bytes / (nanos / 1e9) >= throughputBytesSlo;
  }
}
