package dev.spanloom.bench.sampling;

import static dev.spanloom.bench.CommandLineFlags.integer;

import dev.spanloom.bench.CommandLineFlags;
import java.time.Duration;

/**
 * The command line of {@link TailSamplingThroughput}, parsed and checked once. Defaults live here
 * and in {@link #USAGE}, nowhere else; those of the processor are the seed's tail_sampling.
 */
record TailSamplingThroughputOptions(
    int spansPerSecond,
    int spansPerBatch,
    int services,
    Duration warmup,
    Duration duration,
    Duration decisionWait,
    int numTraces,
    String maxBytes,
    int heapSamples,
    Duration heapSampleInterval) {

  static final String USAGE = String.join("\n",
      "usage: java [-Xmx…] -cp spanloom-bench.jar dev.spanloom.bench.sampling.TailSamplingThroughput [options]",
      "  --rate N                 spans offered per second, paced (default 50000)",
      "  --batch N                spans per process() call, as one export request (default 512)",
      "  --services N             distinct service.name resources (default 12, fraud-detection among them)",
      "  --warmup D               traffic before measuring: fills decision_wait once (default 15s)",
      "  --duration D             measured time (default 40s)",
      "  --decision-wait D        tail_sampling.decision_wait (default 10s, the seed's)",
      "  --num-traces N           tail_sampling.num_traces (default 50000, the seed's)",
      "  --max-bytes SIZE         tail_sampling.max_bytes (default: the processor's, a quarter of -Xmx)",
      "  --heap-samples N         full GCs after the measured time, traffic still flowing, to read the live heap (default 3)",
      "  --heap-sample-interval D time between them (default 5s)",
      "  D is a number with ms, s or m (30s, 500ms, 2m); a bare number is seconds.");

  TailSamplingThroughputOptions {
    if (spansPerSecond < 1) throw new IllegalArgumentException("--rate: " + spansPerSecond + " (expected: >= 1)");
    if (spansPerBatch < 1) throw new IllegalArgumentException("--batch: " + spansPerBatch + " (expected: >= 1)");
    if (services < 1) throw new IllegalArgumentException("--services: " + services + " (expected: >= 1)");
    if (warmup.isNegative()) throw new IllegalArgumentException("--warmup: " + warmup.toMillis() + "ms (expected: >= 0s)");
    if (duration.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("--duration: " + duration.toMillis() + "ms (expected: >= 1s)");
    }
    if (decisionWait.isZero() || decisionWait.isNegative()) {
      throw new IllegalArgumentException("--decision-wait: " + decisionWait.toMillis() + "ms (expected: > 0s)");
    }
    if (numTraces < 1) throw new IllegalArgumentException("--num-traces: " + numTraces + " (expected: >= 1)");
    if (heapSamples < 0) throw new IllegalArgumentException("--heap-samples: " + heapSamples + " (expected: >= 0)");
    if (heapSampleInterval.isNegative()) {
      throw new IllegalArgumentException("--heap-sample-interval: " + heapSampleInterval.toMillis() + "ms (expected: >= 0s)");
    }
  }

  /** Parses {@code args}; throws {@link IllegalArgumentException} naming the bad flag. Returns null for {@code --help}. */
  static TailSamplingThroughputOptions parse(String... args) {
    int rate = 50_000;
    int batch = 512;
    int services = 12;
    Duration warmup = Duration.ofSeconds(15);
    Duration duration = Duration.ofSeconds(40);
    Duration decisionWait = Duration.ofSeconds(10);
    int numTraces = 50_000;
    String maxBytes = null;
    int heapSamples = 3;
    Duration heapSampleInterval = Duration.ofSeconds(5);
    CommandLineFlags flags = new CommandLineFlags(args);
    for (String flag; (flag = flags.nextFlag()) != null; ) {
      if (flag.equals("--help") || flag.equals("-h")) return null;
      String v = flags.value();
      switch (flag) {
        case "--rate" -> rate = integer(flag, v);
        case "--batch" -> batch = integer(flag, v);
        case "--services" -> services = integer(flag, v);
        case "--warmup" -> warmup = CommandLineFlags.duration(flag, v);
        case "--duration" -> duration = CommandLineFlags.duration(flag, v);
        case "--decision-wait" -> decisionWait = CommandLineFlags.duration(flag, v);
        case "--num-traces" -> numTraces = integer(flag, v);
        case "--max-bytes" -> maxBytes = v;
        case "--heap-samples" -> heapSamples = integer(flag, v);
        case "--heap-sample-interval" -> heapSampleInterval = CommandLineFlags.duration(flag, v);
        default -> throw new IllegalArgumentException(flag + ": unknown option (expected one of those in --help)");
      }
    }
    return new TailSamplingThroughputOptions(rate, batch, services, warmup, duration, decisionWait, numTraces, maxBytes,
        heapSamples, heapSampleInterval);
  }
}
