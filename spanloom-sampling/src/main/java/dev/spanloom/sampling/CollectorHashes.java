package dev.spanloom.sampling;

import dev.spanloom.model.TraceId;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * The sampling arithmetic of the OpenTelemetry Collector's {@code probabilistic_sampler} and
 * {@code tail_sampling} processors, reimplemented from their documented algorithms so that a
 * Spanloom and a Collector configured alike keep exactly the same traces.
 *
 * <ul>
 *   <li>{@code probabilistic_sampler}, hash-seed mode: FNV-1a 32-bit over the seed as 4
 *       little-endian bytes followed by the 16 trace-ID bytes; the low 14 bits are the bucket;
 *       sampled when the bucket is below {@code (uint32) (float32(percentage) * 163.84)} (float32
 *       multiplication, truncated).
 *   <li>{@code probabilistic_sampler}, proportional and equalizing modes: OTEP 235 thresholds,
 *       rounded to {@code sampling_precision} hex digits ({@link #thresholdWithPrecision}).
 *   <li>{@code tail_sampling} {@code probabilistic} policy: FNV-1a 64-bit over the salt's UTF-8
 *       bytes followed by the 16 trace-ID bytes, sampled when {@code hash <= threshold} (unsigned)
 *       with {@code threshold = MaxUint64 × ratio} computed as Go's {@code big.Float} does
 *       ({@link #tailProbabilisticThreshold}).
 * </ul>
 */
public final class CollectorHashes {
  /** The hash-seed mode's number of buckets, 2<sup>14</sup>. */
  public static final int HASH_BUCKETS = 0x4000;

  /** {@code tail_sampling}'s salt when {@code hash_salt} is empty. */
  public static final String DEFAULT_TAIL_HASH_SALT = "default-hash-seed";

  /** A threshold that no randomness reaches: 2<sup>56</sup> (the Collector's never-sample). */
  public static final long NEVER_SAMPLE_THRESHOLD = 1L << 56;

  private static final int FNV32_OFFSET = 0x811c9dc5;
  private static final int FNV32_PRIME = 0x01000193;
  private static final long FNV64_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV64_PRIME = 0x100000001b3L;
  private static final BigInteger MAX_UINT64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private CollectorHashes() {}

  /** FNV-1a 32-bit over {@code seed} (4 bytes, little-endian) then the 16 trace-ID bytes. */
  public static int fnv1a32(int seed, TraceId traceId) {
    int h = FNV32_OFFSET;
    for (int i = 0; i < 4; i++) h = (h ^ ((seed >>> (8 * i)) & 0xff)) * FNV32_PRIME;
    h = fnv32Long(h, traceId.high());
    return fnv32Long(h, traceId.low());
  }

  private static int fnv32Long(int h, long v) {
    for (int shift = 56; shift >= 0; shift -= 8) h = (h ^ (int) ((v >>> shift) & 0xff)) * FNV32_PRIME;
    return h;
  }

  /** FNV-1a 64-bit over {@code salt} then the 16 trace-ID bytes. */
  public static long fnv1a64(byte[] salt, TraceId traceId) {
    long h = FNV64_OFFSET;
    for (byte b : salt) h = (h ^ (b & 0xff)) * FNV64_PRIME;
    h = fnv64Long(h, traceId.high());
    return fnv64Long(h, traceId.low());
  }

  private static long fnv64Long(long h, long v) {
    for (int shift = 56; shift >= 0; shift -= 8) h = (h ^ ((v >>> shift) & 0xff)) * FNV64_PRIME;
    return h;
  }

  /** The hash-seed mode's bucket of a trace: the low 14 bits of {@link #fnv1a32}. */
  public static int hashSeedBucket(int seed, TraceId traceId) {
    return fnv1a32(seed, traceId) & (HASH_BUCKETS - 1);
  }

  /**
   * The hash-seed mode's number of sampled buckets for a percentage: {@code (uint32)
   * (float32(percentage) * 163.84)}, the multiplication in float32 and truncated, as the
   * Collector has always computed it; percentages above 100 count as 100.
   */
  public static int hashSeedScaledRate(float percentage) {
    float pct = Math.min(percentage, 100f);
    if (!(pct > 0)) return 0;
    // Go converts the untyped constant 163.84 to float32 and multiplies in float32; so does this.
    return (int) (pct * 163.84f);
  }

  /**
   * The 56-bit randomness the hash-seed mode derives from the 32-bit hash, so that an OTEP 235
   * comparison with {@link #hashSeedThreshold} gives the same answer as {@code bucket < rate}:
   * from the top, 14 bits of {@code 16383 - bucket}, 28 bits mixed from the 18 unused hash bits,
   * and the 14-bit bucket. Written as {@code rv} into the tracestate of sampled spans.
   */
  public static long hashSeedRandomness(int hash32) {
    long bucket = hash32 & (HASH_BUCKETS - 1);
    long rPrime14 = HASH_BUCKETS - 1 - bucket;
    long unused18 = (hash32 & 0xffffffffL) >>> 14;
    long mixed28 = unused18 ^ (unused18 << 10);
    return (rPrime14 << 42) | (mixed28 << 14) | bucket;
  }

  /** The OTEP 235 rejection threshold equivalent to {@code scaledRate} sampled buckets. */
  public static long hashSeedThreshold(int scaledRate) {
    return (long) (HASH_BUCKETS - scaledRate) << 42;
  }

  /**
   * The rejection threshold of a probability, rounded to {@code precision} significant hex digits
   * (1 to 14; 0 means full precision), counting the leading {@code f} digits a small rejection
   * probability needs as obligatory, as the Collector's {@code
   * ProbabilityToThresholdWithPrecision}. Returns 0 (sample all) for probability 1.
   *
   * @throws IllegalArgumentException when the probability is outside [2^-56, 1] or the precision
   *     needs more than 14 digits
   */
  public static long thresholdWithPrecision(double probability, int precision) {
    if (!(probability >= 0x1p-56 && probability <= 1)) {
      throw new IllegalArgumentException("probability: " + probability + " (expected: 2^-56 to 1)");
    }
    if (precision < 0 || precision > 14) {
      throw new IllegalArgumentException("precision: " + precision + " (expected: 0 to 14)");
    }
    long scaled = Math.round(probability * 0x1p56);
    if (precision == 0) return (1L << 56) - scaled;
    if (probability == 1) return 0;
    int prec = precision;
    for (double reject = 1 - probability; reject * 16 < 1; ) {
      reject *= 16;
      prec++;
    }
    if (prec > 14) throw new IllegalArgumentException("precision: " + precision + " is too fine for probability " + probability);
    long rScaled = (1L << 56) - scaled;
    int shift = 4 * (14 - prec);
    if (shift == 0) return rScaled;
    rScaled += 1L << (shift - 1);
    return (rScaled >>> shift) << shift;
  }

  /**
   * {@code tail_sampling}'s probabilistic threshold, {@code MaxUint64 × ratio}, as Go computes it
   * with {@code big.Float}: the product rounded to 64 significant bits (nearest, ties to even),
   * then truncated to an integer. Returned as an unsigned 64-bit value in a long.
   */
  public static long tailProbabilisticThreshold(double ratio) {
    if (!(ratio >= 0 && ratio <= 1)) throw new IllegalArgumentException("ratio: " + ratio + " (expected: 0 to 1)");
    if (ratio == 0) return 0;
    // ratio = mantissa * 2^exponent exactly.
    long bits = Double.doubleToRawLongBits(ratio);
    int rawExp = (int) ((bits >>> 52) & 0x7ff);
    long mantissa = rawExp == 0 ? (bits & 0xfffffffffffffL) << 1 : (bits & 0xfffffffffffffL) | (1L << 52);
    int exponent = (rawExp == 0 ? 1 : rawExp) - 1075;
    BigInteger product = MAX_UINT64.multiply(BigInteger.valueOf(mantissa)); // value = product * 2^exponent
    int excess = product.bitLength() - 64;
    if (excess > 0) { // round to 64 significant bits, ties to even
      BigInteger kept = product.shiftRight(excess);
      BigInteger rest = product.subtract(kept.shiftLeft(excess));
      int cmp = rest.compareTo(BigInteger.ONE.shiftLeft(excess - 1));
      if (cmp > 0 || (cmp == 0 && kept.testBit(0))) kept = kept.add(BigInteger.ONE);
      product = kept;
      exponent += excess;
    }
    BigInteger integer = exponent >= 0 ? product.shiftLeft(exponent) : product.shiftRight(-exponent);
    return integer.min(MAX_UINT64).longValue();
  }

  /** The tail policy's decision: {@code fnv1a64(salt, traceId) <= threshold}, unsigned. */
  public static boolean tailProbabilisticSampled(byte[] salt, long threshold, TraceId traceId) {
    return Long.compareUnsigned(fnv1a64(salt, traceId), threshold) <= 0;
  }

  /** The salt bytes of {@code hash_salt}: its UTF-8, or the Collector's default when empty. */
  public static byte[] tailSalt(String hashSalt) {
    return (hashSalt == null || hashSalt.isEmpty() ? DEFAULT_TAIL_HASH_SALT : hashSalt).getBytes(StandardCharsets.UTF_8);
  }
}
