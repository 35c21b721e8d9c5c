package dev.spanloom.bench;

import java.time.Duration;
import java.util.Locale;

/**
 * A bench tool's command line, read flag by flag: {@code --name value} or {@code --name=value}.
 * Errors are {@link IllegalArgumentException}s naming the flag and what it expects.
 */
public final class CommandLineFlags {
  private final String[] args;
  private int next;
  private String flag;
  private String inline;

  public CommandLineFlags(String... args) {
    this.args = args.clone();
  }

  /** The next flag's name (without an {@code =value} part), or null when none is left. */
  public String nextFlag() {
    if (next >= args.length) return null;
    String a = args[next++];
    int eq = a.indexOf('=');
    boolean hasInline = a.startsWith("--") && eq > 0;
    flag = hasInline ? a.substring(0, eq) : a;
    inline = hasInline ? a.substring(eq + 1) : null;
    return flag;
  }

  /** The value of the flag just read: after its {@code =}, else the next argument. */
  public String value() {
    if (inline != null) return inline;
    if (next < args.length) return args[next++];
    throw new IllegalArgumentException(flag + ": missing value");
  }

  public static int integer(String flag, String value) {
    try {
      return Integer.parseInt(value.trim().replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + ": " + value + " (expected: an integer)");
    }
  }

  /** {@code 500ms}, {@code 30s}, {@code 2m}, or a bare number of seconds. */
  public static Duration duration(String flag, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    try {
      if (v.endsWith("ms")) return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      if (v.endsWith("s")) return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
      if (v.endsWith("m")) return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
      return Duration.ofSeconds(Long.parseLong(v));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + ": " + value + " (expected: a duration such as 30s, 500ms or 2m)");
    }
  }
}
