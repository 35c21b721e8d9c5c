package dev.spanloom.server;

import dev.spanloom.pipeline.config.ConfigException;
import dev.spanloom.server.config.SpanloomConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code spanloom slo rules [--config FILE] [--output FILE]}: writes the Prometheus recording
 * and alerting rules equivalent to the configuration's {@code slo.objectives}, to standard output
 * or a file. The whole configuration is checked as at start (latency thresholds against the
 * connector's buckets included), but nothing starts.
 */
final class SloRulesCommand {
  static final String USAGE = "usage: spanloom slo rules [--config FILE] [--output FILE]";

  private SloRulesCommand() {}

  /** The exit status: 0 written, 2 bad arguments or configuration, 1 cannot write. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || !args[0].equals("rules")) {
      err.println("spanloom slo: " + (args.length == 0 ? "missing command" : "unknown command " + args[0])
          + " (expected: rules)\n" + USAGE);
      return 2;
    }
    Path configFile = null;
    Path output = null;
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      if ((a.equals("--config") || a.equals("--output")) && i + 1 < args.length) {
        if (a.equals("--config")) configFile = Path.of(args[++i]);
        else output = Path.of(args[++i]);
      } else if (a.startsWith("--config=")) {
        configFile = Path.of(a.substring("--config=".length()));
      } else if (a.startsWith("--output=")) {
        output = Path.of(a.substring("--output=".length()));
      } else if (a.equals("--help") || a.equals("-h")) {
        out.println(USAGE);
        return 0;
      } else {
        err.println("spanloom slo rules: unknown argument " + a + " (expected: --config FILE or --output FILE)");
        return 2;
      }
    }
    String rules;
    try {
      SpanloomConfig config = configFile == null ? SpanloomConfig.defaults() : SpanloomConfig.load(configFile);
      // Constructors do no I/O: building the server checks everything and starts nothing.
      rules = new SpanloomServer(config).slo().rules();
    } catch (ConfigException e) {
      err.println("spanloom: configuration error: " + e.getMessage());
      return 2;
    }
    if (output == null) {
      out.print(rules);
      out.flush();
      return 0;
    }
    try {
      Files.writeString(output, rules, StandardCharsets.UTF_8);
    } catch (IOException e) {
      err.println("spanloom slo rules: cannot write " + output + ": " + e);
      return 1;
    }
    return 0;
  }
}
