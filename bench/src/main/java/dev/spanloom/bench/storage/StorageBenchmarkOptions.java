package dev.spanloom.bench.storage;

import dev.spanloom.bench.CommandLineFlags;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The storage benchmark's command line, parsed and checked once. Defaults live here and in
 * {@link #USAGE}, nowhere else.
 */
record StorageBenchmarkOptions(
    Path dir,
    long spans,
    int batch,
    int services,
    Duration timeRange,
    int writers,
    int lookups,
    int queryRuns,
    boolean compact,
    boolean reuse,
    boolean keep,
    long seed,
    List<String> extraQueries) {

  static final Path DEFAULT_DIR = Path.of("/tmp/spanloom-bench-storage");

  static final String USAGE = String.join("\n",
      "usage: java -Xmx4g -cp spanloom-bench.jar dev.spanloom.bench.storage.StorageBenchmark [options]",
      "  --dir PATH          where blocks, WAL and the data set's manifest go; must be empty or missing",
      "                      unless --reuse (default /tmp/spanloom-bench-storage; never inside the repository)",
      "  --spans N           spans to write, at least (default 10000000); 10m, 500k are accepted",
      "  --batch N           spans per write() call, whole traces (default 2048)",
      "  --services N        distinct services, at least 4, plus the needle service \"x\" (default 50)",
      "  --time-range D      the traces' start times spread over this, ending a minute before the run (default 4h)",
      "  --writers N         writer threads of the second half of the data; the first half has one (default 2)",
      "  --lookups N         trace-by-ID lookups of stored IDs, and as many of unknown IDs (default 10000)",
      "  --query-runs N      runs of each TraceQL query (default 5)",
      "  --no-compact        skip the explicit compact() after the flush (the background compactor still runs)",
      "  --reuse             measure the data set already in --dir (written by an earlier run with --keep)",
      "  --keep              keep the data set at the end (default: delete it)",
      "  --seed N            seed of the synthetic data (default 1)",
      "  --query Q           an extra TraceQL query to time (repeatable)",
      "  D is a number with s, m or h (90m, 4h).");

  StorageBenchmarkOptions {
    if (spans < 1) throw new IllegalArgumentException("--spans: " + spans + " (expected: >= 1)");
    if (batch < 1) throw new IllegalArgumentException("--batch: " + batch + " (expected: >= 1)");
    if (services < 4) throw new IllegalArgumentException("--services: " + services + " (expected: >= 4)");
    if (timeRange.compareTo(Duration.ofMinutes(1)) < 0 || timeRange.compareTo(Duration.ofDays(7)) > 0) {
      // Older data would fall to the default retention (168h) while the benchmark runs.
      throw new IllegalArgumentException("--time-range: " + timeRange.toMinutes() + "m (expected: 1m to 7d)");
    }
    if (writers < 1) throw new IllegalArgumentException("--writers: " + writers + " (expected: >= 1)");
    if (lookups < 0) throw new IllegalArgumentException("--lookups: " + lookups + " (expected: >= 0)");
    if (queryRuns < 1) throw new IllegalArgumentException("--query-runs: " + queryRuns + " (expected: >= 1)");
    extraQueries = List.copyOf(extraQueries);
  }

  /** Chunks of the data set: write() calls, each of at least {@link #batch} spans. */
  int chunks() {
    long n = (spans + batch - 1) / batch;
    if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("--spans: " + spans + " (expected: fewer batches)");
    return (int) n;
  }

  /**
   * Parses {@code args}; throws {@link IllegalArgumentException} naming the bad flag and what it
   * expects. Returns null for {@code --help}.
   */
  static StorageBenchmarkOptions parse(String... args) {
    Path dir = DEFAULT_DIR;
    long spans = 10_000_000;
    int batch = 2048;
    int services = 50;
    Duration timeRange = Duration.ofHours(4);
    int writers = 2;
    int lookups = 10_000;
    int queryRuns = 5;
    boolean compact = true;
    boolean reuse = false;
    boolean keep = false;
    long seed = 1;
    List<String> queries = new ArrayList<>();
    CommandLineFlags flags = new CommandLineFlags(args);
    for (String flag; (flag = flags.nextFlag()) != null; ) {
      if (flag.equals("--help") || flag.equals("-h")) return null;
      switch (flag) {
        case "--no-compact" -> {
          compact = false;
          continue;
        }
        case "--reuse" -> {
          reuse = true;
          continue;
        }
        case "--keep" -> {
          keep = true;
          continue;
        }
        default -> { }
      }
      String value = flags.value();
      switch (flag) {
        case "--dir" -> {
          if (value.isBlank()) throw new IllegalArgumentException("--dir: \"" + value + "\" (expected: a directory)");
          dir = Path.of(value);
        }
        case "--spans" -> spans = count(flag, value);
        case "--batch" -> batch = integer(flag, value);
        case "--services" -> services = integer(flag, value);
        case "--time-range" -> timeRange = duration(flag, value);
        case "--writers" -> writers = integer(flag, value);
        case "--lookups" -> lookups = integer(flag, value);
        case "--query-runs" -> queryRuns = integer(flag, value);
        case "--seed" -> seed = count(flag, value);
        case "--query" -> queries.add(value);
        default -> throw new IllegalArgumentException(flag + ": unknown option (expected one of: --dir, --spans, "
            + "--batch, --services, --time-range, --writers, --lookups, --query-runs, --no-compact, --reuse, "
            + "--keep, --seed, --query)");
      }
    }
    return new StorageBenchmarkOptions(dir, spans, batch, services, timeRange, writers, lookups, queryRuns,
        compact, reuse, keep, seed, queries);
  }

  private static int integer(String flag, String value) {
    long v = count(flag, value);
    if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
      throw new IllegalArgumentException(flag + ": " + value + " (expected: an integer below 2^31)");
    }
    return (int) v;
  }

  /** An integer, optionally with a {@code k} or {@code m} suffix (thousands, millions). */
  static long count(String flag, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT).replace("_", "");
    long unit = 1;
    if (v.endsWith("k")) {
      unit = 1_000;
      v = v.substring(0, v.length() - 1);
    } else if (v.endsWith("m")) {
      unit = 1_000_000;
      v = v.substring(0, v.length() - 1);
    }
    try {
      return Math.multiplyExact(Long.parseLong(v), unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(flag + ": " + value + " (expected: an integer, e.g. 10000000 or 10m)");
    }
  }

  static Duration duration(String flag, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    try {
      if (v.endsWith("h")) return Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
      if (v.endsWith("m")) return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
      if (v.endsWith("s")) return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
    } catch (NumberFormatException e) {
      // falls through to the message below
    }
    throw new IllegalArgumentException(flag + ": " + value + " (expected: a duration such as 90m or 4h)");
  }
}
