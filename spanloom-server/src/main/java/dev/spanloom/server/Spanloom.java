package dev.spanloom.server;

import dev.spanloom.pipeline.config.ConfigException;
import dev.spanloom.server.config.SpanloomConfig;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code spanloom [--config FILE]}: starts Spanloom with the given configuration, or with the
 * built-in all-in-one default. {@code spanloom slo rules ...} writes Prometheus rules instead
 * ({@link SloRulesCommand}). Tempo's {@code -config.file=FILE} is understood too. A bad
 * configuration exits with status 2 and a message naming the key.
 */
public final class Spanloom {
  private Spanloom() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length >= 1 && args[0].equals("slo")) {
      System.exit(SloRulesCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
    }
    Path configFile = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if ((a.equals("--config") || a.equals("-config.file") || a.equals("--config.file")) && i + 1 < args.length) {
        configFile = Path.of(args[++i]);
      } else if (a.startsWith("--config=") || a.startsWith("-config.file=") || a.startsWith("--config.file=")) {
        configFile = Path.of(a.substring(a.indexOf('=') + 1));
      } else if (a.equals("--help") || a.equals("-h")) {
        System.out.println("usage: spanloom [--config FILE]");
        return;
      } else {
        System.err.println("spanloom: unknown argument " + a + " (expected: --config FILE)");
        System.exit(2);
      }
    }
    SpanloomServer server;
    try {
      SpanloomConfig config = configFile == null ? SpanloomConfig.defaults() : SpanloomConfig.load(configFile);
      server = new SpanloomServer(config);
    } catch (ConfigException e) {
      System.err.println("spanloom: configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "spanloom-shutdown"));
    try {
      server.start();
    } catch (RuntimeException e) {
      System.err.println("spanloom: cannot start: " + e);
      System.exit(1);
    }
    stopped.await();
  }
}
