package dev.spanloom.server;

import dev.spanloom.demo.DemoShop;
import dev.spanloom.pipeline.config.ConfigException;
import dev.spanloom.server.config.SpanloomConfig;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code spanloom [--config FILE] [--demo]} starts Spanloom with the given configuration, or
 * with the built-in all-in-one default; Tempo's {@code -config.file=FILE} is understood too.
 * {@code spanloom demo} (or {@code --demo}) also starts the demo shop, which sends its traces
 * to Spanloom's own OTLP gRPC port. {@code spanloom slo rules ...} writes Prometheus rules
 * instead ({@link SloRulesCommand}). A bad argument or configuration exits with status 2 and a
 * message naming it.
 */
public final class Spanloom {
  static final String USAGE = """
      usage: spanloom [--config FILE] [--demo [--rate N] [--kafka-bootstrap HOST:PORT]]
             spanloom demo [--config FILE] [--rate N] [--kafka-bootstrap HOST:PORT]
             spanloom slo rules [--config FILE] [--output FILE]
        --config FILE              YAML configuration (default: the built-in all-in-one configuration)
        --demo, demo               also run the demo shop, sending traces to this Spanloom's OTLP gRPC port
        --no-demo                  do not run the demo shop (the default of the java command)
        --rate N                   demo requests per second (default 5; implies --demo)
        --kafka-bootstrap H:P      carry the demo's order.created events through this Kafka broker
                                   instead of an in-process queue (implies --demo)""";

  private Spanloom() {}

  /** The command line, parsed; {@link #parse} throws {@link IllegalArgumentException} naming a bad argument. */
  record Options(Path configFile, boolean demo, double demoRate, String kafkaBootstrap, boolean help) {
    static Options parse(String... args) {
      Path configFile = null;
      Boolean demo = null;
      boolean implied = false;
      double rate = 5;
      String kafka = null;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        String name = a.contains("=") && a.startsWith("-") ? a.substring(0, a.indexOf('=')) : a;
        String inline = name.equals(a) ? null : a.substring(a.indexOf('=') + 1);
        switch (name) {
          case "--config", "-config.file", "--config.file" -> configFile = Path.of(inline != null ? inline : next(args, ++i, name, "FILE"));
          case "demo" -> {
            if (i != 0) throw new IllegalArgumentException("demo: a subcommand, first (expected: spanloom demo [options])");
            demo = true;
          }
          case "--demo" -> demo = flag(name, inline, true);
          case "--no-demo" -> demo = flag(name, inline, false);
          case "--rate" -> {
            String v = inline != null ? inline : next(args, ++i, name, "N");
            try {
              rate = Double.parseDouble(v);
            } catch (NumberFormatException e) {
              rate = -1;
            }
            if (!(rate > 0 && rate <= 10_000)) {
              throw new IllegalArgumentException("--rate: " + v + " (expected: requests per second, > 0 and <= 10000)");
            }
            implied = true;
          }
          case "--kafka-bootstrap" -> {
            kafka = inline != null ? inline : next(args, ++i, name, "HOST:PORT");
            if (!kafka.matches("[^,:\\s]+:\\d+(,[^,:\\s]+:\\d+)*")) {
              throw new IllegalArgumentException("--kafka-bootstrap: " + kafka + " (expected: host:port[,host:port…])");
            }
            implied = true;
          }
          case "--help", "-h" -> {
            return new Options(null, false, rate, null, true);
          }
          default -> throw new IllegalArgumentException("unknown argument " + a + " (expected: --config FILE, demo, --demo, --no-demo, --rate N, --kafka-bootstrap HOST:PORT)");
        }
      }
      if (Boolean.FALSE.equals(demo) && implied) {
        throw new IllegalArgumentException("--no-demo: with --rate or --kafka-bootstrap (expected: one or the other)");
      }
      return new Options(configFile, demo == null ? implied : demo, rate, kafka, false);
    }

    private static boolean flag(String name, String inline, boolean value) {
      if (inline != null) throw new IllegalArgumentException(name + "=" + inline + ": takes no value (expected: " + name + ")");
      return value;
    }

    private static String next(String[] args, int i, String name, String what) {
      if (i >= args.length) throw new IllegalArgumentException(name + ": missing value (expected: " + name + " " + what + ")");
      return args[i];
    }
  }

  public static void main(String[] args) throws InterruptedException {
    if (args.length >= 1 && args[0].equals("slo")) {
      System.exit(SloRulesCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
    }
    // The demo's Kafka clients log their whole configuration at info; warnings are what matter here.
    if (System.getProperty("org.slf4j.simpleLogger.log.org.apache.kafka") == null) {
      System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "warn");
    }
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("spanloom: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    if (options.help()) {
      System.out.println(USAGE);
      return;
    }
    SpanloomServer server;
    try {
      SpanloomConfig config = options.configFile() != null ? SpanloomConfig.load(options.configFile())
          : options.demo() ? SpanloomConfig.demoDefaults() : SpanloomConfig.defaults();
      server = new SpanloomServer(config);
    } catch (ConfigException e) {
      System.err.println("spanloom: configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    DemoShop[] demo = new DemoShop[1];
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // The shop first: its last spans reach the server before the server stops.
      synchronized (demo) {
        if (demo[0] != null) demo[0].close();
      }
      server.close();
      stopped.countDown();
    }, "spanloom-shutdown"));
    try {
      server.start();
    } catch (RuntimeException e) {
      System.err.println("spanloom: cannot start: " + e);
      System.exit(1);
    }
    if (options.demo()) {
      try {
        synchronized (demo) {
          demo[0] = demoShop(server, options.demoRate(), options.kafkaBootstrap());
          demo[0].start();
        }
      } catch (IllegalArgumentException e) {
        System.err.println("spanloom: --demo: " + e.getMessage());
        System.exit(2);
      } catch (RuntimeException e) {
        System.err.println("spanloom: --demo: cannot start the demo shop: " + e);
        System.exit(1);
      }
      System.err.println("spanloom: the demo shop sends " + options.demoRate() + " requests/s; see them with: curl -sG "
          + "localhost:" + server.queryPort() + "/api/search --data-urlencode 'q={ resource.service.name = \"api-gateway\" }'");
    }
    stopped.await();
  }

  /**
   * The demo shop, built to export to {@code server}'s OTLP gRPC receiver; not started.
   *
   * @throws IllegalArgumentException when the configuration has no {@code receivers.otlp.protocols.grpc}
   */
  static DemoShop demoShop(SpanloomServer server, double requestsPerSecond, String kafkaBootstrap) {
    String grpc = "receivers.otlp.protocols.grpc";
    if (!server.receiverPorts().containsKey(grpc)) {
      throw new IllegalArgumentException(grpc + ": not configured (expected: an OTLP gRPC receiver for the demo's spans)");
    }
    return DemoShop.builder().otlpEndpoint("http://127.0.0.1:" + server.receiverPort(grpc))
        .requestsPerSecond(requestsPerSecond).kafkaBootstrapServers(kafkaBootstrap).build();
  }
}
