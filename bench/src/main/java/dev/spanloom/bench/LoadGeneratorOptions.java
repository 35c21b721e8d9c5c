package dev.spanloom.bench;

import static dev.spanloom.bench.CommandLineFlags.integer;

import java.time.Duration;

/**
 * The load generator's command line, parsed and checked once. Defaults live here and in
 * {@link #USAGE}, nowhere else.
 */
record LoadGeneratorOptions(
    String host,
    int port,
    int concurrency,
    int spansPerRequest,
    Duration duration,
    Duration warmup,
    int services,
    Duration timeout) {

  static final String USAGE = String.join("\n",
      "usage: java -cp spanloom-bench.jar dev.spanloom.bench.OtlpLoadGenerator [options]",
      "  --target host:port       OTLP gRPC endpoint (default 127.0.0.1:4317)",
      "  --concurrency N          export requests in flight (default 16)",
      "  --spans-per-request N    spans in each export request (default 256)",
      "  --duration D             measured time, after the warmup (default 30s)",
      "  --warmup D               load sent before measuring; excluded from the summary (default 5s)",
      "  --services N             distinct service.name resources; a request carries up to 8 (default 8)",
      "  --timeout D              deadline of each export (default 10s)",
      "  D is a number with ms, s or m (30s, 500ms, 2m); a bare number is seconds.");

  static final String DEFAULT_HOST = "127.0.0.1";
  static final int DEFAULT_PORT = 4317;

  LoadGeneratorOptions {
    if (concurrency < 1) throw new IllegalArgumentException("--concurrency: " + concurrency + " (expected: >= 1)");
    if (spansPerRequest < 1) {
      throw new IllegalArgumentException("--spans-per-request: " + spansPerRequest + " (expected: >= 1)");
    }
    if (duration.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("--duration: " + duration.toMillis() + "ms (expected: >= 1s)");
    }
    if (warmup.isNegative()) throw new IllegalArgumentException("--warmup: " + warmup.toMillis() + "ms (expected: >= 0s)");
    if (services < 1) throw new IllegalArgumentException("--services: " + services + " (expected: >= 1)");
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("--timeout: " + timeout.toMillis() + "ms (expected: > 0s)");
    }
  }

  /**
   * Parses {@code args}; throws {@link IllegalArgumentException} naming the bad flag and what it
   * expects. Returns null for {@code --help}.
   */
  static LoadGeneratorOptions parse(String... args) {
    String host = DEFAULT_HOST;
    int port = DEFAULT_PORT;
    int concurrency = 16;
    int spansPerRequest = 256;
    Duration duration = Duration.ofSeconds(30);
    Duration warmup = Duration.ofSeconds(5);
    int services = 8;
    Duration timeout = Duration.ofSeconds(10);
    CommandLineFlags flags = new CommandLineFlags(args);
    for (String flag; (flag = flags.nextFlag()) != null; ) {
      if (flag.equals("--help") || flag.equals("-h")) return null;
      String value = flags.value();
      switch (flag) {
        case "--target" -> {
          int colon = value.lastIndexOf(':');
          if (colon <= 0 || value.endsWith("]")) {
            throw new IllegalArgumentException("--target: " + value + " (expected: host:port, e.g. 127.0.0.1:4317)");
          }
          host = value.substring(0, colon);
          if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
          port = integer(flag, value.substring(colon + 1));
          if (port < 1 || port > 65535) throw new IllegalArgumentException("--target: port " + port + " (expected: 1-65535)");
        }
        case "--concurrency" -> concurrency = integer(flag, value);
        case "--spans-per-request" -> spansPerRequest = integer(flag, value);
        case "--duration" -> duration = CommandLineFlags.duration(flag, value);
        case "--warmup" -> warmup = CommandLineFlags.duration(flag, value);
        case "--services" -> services = integer(flag, value);
        case "--timeout" -> timeout = CommandLineFlags.duration(flag, value);
        default -> throw new IllegalArgumentException(flag + ": unknown option (expected one of: --target, --concurrency, "
            + "--spans-per-request, --duration, --warmup, --services, --timeout)");
      }
    }
    return new LoadGeneratorOptions(host, port, concurrency, spansPerRequest, duration, warmup, services, timeout);
  }

  String target() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
