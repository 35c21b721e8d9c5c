package dev.spanloom.pipeline.sampling;

import dev.spanloom.model.AttributeValue;
import dev.spanloom.model.Attributes;
import dev.spanloom.model.Span;
import dev.spanloom.model.StatusCode;
import dev.spanloom.model.TraceId;
import dev.spanloom.model.context.TraceState;
import dev.spanloom.pipeline.config.ConfigException;
import dev.spanloom.pipeline.config.ConfigNode;
import dev.spanloom.sampling.CollectorHashes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Builds {@code tail_sampling} policies from the Collector's configuration ({@code name}, {@code
 * type} and a section named after the type) and holds their implementations. Each behaves as the
 * Collector's evaluator of the same type; where the Collector reads a value of the wrong type
 * (an int attribute read as a string), it reads what Go's accessors return (empty string, 0,
 * false), so the same data gets the same decision.
 */
final class TailSamplingPolicies {
  static final Set<String> TYPES = Set.of("always_sample", "latency", "numeric_attribute", "probabilistic", "status_code",
      "string_attribute", "boolean_attribute", "rate_limiting", "bytes_limiting", "span_count", "trace_state", "and",
      "drop", "composite");

  private TailSamplingPolicies() {}

  /** A named policy as configured. */
  record Named(String name, String type, TailSamplingPolicy policy) {}

  static List<Named> fromConfig(ConfigNode parent, String key) {
    List<Named> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ConfigNode node : parent.nodeList(key)) {
      Named named = policy(node);
      if (!names.add(named.name())) throw node.invalid("name", named.name(), "a name no other policy has");
      out.add(named);
    }
    return out;
  }

  private static Named policy(ConfigNode node) {
    String name = node.string("name", "");
    if (name.isEmpty()) throw new ConfigException(node.pathOf("name") + ": missing (expected: a policy name)");
    String type = node.string("type", "");
    if (!TYPES.contains(type)) {
      throw node.invalid("type", type, "one of " + String.join(", ", new java.util.TreeSet<>(TYPES)));
    }
    node.requireKnownKeys(Set.of("name", "type", type));
    ConfigNode c = node.child(type);
    return new Named(name, type, build(type, c));
  }

  private static TailSamplingPolicy build(String type, ConfigNode c) {
    return switch (type) {
      case "always_sample" -> {
        c.requireKnownKeys(Set.of());
        yield new AlwaysSample();
      }
      case "latency" -> {
        c.requireKnownKeys(Set.of("threshold_ms", "upper_threshold_ms"));
        long lower = c.longValue("threshold_ms", 0);
        long upper = c.longValue("upper_threshold_ms", 0);
        if (lower < 0) throw c.invalid("threshold_ms", lower, ">= 0");
        if (upper != 0 && upper < lower) throw c.invalid("upper_threshold_ms", upper, "0 or >= threshold_ms " + lower);
        yield new Latency(lower, upper);
      }
      case "numeric_attribute" -> {
        c.requireKnownKeys(Set.of("key", "min_value", "max_value", "invert_match"));
        long min = c.longValue("min_value", Long.MIN_VALUE);
        long max = c.longValue("max_value", Long.MAX_VALUE);
        if (!c.has("min_value") && !c.has("max_value")) throw c.invalid("min_value", "missing", "min_value, max_value or both");
        if (max < min) throw c.invalid("max_value", max, ">= min_value " + min);
        yield new NumericAttribute(requireKey(c), min, max, c.bool("invert_match", false));
      }
      case "probabilistic" -> {
        c.requireKnownKeys(Set.of("hash_salt", "sampling_percentage"));
        double pct = c.number("sampling_percentage", 0);
        if (!(pct >= 0 && pct <= 100)) throw c.invalid("sampling_percentage", pct, "0 to 100");
        yield new Probabilistic(c.string("hash_salt", ""), pct);
      }
      case "status_code" -> {
        c.requireKnownKeys(Set.of("status_codes"));
        List<String> names = c.stringList("status_codes");
        if (names.isEmpty()) throw c.invalid("status_codes", "[]", "at least one of OK, ERROR, UNSET");
        EnumSet<StatusCode> codes = EnumSet.noneOf(StatusCode.class);
        for (String n : names) {
          try {
            codes.add(StatusCode.valueOf(n));
          } catch (IllegalArgumentException e) {
            throw c.invalid("status_codes", n, "OK, ERROR or UNSET");
          }
        }
        yield new StatusCodes(codes);
      }
      case "string_attribute" -> {
        c.requireKnownKeys(Set.of("key", "values", "enabled_regex_matching", "cache_max_size", "invert_match"));
        List<String> values = c.stringList("values");
        if (values.isEmpty()) throw c.invalid("values", "[]", "at least one value");
        boolean regex = c.bool("enabled_regex_matching", false);
        Predicate<String> matcher;
        if (regex) {
          List<Pattern> patterns = new ArrayList<>();
          for (String v : values) {
            try {
              patterns.add(Pattern.compile(v));
            } catch (PatternSyntaxException e) {
              throw c.invalid("values", v, "a regular expression (" + e.getDescription() + ")");
            }
          }
          matcher = s -> {
            for (Pattern p : patterns) if (p.matcher(s).find()) return true;
            return false;
          };
        } else {
          Set<String> set = new HashSet<>();
          for (String v : values) if (!v.isEmpty()) set.add(v);
          matcher = set::contains;
        }
        yield new StringAttribute(requireKey(c), values, regex, matcher, c.bool("invert_match", false));
      }
      case "boolean_attribute" -> {
        c.requireKnownKeys(Set.of("key", "value", "invert_match"));
        if (!c.has("value")) throw c.invalid("value", "missing", "true or false");
        yield new BooleanAttribute(requireKey(c), c.bool("value", false), c.bool("invert_match", false));
      }
      case "rate_limiting" -> {
        c.requireKnownKeys(Set.of("spans_per_second"));
        long sps = c.longValue("spans_per_second", 0);
        if (sps <= 0) throw c.invalid("spans_per_second", sps, "> 0");
        yield new RateLimiting(sps);
      }
      case "bytes_limiting" -> {
        c.requireKnownKeys(Set.of("bytes_per_second", "burst_capacity"));
        long bps = c.bytes("bytes_per_second", 0);
        if (bps <= 0) throw c.invalid("bytes_per_second", bps, "> 0");
        long burst = c.bytes("burst_capacity", 2 * bps);
        if (burst < bps) throw c.invalid("burst_capacity", burst, ">= bytes_per_second " + bps);
        yield new BytesLimiting(bps, burst);
      }
      case "span_count" -> {
        c.requireKnownKeys(Set.of("min_spans", "max_spans"));
        long min = c.longValue("min_spans", 0);
        long max = c.longValue("max_spans", 0);
        if (min < 0) throw c.invalid("min_spans", min, ">= 0");
        if (max != 0 && max < min) throw c.invalid("max_spans", max, "0 or >= min_spans " + min);
        yield new SpanCount(min, max);
      }
      case "trace_state" -> {
        c.requireKnownKeys(Set.of("key", "values"));
        List<String> values = c.stringList("values");
        if (values.isEmpty()) throw c.invalid("values", "[]", "at least one value");
        yield new TraceStateValue(requireKey(c), Set.copyOf(values));
      }
      case "and" -> {
        c.requireKnownKeys(Set.of("and_sub_policy"));
        List<Named> subs = subPolicies(c, "and_sub_policy");
        yield new And(subs);
      }
      case "drop" -> {
        c.requireKnownKeys(Set.of("drop_sub_policy"));
        yield new Drop(subPolicies(c, "drop_sub_policy"));
      }
      case "composite" -> {
        c.requireKnownKeys(Set.of("max_total_spans_per_second", "policy_order", "composite_sub_policy", "rate_allocation"));
        long max = c.longValue("max_total_spans_per_second", 0);
        if (max <= 0) throw c.invalid("max_total_spans_per_second", max, "> 0");
        List<Named> subs = subPolicies(c, "composite_sub_policy");
        Map<String, Named> byName = new LinkedHashMap<>();
        for (Named n : subs) byName.put(n.name(), n);
        List<String> order = c.stringList("policy_order");
        List<Named> ordered = new ArrayList<>();
        for (String n : order.isEmpty() ? List.copyOf(byName.keySet()) : order) {
          Named sub = byName.get(n);
          if (sub == null) throw c.invalid("policy_order", n, "a name under composite_sub_policy");
          ordered.add(sub);
        }
        // The Collector's allocation: percent of the total; a listed policy with 0 % gets an equal share.
        double equalShare = (double) max / subs.size();
        Map<String, Long> allocation = new LinkedHashMap<>();
        for (ConfigNode a : c.nodeList("rate_allocation")) {
          a.requireKnownKeys(Set.of("policy", "percent"));
          String policy = a.string("policy", "");
          if (!byName.containsKey(policy)) throw a.invalid("policy", policy, "a name under composite_sub_policy");
          long percent = a.longValue("percent", 0);
          if (percent < 0 || percent > 100) throw a.invalid("percent", percent, "0 to 100");
          allocation.put(policy, (long) (percent > 0 ? percent / 100.0 * max : equalShare));
        }
        yield new Composite(ordered, allocation, max);
      }
      default -> throw new IllegalStateException(type);
    };
  }

  private static List<Named> subPolicies(ConfigNode c, String key) {
    List<Named> subs = new ArrayList<>();
    for (ConfigNode n : c.nodeList(key)) subs.add(policy(n));
    if (subs.isEmpty()) throw c.invalid(key, "[]", "at least one policy");
    return subs;
  }

  private static String requireKey(ConfigNode c) {
    String key = c.string("key", "");
    if (key.isEmpty()) throw c.invalid("key", "", "an attribute key");
    return key;
  }

  // Go's accessors on a value of another type answer the zero value; the Collector relies on it.
  static String str(AttributeValue v) {
    return v instanceof AttributeValue.StringValue s ? s.value() : "";
  }

  static long integer(AttributeValue v) {
    return v instanceof AttributeValue.LongValue l ? l.value() : 0;
  }

  static boolean bool(AttributeValue v) {
    return v instanceof AttributeValue.BoolValue b && b.value();
  }

  /** Sampled when a resource or a span satisfies the condition (the Collector's hasResourceOrSpanWithCondition). */
  static TailDecision any(List<Span> spans, Predicate<Attributes> resource, Predicate<Attributes> span) {
    for (Span s : spans) {
      if (resource.test(s.resource().attributes()) || span.test(s.attributes())) return TailDecision.SAMPLED;
    }
    return TailDecision.NOT_SAMPLED;
  }

  /** Inverted: not sampled as soon as a resource or span fails the condition, else inverted-sampled. */
  static TailDecision all(List<Span> spans, Predicate<Attributes> resource, Predicate<Attributes> span) {
    for (Span s : spans) {
      if (!resource.test(s.resource().attributes()) || !span.test(s.attributes())) return TailDecision.INVERT_NOT_SAMPLED;
    }
    return TailDecision.INVERT_SAMPLED;
  }

  static final class AlwaysSample implements TailSamplingPolicy {
    @Override
    public TailDecision evaluate(TraceId id, List<Span> spans, long bytes, long now) {
      return TailDecision.SAMPLED;
    }

    @Override
    public String describe() {
      return "always_sample";
    }
  }

  /** Trace duration (latest end minus earliest start, in whole milliseconds) at least threshold, at most upper. */
  static final class Latency implements TailSamplingPolicy {
    private final long thresholdMs;
    private final long upperMs;

    Latency(long thresholdMs, long upperMs) {
      this.thresholdMs = thresholdMs;
      this.upperMs = upperMs;
    }

    @Override
    public TailDecision evaluate(TraceId id, List<Span> spans, long bytes, long now) {
      long min = 0;
      long max = 0;
      // As the Collector: a running min/max, sampled as soon as the running duration qualifies.
      for (Span s : spans) {
        if (min == 0 || s.startEpochNanos() < min) min = s.startEpochNanos();
        if (max == 0 || s.endEpochNanos() > max) max = s.endEpochNanos();
        long ms = (max - min) / 1_000_000;
        boolean hit = upperMs == 0 ? ms >= thresholdMs : thresholdMs < ms && ms <= upperMs;
        if (hit) return TailDecision.SAMPLED;
      }
      return TailDecision.NOT_SAMPLED;
    }

    @Override
    public String describe() {
      return "latency{threshold_ms=" + thresholdMs + (upperMs == 0 ? "" : ", upper_threshold_ms=" + upperMs) + "}";
    }
  }

  static final class NumericAttribute implements TailSamplingPolicy {
    private final String key;
    private final long min;
    private final long max;
    private final boolean invert;

    NumericAttribute(String key, long min, long max, boolean invert) {
      this.key = key;
      this.min = min;
      this.max = max;
      this.invert = invert;
    }

    private boolean inRange(Attributes a) {
      AttributeValue v = a.get(key);
      if (v == null) return false;
      long value = integer(v);
      return value >= min && value <= max;
    }

    @Override
    public TailDecision evaluate(TraceId id, List<Span> spans, long bytes, long now) {
      return invert ? all(spans, a -> !inRange(a), a -> !inRange(a)) : any(spans, this::inRange, this::inRange);
    }

    @Override
    public String describe() {
      return "numeric_attribute{key=" + key + ", min_value=" + min + ", max_value=" + max + ", invert_match=" + invert + "}";
    }
  }

  static final class Probabilistic implements TailSamplingPolicy {
    private final String salt;
    private final byte[] saltBytes;
    private final double percentage;
    private final long threshold;

    Probabilistic(String salt, double percentage) {
      this.salt = salt;
      this.saltBytes = CollectorHashes.tailSalt(salt);
      this.percentage = percentage;
      this.threshold = CollectorHashes.tailProbabilisticThreshold(percentage / 100);
    }

    @Override
    public TailDecision evaluate(TraceId id, List<Span> spans, long bytes, long now) {
      return CollectorHashes.tailProbabilisticSampled(saltBytes, threshold, id) ? TailDecision.SAMPLED : TailDecision.NOT_SAMPLED;
    }

    @Override
    public String describe() {
      return "probabilistic{sampling_percentage=" + percentage + (salt.isEmpty() ? "" : ", hash_salt=" + salt) + "}";
    }
  }

  static final class StatusCodes implements TailSamplingPolicy {
    private final Set<StatusCode> codes;

    StatusCodes(Set<StatusCode> codes) {
      this.codes = codes;
    }

    @Override
    public TailDecision evaluate(TraceId id, List<Span> spans, long bytes, long now) {
      for (Span s : spans) if (codes.contains(s.status().code())) return TailDecision.SAMPLED;
      return TailDecision.NOT_SAMPLED;
    }

    @Override
    public String describe() {
      return "status_code{status_codes=" + codes + "}";
    }
  }

  static final class StringAttribute implements TailSamplingPolicy {
    private final String key;
    private final List<String> values;
    private final boolean regex;
    private final Predicate<String> matcher;
    private final boolean invert;

    StringAttribute(String key, List<String> values, boolean regex, Predicate<String> matcher, boolean invert) {
      this.key = key;
      this.values = values;
      this.regex = regex;
      this.matcher = matcher;
      this.invert = invert;
    }

    private boolean resourceMatches(Attributes a) {
      AttributeValue v = a.get(key);
      return v != null && matcher.test(str(v));
    }

    private boolean spanMatches(Attributes a) {
      AttributeValue v = a.get(key);
      if (v == null) return false;
      String s = str(v);
      return !s.isEmpty() && matcher.test(s);
    }

    @Override
    public TailDecision evaluate(TraceId id, List<Span> spans, long bytes, long now) {
      return invert
          ? all(spans, a -> !resourceMatches(a), a -> !spanMatches(a))
          : any(spans, this::resourceMatches, this::spanMatches);
    }

    @Override
    public String describe() {
      return "string_attribute{key=" + key + ", values=" + values + (regex ? ", enabled_regex_matching=true" : "")
          + (invert ? ", invert_match=true" : "") + "}";
    }
  }

  static final class BooleanAttribute implements TailSamplingPolicy {
    private final String key;
    private final boolean value;
    private final boolean invert;

    BooleanAttribute(String key, boolean value, boolean invert) {
      this.key = key;
      this.value = value;
      this.invert = invert;
    }

    @Override
    public TailDecision evaluate(TraceId id, List<Span> spans, long bytes, long now) {
      if (invert) {
        Predicate<Attributes> differs = a -> {
          AttributeValue v = a.get(key);
          return v == null || bool(v) != value;
        };
        return all(spans, differs, differs);
      }
      Predicate<Attributes> equals = a -> {
        AttributeValue v = a.get(key);
        return v != null && bool(v) == value;
      };
      return any(spans, equals, equals);
    }

    @Override
    public String describe() {
      return "boolean_attribute{key=" + key + ", value=" + value + (invert ? ", invert_match=true" : "") + "}";
    }
  }

  /** At most spans_per_second spans in each wall-clock second, whole traces only. */
  static final class RateLimiting implements TailSamplingPolicy {
    private final long spansPerSecond;
    private long second = Long.MIN_VALUE;
    private long spansInSecond;

    RateLimiting(long spansPerSecond) {
      this.spansPerSecond = spansPerSecond;
    }

    @Override
    public TailDecision evaluate(TraceId id, List<Span> spans, long bytes, long now) {
      long s = Math.floorDiv(now, 1_000_000_000L);
      if (s != second) {
        second = s;
        spansInSecond = 0;
      }
      long ifSampled = spansInSecond + spans.size();
      if (ifSampled < spansPerSecond) {
        spansInSecond = ifSampled;
        return TailDecision.SAMPLED;
      }
      return TailDecision.NOT_SAMPLED;
    }

    @Override
    public String describe() {
      return "rate_limiting{spans_per_second=" + spansPerSecond + "}";
    }
  }

  /** A token bucket of bytes: refilled at bytes_per_second up to burst_capacity; a trace takes its size. */
  static final class BytesLimiting implements TailSamplingPolicy {
    private final long bytesPerSecond;
    private final long burst;
    private double tokens;
    private long last = Long.MIN_VALUE;

    BytesLimiting(long bytesPerSecond, long burst) {
      this.bytesPerSecond = bytesPerSecond;
      this.burst = burst;
      this.tokens = burst;
    }

    @Override
    public TailDecision evaluate(TraceId id, List<Span> spans, long bytes, long now) {
      if (last != Long.MIN_VALUE) tokens = Math.min(burst, tokens + (now - last) / 1e9 * bytesPerSecond);
      last = now;
      if (tokens >= bytes) {
        tokens -= bytes;
        return TailDecision.SAMPLED;
      }
      return TailDecision.NOT_SAMPLED;
    }

    @Override
    public String describe() {
      return "bytes_limiting{bytes_per_second=" + bytesPerSecond + ", burst_capacity=" + burst + "}";
    }
  }

  static final class SpanCount implements TailSamplingPolicy {
    private final long min;
    private final long max;

    SpanCount(long min, long max) {
      this.min = min;
      this.max = max;
    }

    @Override
    public TailDecision evaluate(TraceId id, List<Span> spans, long bytes, long now) {
      long n = spans.size();
      return n >= min && (max == 0 || n <= max) ? TailDecision.SAMPLED : TailDecision.NOT_SAMPLED;
    }

    @Override
    public String describe() {
      return "span_count{min_spans=" + min + (max == 0 ? "" : ", max_spans=" + max) + "}";
    }
  }

  static final class TraceStateValue implements TailSamplingPolicy {
    private final String key;
    private final Set<String> values;

    TraceStateValue(String key, Set<String> values) {
      this.key = key;
      this.values = values;
    }

    @Override
    public TailDecision evaluate(TraceId id, List<Span> spans, long bytes, long now) {
      for (Span s : spans) {
        if (s.traceState().isEmpty()) continue;
        String v = TraceState.parse(s.traceState()).get(key);
        if (v != null && values.contains(v)) return TailDecision.SAMPLED;
      }
      return TailDecision.NOT_SAMPLED;
    }

    @Override
    public String describe() {
      return "trace_state{key=" + key + ", values=" + values + "}";
    }
  }

  /** The rule of {@code and} and {@code drop}: no sub-policy says (inverted) not sampled. */
  static boolean noneSaysNotSampled(List<Named> subs, TraceId id, List<Span> spans, long bytes, long now) {
    for (Named sub : subs) {
      TailDecision d = sub.policy().evaluate(id, spans, bytes, now);
      if (d == TailDecision.NOT_SAMPLED || d == TailDecision.INVERT_NOT_SAMPLED) return false;
    }
    return true;
  }

  /** Sampled when no sub-policy says not sampled. */
  static final class And implements TailSamplingPolicy {
    private final List<Named> subs;

    And(List<Named> subs) {
      this.subs = subs;
    }

    @Override
    public TailDecision evaluate(TraceId id, List<Span> spans, long bytes, long now) {
      return noneSaysNotSampled(subs, id, spans, bytes, now) ? TailDecision.SAMPLED : TailDecision.NOT_SAMPLED;
    }

    @Override
    public String describe() {
      return "and" + describeAll(subs);
    }
  }

  /** Dropped when every sub-policy says sampled; the trace is then discarded before anything else is considered. */
  static final class Drop implements TailSamplingPolicy {
    private final List<Named> subs;

    Drop(List<Named> subs) {
      this.subs = subs;
    }

    @Override
    public TailDecision evaluate(TraceId id, List<Span> spans, long bytes, long now) {
      return noneSaysNotSampled(subs, id, spans, bytes, now) ? TailDecision.DROPPED : TailDecision.NOT_SAMPLED;
    }

    @Override
    public String describe() {
      return "drop" + describeAll(subs);
    }
  }

  /**
   * Sub-policies in {@code policy_order}, each with a share of {@code max_total_spans_per_second};
   * the first that samples and still has budget this second takes the trace.
   */
  static final class Composite implements TailSamplingPolicy {
    private final List<Named> ordered;
    private final long[] allocated;
    private final long[] used;
    private final long maxTotal;
    private final Map<String, Long> allocation;
    private long second = Long.MIN_VALUE;
    private long usedTotal;

    Composite(List<Named> ordered, Map<String, Long> allocation, long maxTotal) {
      this.ordered = ordered;
      this.allocation = allocation;
      this.maxTotal = maxTotal;
      this.allocated = new long[ordered.size()];
      this.used = new long[ordered.size()];
      for (int i = 0; i < ordered.size(); i++) allocated[i] = allocation.getOrDefault(ordered.get(i).name(), 0L);
    }

    @Override
    public TailDecision evaluate(TraceId id, List<Span> spans, long bytes, long now) {
      long s = Math.floorDiv(now, 1_000_000_000L);
      if (s != second) {
        second = s;
        usedTotal = 0;
        java.util.Arrays.fill(used, 0);
      }
      for (int i = 0; i < ordered.size(); i++) {
        TailDecision d = ordered.get(i).policy().evaluate(id, spans, bytes, now);
        if (d == TailDecision.SAMPLED || d == TailDecision.INVERT_SAMPLED) {
          long ifSampled = used[i] + spans.size();
          if (ifSampled <= allocated[i] && usedTotal + spans.size() <= maxTotal) {
            used[i] = ifSampled;
            usedTotal += spans.size();
            return TailDecision.SAMPLED;
          }
        }
      }
      return TailDecision.NOT_SAMPLED;
    }

    @Override
    public String describe() {
      return "composite{max_total_spans_per_second=" + maxTotal + ", rate_allocation=" + allocation + ", policies="
          + describeAll(ordered) + "}";
    }
  }

  private static String describeAll(List<Named> subs) {
    StringBuilder b = new StringBuilder("[");
    for (Named n : subs) {
      if (b.length() > 1) b.append(", ");
      b.append(n.name()).append('=').append(n.policy().describe());
    }
    return b.append(']').toString();
  }
}
