package dev.spanloom.model.context;

import static java.util.Objects.requireNonNull;

import dev.spanloom.model.TraceId;
import dev.spanloom.model.internal.Hex;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The OpenTelemetry entry of a {@code tracestate} ({@code ot=th:c;rv:1a2b3c4d5e6f70}): sub-fields
 * {@code key:value} separated by {@code ;}, of which this class understands the probability
 * sampling pair of OTEP 235.
 *
 * <ul>
 *   <li>{@code th}, the rejection threshold: 1 to 14 lowercase hex digits, right-padded with
 *       zeros to a 56-bit value and written without trailing zeros ({@code th:0} samples all).
 *   <li>{@code rv}, explicit randomness: exactly 14 lowercase hex digits (56 bits). Without it,
 *       the randomness is the right-most 56 bits of the trace ID ({@link #randomness}).
 * </ul>
 *
 * <p>A span is kept when {@code randomness >= threshold} ({@link #sampled}). Immutable; other
 * sub-fields are kept unchanged and in order, a new {@code th} or {@code rv} is appended after
 * them, a replaced one keeps its place.
 */
public final class OtelTraceState {
  /** The tracestate key of the OpenTelemetry entry. */
  public static final String KEY = "ot";

  /** The largest threshold, 2<sup>56</sup> − 1: sampling probability 2<sup>-56</sup>. */
  public static final long MAX_THRESHOLD = 0x00ff_ffff_ffff_ffffL;

  /** The largest randomness value, 2<sup>56</sup> − 1. */
  public static final long MAX_RANDOM_VALUE = 0x00ff_ffff_ffff_ffffL;

  private static final long ABSENT = -1;

  public static final OtelTraceState EMPTY = new OtelTraceState(List.of(), ABSENT, ABSENT);

  private static final long TWO_TO_56 = 1L << 56;
  private static final int HEX_DIGITS = 14;
  private static final String TH = "th";
  private static final String RV = "rv";

  private final List<String> fields; // "key:value", in order, th and rv written canonically
  private final long threshold; // ABSENT or 0 to MAX_THRESHOLD
  private final long randomValue; // ABSENT or 0 to MAX_RANDOM_VALUE

  private OtelTraceState(List<String> fields, long threshold, long randomValue) {
    this.fields = fields;
    this.threshold = threshold;
    this.randomValue = randomValue;
  }

  /**
   * Parses the value of the {@code ot} entry; {@link #EMPTY} when it is null or empty. Lenient,
   * as sampling must go on: an invalid or repeated {@code th} or {@code rv} is treated as
   * absent and dropped, a sub-field that breaks the OpenTelemetry grammar ({@code key} of a-z
   * 0-9 starting with a letter, {@code value} of A-Z a-z 0-9 . _ -) is dropped, the others are
   * kept as they are.
   */
  public static OtelTraceState parse(String otValue) {
    if (otValue == null || otValue.isEmpty()) return EMPTY;
    List<String> fields = new ArrayList<>();
    int n = otValue.length();
    for (int start = 0; start <= n; ) {
      int end = otValue.indexOf(';', start);
      if (end < 0) end = n;
      if (isValidField(otValue, start, end)) fields.add(otValue.substring(start, end));
      start = end + 1;
    }
    String thValue = singleValue(fields, TH);
    String rvValue = singleValue(fields, RV);
    long th = thValue == null ? ABSENT : parseThreshold(thValue);
    long rv = rvValue == null ? ABSENT : parseRandomValue(rvValue);
    String thField = th == ABSENT ? null : TH + ':' + formatThreshold(th);
    String rvField = rv == ABSENT ? null : RV + ':' + formatRandomValue(rv);
    fields.replaceAll(f -> isField(f, TH) ? thField : isField(f, RV) ? rvField : f);
    fields.removeIf(f -> f == null);
    return create(fields, th, rv);
  }

  /** The {@code ot} entry of {@code state}; {@link #EMPTY} when there is none. */
  public static OtelTraceState from(TraceState state) {
    return parse(state.get(KEY));
  }

  /** The rejection threshold, 0 to {@link #MAX_THRESHOLD}, when {@code th} is present. */
  public OptionalLong threshold() {
    return threshold == ABSENT ? OptionalLong.empty() : OptionalLong.of(threshold);
  }

  /** The explicit randomness, 0 to {@link #MAX_RANDOM_VALUE}, when {@code rv} is present. */
  public OptionalLong randomValue() {
    return randomValue == ABSENT ? OptionalLong.empty() : OptionalLong.of(randomValue);
  }

  /**
   * This value with {@code th} set, written without trailing zeros.
   *
   * @throws IllegalArgumentException unless {@code 0 <= threshold <= MAX_THRESHOLD}
   */
  public OtelTraceState withThreshold(long threshold) {
    if (threshold < 0 || threshold > MAX_THRESHOLD) {
      throw new IllegalArgumentException(
          "th: " + threshold + " (expected: 0 to " + MAX_THRESHOLD + ", 2^56 - 1)");
    }
    return replace(TH, TH + ':' + formatThreshold(threshold), threshold, randomValue);
  }

  /** This value without {@code th}, as a sampler must leave it when the probability is unknown. */
  public OtelTraceState withoutThreshold() {
    return threshold == ABSENT ? this : replace(TH, null, ABSENT, randomValue);
  }

  /**
   * This value with {@code rv} set, written as 14 hex digits.
   *
   * @throws IllegalArgumentException unless {@code 0 <= randomValue <= MAX_RANDOM_VALUE}
   */
  public OtelTraceState withRandomValue(long randomValue) {
    if (randomValue < 0 || randomValue > MAX_RANDOM_VALUE) {
      throw new IllegalArgumentException(
          "rv: " + randomValue + " (expected: 0 to " + MAX_RANDOM_VALUE + ", 2^56 - 1)");
    }
    return replace(RV, RV + ':' + formatRandomValue(randomValue), threshold, randomValue);
  }

  /** This value without {@code rv}. */
  public OtelTraceState withoutRandomValue() {
    return randomValue == ABSENT ? this : replace(RV, null, threshold, ABSENT);
  }

  /** True when there is no sub-field at all; {@link #apply} then removes the entry. */
  public boolean isEmpty() {
    return fields.isEmpty();
  }

  /** The value of the {@code ot} entry, {@code ""} when empty; never longer than 256 chars. */
  public String format() {
    return String.join(";", fields);
  }

  /**
   * {@code state} with this value as its {@code ot} entry, moved to the front as the
   * Recommendation asks of a written key; without the entry when this value is empty.
   */
  public TraceState apply(TraceState state) {
    requireNonNull(state, "state");
    return isEmpty() ? state.remove(KEY) : state.put(KEY, format());
  }

  /**
   * The rejection threshold for a sampling probability: {@code round((1 - p) * 2^56)}, computed
   * as {@code 2^56 - round(p * 2^56)}. Scaling by a power of two is exact, so the result is the
   * nearest 56-bit integer to the given double at full precision (the double itself carries 53
   * significant bits); no rounding to fewer hex digits is applied. {@code p = 1} gives 0;
   * probabilities below 2<sup>-56</sup>, which the threshold cannot express, give {@link
   * #MAX_THRESHOLD}.
   *
   * @throws IllegalArgumentException unless {@code 0 < p <= 1}: "never" is not a probability
   */
  public static long thresholdFromProbability(double probability) {
    if (!(probability > 0 && probability <= 1)) {
      throw new IllegalArgumentException(
          "probability: " + probability + " (expected: > 0 and <= 1)");
    }
    long kept = Math.round(probability * 0x1p56);
    return TWO_TO_56 - Math.max(kept, 1);
  }

  /** The sampling probability of a threshold: {@code (2^56 - threshold) / 2^56}. */
  public static double probabilityFromThreshold(long threshold) {
    if (threshold < 0 || threshold > MAX_THRESHOLD) {
      throw new IllegalArgumentException(
          "threshold: " + threshold + " (expected: 0 to " + MAX_THRESHOLD + ", 2^56 - 1)");
    }
    return (TWO_TO_56 - threshold) * 0x1p-56;
  }

  /** The OTEP 235 decision: keep the span when its randomness reaches the threshold. */
  public static boolean sampled(long randomness, long threshold) {
    return randomness >= threshold;
  }

  /**
   * The randomness to compare with a threshold: the explicit {@code rv} when present, else the
   * right-most 56 bits of the trace ID, as W3C Trace Context Level 2 makes them random.
   */
  public static long randomness(TraceId traceId, OtelTraceState state) {
    return state.randomValue != ABSENT ? state.randomValue : traceId.low() & MAX_RANDOM_VALUE;
  }

  @Override
  public boolean equals(Object o) {
    return o == this || (o instanceof OtelTraceState s && fields.equals(s.fields));
  }

  @Override
  public int hashCode() {
    return fields.hashCode();
  }

  @Override
  public String toString() {
    return "OtelTraceState{" + format() + "}";
  }

  private OtelTraceState replace(String key, String field, long threshold, long randomValue) {
    List<String> result = new ArrayList<>(fields.size() + 1);
    boolean replaced = false;
    for (String f : fields) {
      if (isField(f, key)) {
        if (field != null) result.add(field);
        replaced = true;
      } else {
        result.add(f);
      }
    }
    if (!replaced && field != null) result.add(field);
    return create(result, threshold, randomValue);
  }

  /**
   * Keeps the value within the 256 characters of a tracestate value by dropping unknown
   * sub-fields from the right; th and rv (at most 35 characters) always fit.
   */
  private static OtelTraceState create(List<String> fields, long threshold, long randomValue) {
    if (fields.isEmpty()) return EMPTY;
    int length = fields.size() - 1;
    for (String f : fields) length += f.length();
    for (int i = fields.size() - 1; i >= 0 && length > TraceState.MAX_VALUE_LENGTH; i--) {
      String f = fields.get(i);
      if (!isField(f, TH) && !isField(f, RV)) {
        fields.remove(i);
        length -= f.length() + (fields.isEmpty() ? 0 : 1);
      }
    }
    return new OtelTraceState(List.copyOf(fields), threshold, randomValue);
  }

  private static boolean isField(String field, String key) {
    return field.length() > key.length()
        && field.startsWith(key)
        && field.charAt(key.length()) == ':';
  }

  /** {@code key:value} with the OpenTelemetry sub-field grammar. */
  private static boolean isValidField(String s, int from, int to) {
    int colon = from;
    while (colon < to && s.charAt(colon) != ':') colon++; // bounded: linear over all fields
    if (colon == to || colon == from) return false;
    if (s.charAt(from) < 'a' || s.charAt(from) > 'z') return false;
    for (int i = from + 1; i < colon; i++) {
      char c = s.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
    }
    for (int i = colon + 1; i < to; i++) {
      char c = s.charAt(i);
      if (!((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '.'
          || c == '_'
          || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /** The value of the one field named {@code key}; null when there is none or several. */
  private static String singleValue(List<String> fields, String key) {
    String value = null;
    for (String f : fields) {
      if (isField(f, key)) {
        if (value != null) return null; // repeated: ambiguous, so erased as the spec advises
        value = f.substring(key.length() + 1);
      }
    }
    return value;
  }

  /** 1 to 14 lowercase hex digits, right-padded to 56 bits; ABSENT when invalid. */
  private static long parseThreshold(String hex) {
    if (hex.isEmpty() || hex.length() > HEX_DIGITS) return ABSENT;
    long value = parseLowerHex(hex);
    return value == ABSENT ? ABSENT : value << (4 * (HEX_DIGITS - hex.length()));
  }

  /** Exactly 14 lowercase hex digits; ABSENT when invalid. */
  private static long parseRandomValue(String hex) {
    return hex.length() == HEX_DIGITS ? parseLowerHex(hex) : ABSENT;
  }

  private static long parseLowerHex(String hex) {
    if (!Hex.isLowerHex(hex, 0, hex.length())) return ABSENT;
    long value = 0;
    for (int i = 0; i < hex.length(); i++) value = (value << 4) | Hex.digit(hex.charAt(i));
    return value;
  }

  private static String formatThreshold(long threshold) {
    if (threshold == 0) return "0";
    String digits = formatRandomValue(threshold);
    int end = digits.length();
    while (digits.charAt(end - 1) == '0') end--;
    return digits.substring(0, end);
  }

  /** 14 lowercase hex digits, leading zeros kept. */
  private static String formatRandomValue(long value) {
    String hex = Long.toHexString(value);
    return "0".repeat(HEX_DIGITS - hex.length()) + hex;
  }
}
