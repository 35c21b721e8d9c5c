package dev.spanloom.pipeline.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A read-only view of one mapping in the YAML configuration that knows its own path, so every
 * typed getter can fail with a message naming the exact key. Values come from a YAML parser as
 * maps, lists, strings, numbers and booleans.
 */
public final class ConfigNode {
  private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");
  private static final BigDecimal MAX_LONG = BigDecimal.valueOf(Long.MAX_VALUE);
  private static final Pattern BYTES = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]i?b?|b)?", Pattern.CASE_INSENSITIVE);

  private final String path;
  private final Map<String, Object> values;

  private ConfigNode(String path, Map<String, Object> values) {
    this.path = path;
    this.values = values;
  }

  /** The root of a parsed document; a null document (empty file) is an empty root. */
  public static ConfigNode root(Map<String, ?> document) {
    return new ConfigNode("", document == null ? Map.of() : stringKeys(document));
  }

  public static ConfigNode empty(String path) {
    return new ConfigNode(path, Map.of());
  }

  /** The dotted path of this node, {@code ""} for the root. */
  public String path() {
    return path;
  }

  public boolean has(String key) {
    return values.containsKey(key) && values.get(key) != null;
  }

  public boolean isEmpty() {
    return values.isEmpty();
  }

  public Set<String> keys() {
    return Collections.unmodifiableSet(values.keySet());
  }

  /** The full path of {@code key} below this node. */
  public String pathOf(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** The mapping under {@code key}; an absent or null key is an empty mapping. */
  public ConfigNode child(String key) {
    Object v = values.get(key);
    if (v == null) return empty(pathOf(key));
    if (!(v instanceof Map<?, ?> m)) throw invalid(key, v, "a mapping");
    return new ConfigNode(pathOf(key), stringKeys(m));
  }

  /** Fails on any key not in {@code known}, listing the keys that are. */
  public ConfigNode requireKnownKeys(Set<String> known) {
    for (String k : values.keySet()) {
      if (!known.contains(k)) {
        throw new ConfigException(pathOf(k) + ": unknown key (expected "
            + (known.isEmpty() ? "no keys" : "one of: " + String.join(", ", new TreeSet<>(known))) + ")");
      }
    }
    return this;
  }

  public String string(String key, String defaultValue) {
    Object v = values.get(key);
    if (v == null) return defaultValue;
    if (v instanceof String || v instanceof Number || v instanceof Boolean) return v.toString();
    throw invalid(key, v, "a string");
  }

  public boolean bool(String key, boolean defaultValue) {
    Object v = values.get(key);
    if (v == null) return defaultValue;
    if (v instanceof Boolean b) return b;
    if ("true".equals(v) || "false".equals(v)) return Boolean.parseBoolean((String) v);
    throw invalid(key, v, "true or false");
  }

  public long longValue(String key, long defaultValue) {
    Object v = values.get(key);
    if (v == null) return defaultValue;
    if (v instanceof Integer || v instanceof Long) return ((Number) v).longValue();
    if (v instanceof String s) {
      try {
        return Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        // falls through to the error below
      }
    }
    throw invalid(key, v, "an integer");
  }

  public int intValue(String key, int defaultValue) {
    long v = longValue(key, defaultValue);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw invalid(key, v, "an integer that fits 32 bits");
    return (int) v;
  }

  public double number(String key, double defaultValue) {
    Object v = values.get(key);
    if (v == null) return defaultValue;
    if (v instanceof Number n) return n.doubleValue();
    if (v instanceof String s) {
      try {
        return Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        // falls through to the error below
      }
    }
    throw invalid(key, v, "a number");
  }

  /** A Go-style duration: {@code 200ms}, {@code 10s}, {@code 1m30s}, {@code 168h}; {@code 0} is zero. */
  public Duration duration(String key, Duration defaultValue) {
    Object v = values.get(key);
    if (v == null) return defaultValue;
    Duration d = v instanceof String s ? parseDuration(s) : (v instanceof Number n && n.doubleValue() == 0 ? Duration.ZERO : null);
    if (d == null) throw invalid(key, v, "a duration such as 200ms, 10s, 5m or 168h");
    return d;
  }

  /** A byte size: a plain number of bytes, or with a unit ({@code 64MiB}, {@code 20MB}, {@code 512KiB}). */
  public long bytes(String key, long defaultValue) {
    Object v = values.get(key);
    if (v == null) return defaultValue;
    if (v instanceof Integer || v instanceof Long) return ((Number) v).longValue();
    if (v instanceof String s) {
      Matcher m = BYTES.matcher(s.trim());
      if (m.matches()) {
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        boolean binary = unit.contains("i");
        long base = binary ? 1024 : 1000;
        long mult = switch (unit.charAt(0)) {
          case 'k' -> base;
          case 'm' -> base * base;
          case 'g' -> base * base * base;
          case 't' -> base * base * base * base;
          default -> 1;
        };
        // Decimal arithmetic: in doubles "2.01KB" would be 2009 bytes.
        BigDecimal n = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(mult));
        if (n.compareTo(MAX_LONG) <= 0) return n.longValue();
      }
    }
    throw invalid(key, v, "a size in bytes such as 1048576, 64MiB or 20MB");
  }

  /** A list of strings; an absent key is an empty list. */
  public List<String> stringList(String key) {
    Object v = values.get(key);
    if (v == null) return List.of();
    if (!(v instanceof List<?> l)) throw invalid(key, v, "a list");
    List<String> out = new ArrayList<>(l.size());
    for (int i = 0; i < l.size(); i++) {
      Object e = l.get(i);
      if (!(e instanceof String || e instanceof Number || e instanceof Boolean)) {
        throw invalid(key + "[" + i + "]", e, "a string");
      }
      out.add(e.toString());
    }
    return out;
  }

  /** A list of Go-style durations ({@code [5ms, 2.5s]}), each checked as {@link #duration}. */
  public List<Duration> durationList(String key) {
    Object v = values.get(key);
    if (v == null) return List.of();
    if (!(v instanceof List<?> l)) throw invalid(key, v, "a list of durations such as [5ms, 2.5s]");
    List<Duration> out = new ArrayList<>(l.size());
    for (int i = 0; i < l.size(); i++) {
      Object e = l.get(i);
      Duration d = e instanceof String s ? parseDuration(s) : (e instanceof Number n && n.doubleValue() == 0 ? Duration.ZERO : null);
      if (d == null) throw invalid(key + "[" + i + "]", e, "a duration such as 5ms or 2.5s");
      out.add(d);
    }
    return out;
  }

  /** A list of mappings, each a node whose path ends in {@code [i]}. */
  public List<ConfigNode> nodeList(String key) {
    Object v = values.get(key);
    if (v == null) return List.of();
    if (!(v instanceof List<?> l)) throw invalid(key, v, "a list");
    List<ConfigNode> out = new ArrayList<>(l.size());
    for (int i = 0; i < l.size(); i++) {
      String p = pathOf(key) + "[" + i + "]";
      if (!(l.get(i) instanceof Map<?, ?> m)) throw new ConfigException(p + ": " + describe(l.get(i)) + " (expected: a mapping)");
      out.add(new ConfigNode(p, stringKeys(m)));
    }
    return out;
  }

  /** An error about {@code key} of this node, in the house form. */
  public ConfigException invalid(String key, Object value, String expected) {
    return new ConfigException(pathOf(key) + ": " + describe(value) + " (expected: " + expected + ")");
  }

  static Duration parseDuration(String s) {
    String t = s.trim();
    if (t.equals("0")) return Duration.ZERO;
    Matcher m = DURATION_PART.matcher(t);
    int pos = 0;
    // Decimal arithmetic, as Go's: in doubles "2.01s" would be 2.009999999s.
    BigDecimal nanos = BigDecimal.ZERO;
    while (pos < t.length()) {
      if (!m.find(pos) || m.start() != pos) return null;
      long unitNanos = switch (m.group(2)) {
        case "ns" -> 1L;
        case "us", "µs" -> 1_000L;
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        default -> 3_600_000_000_000L;
      };
      nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitNanos)));
      pos = m.end();
    }
    if (pos == 0 || nanos.compareTo(MAX_LONG) > 0) return null;
    return Duration.ofNanos(nanos.longValue());
  }

  private static String describe(Object v) {
    if (v instanceof String s) return "\"" + s + "\"";
    if (v instanceof Map) return "a mapping";
    if (v instanceof List) return "a list";
    return String.valueOf(v);
  }

  private static Map<String, Object> stringKeys(Map<?, ?> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(String.valueOf(k), v));
    return out;
  }

  @Override
  public String toString() {
    return (path.isEmpty() ? "<root>" : path) + values.keySet();
  }
}
