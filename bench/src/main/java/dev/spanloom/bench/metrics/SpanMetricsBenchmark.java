package dev.spanloom.bench.metrics;

import dev.spanloom.bench.SyntheticTraces;
import dev.spanloom.model.Span;
import dev.spanloom.otlp.OtlpTranslator;
import dev.spanloom.pipeline.config.ConfigNode;
import dev.spanloom.pipeline.connector.SpanMetricsConnector;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The spanmetrics connector's hot path: one batch of {@value #SPANS} decoded spans over
 * {@value #RESOURCES} services ({@link SyntheticTraces}) recorded again and again into series
 * that exist already, as in steady state. Scores are <em>spans per second</em> on one thread;
 * run with {@code -prof gc} for bytes allocated per span.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(SpanMetricsBenchmark.SPANS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class SpanMetricsBenchmark {
  static final int SPANS = 512;
  static final int RESOURCES = 8;
  private static final long END_EPOCH_NANOS = 1_750_000_000_000_000_000L;

  List<Span> batch;
  SpanMetricsConnector defaults;
  SpanMetricsConnector seed;
  SpanMetricsConnector seedWithoutExemplars;

  @Setup
  public void setup() {
    batch = OtlpTranslator.decode(SyntheticTraces.create(RESOURCES, 42).request(SPANS, RESOURCES, END_EPOCH_NANOS)).spans();
    defaults = connector(Map.of());
    Map<String, Object> seedConfig = Map.of(
        "histogram", Map.of("explicit", Map.of("buckets",
            List.of("5ms", "10ms", "25ms", "50ms", "75ms", "100ms", "250ms", "500ms", "1s", "2.5s", "5s"))),
        "dimensions", List.of(Map.of("name", "http.method"), Map.of("name", "http.status_code"),
            Map.of("name", "service.name")),
        "exemplars", Map.of("enabled", true));
    seed = connector(seedConfig);
    Map<String, Object> noExemplars = new java.util.HashMap<>(seedConfig);
    noExemplars.put("exemplars", Map.of("enabled", false));
    seedWithoutExemplars = connector(noExemplars);
    // Steady state: every series exists before measuring, so collect() reads them all.
    for (SpanMetricsConnector c : List.of(defaults, seed, seedWithoutExemplars)) c.consume(batch).join();
    System.out.println("series: default " + defaults.seriesCount() + ", seed " + seed.seriesCount());
  }

  private static SpanMetricsConnector connector(Map<String, Object> config) {
    return SpanMetricsConnector.fromConfig(ConfigNode.root(Map.of("spanmetrics", config)).child("spanmetrics"));
  }

  /** The Collector's defaults: four dimensions, sixteen buckets, no exemplars. */
  @Benchmark
  public void defaultConfig(Blackhole bh) {
    bh.consume(defaults.consume(batch));
  }

  /** The seed's block: two more dimensions (one an integer attribute), exemplars on. */
  @Benchmark
  public void seedConfig(Blackhole bh) {
    bh.consume(seed.consume(batch));
  }

  @Benchmark
  public void seedConfigWithoutExemplars(Blackhole bh) {
    bh.consume(seedWithoutExemplars.consume(batch));
  }

  /** One Prometheus scrape's worth of snapshots of every series. */
  @Benchmark
  @OperationsPerInvocation(1)
  public void collect(Blackhole bh) {
    bh.consume(seed.collect());
  }
}
