package dev.spanloom.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spanloom.model.TraceId;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Collector's algorithms checked against references written straight from their
 * definitions: FNV-1a over explicitly assembled bytes (itself checked against the published FNV
 * test vectors), thresholds in exact decimal arithmetic.
 */
class CollectorHashesTest {
  /** FNV-1a 32-bit as its definition states it. */
  static int referenceFnv32(byte[] data) {
    long h = 2166136261L;
    for (byte b : data) h = ((h ^ (b & 0xff)) * 16777619L) & 0xffffffffL;
    return (int) h;
  }

  /** FNV-1a 64-bit as its definition states it, in unsigned arithmetic. */
  static long referenceFnv64(byte[] data) {
    BigInteger h = new BigInteger("14695981039346656037");
    BigInteger prime = new BigInteger("1099511628211");
    BigInteger mask = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    for (byte b : data) h = h.xor(BigInteger.valueOf(b & 0xff)).multiply(prime).and(mask);
    return h.longValue();
  }

  @Test
  void referenceHashesMatchThePublishedVectors() {
    assertThat(referenceFnv32(new byte[0])).isEqualTo(0x811c9dc5);
    assertThat(referenceFnv32("a".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0xe40c292c);
    assertThat(referenceFnv32("foobar".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0xbf9cf968);
    assertThat(referenceFnv64("a".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0xaf63dc4c8601ec8cL);
    assertThat(referenceFnv64("foobar".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0x85944171f73967e8L);
  }

  @Test
  void hashSeedHashIsFnv32OverLittleEndianSeedThenTraceIdBytes() {
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < 10_000; i++) {
      int seed = random.nextInt();
      TraceId id = new TraceId(random.nextLong(), random.nextLong());
      byte[] data = new byte[20];
      for (int b = 0; b < 4; b++) data[b] = (byte) (seed >>> (8 * b));
      System.arraycopy(id.toBytes(), 0, data, 4, 16);
      assertThat(CollectorHashes.fnv1a32(seed, id)).isEqualTo(referenceFnv32(data));
    }
  }

  @Test
  void tailHashIsFnv64OverSaltThenTraceIdBytes() {
    SplittableRandom random = new SplittableRandom(12);
    byte[] salt = CollectorHashes.tailSalt("");
    assertThat(new String(salt, StandardCharsets.UTF_8)).isEqualTo("default-hash-seed");
    for (int i = 0; i < 10_000; i++) {
      TraceId id = new TraceId(random.nextLong(), random.nextLong());
      byte[] data = new byte[salt.length + 16];
      System.arraycopy(salt, 0, data, 0, salt.length);
      System.arraycopy(id.toBytes(), 0, data, salt.length, 16);
      assertThat(CollectorHashes.fnv1a64(salt, id)).isEqualTo(referenceFnv64(data));
    }
  }

  @Test
  void hashSeedRateIsTheFloat32ProductTruncated() {
    assertThat(CollectorHashes.hashSeedScaledRate(100)).isEqualTo(16384);
    assertThat(CollectorHashes.hashSeedScaledRate(250)).isEqualTo(16384);
    assertThat(CollectorHashes.hashSeedScaledRate(10)).isEqualTo(1638); // 1638.4
    assertThat(CollectorHashes.hashSeedScaledRate(50)).isEqualTo(8192);
    assertThat(CollectorHashes.hashSeedScaledRate(0.001f)).isEqualTo(0); // 0.16384: rounds to never
    assertThat(CollectorHashes.hashSeedScaledRate(0)).isEqualTo(0);
    // float32 arithmetic, not float64: 33.33f * 163.84f is 5460.7866 in float32 and 5460.78719... in float64.
    assertThat(CollectorHashes.hashSeedScaledRate(33.33f)).isEqualTo((int) (33.33f * 163.84f));
  }

  @Test
  void hashSeedRandomnessAgreesWithTheBucketComparison() {
    SplittableRandom random = new SplittableRandom(13);
    for (int pct : new int[] {1, 10, 25, 50, 99}) {
      int rate = CollectorHashes.hashSeedScaledRate(pct);
      long threshold = CollectorHashes.hashSeedThreshold(rate);
      for (int i = 0; i < 20_000; i++) {
        int hash = random.nextInt();
        boolean byBucket = (hash & 0x3fff) < rate;
        assertThat(CollectorHashes.hashSeedRandomness(hash) >= threshold).isEqualTo(byBucket);
        assertThat(CollectorHashes.hashSeedRandomness(hash)).isBetween(0L, (1L << 56) - 1);
      }
    }
  }

  @Test
  void tailThresholdIsMaxUint64TimesTheRatio() {
    assertThat(CollectorHashes.tailProbabilisticThreshold(0)).isZero();
    assertThat(CollectorHashes.tailProbabilisticThreshold(1)).isEqualTo(-1L); // MaxUint64
    assertThat(CollectorHashes.tailProbabilisticThreshold(0.5)).isEqualTo(Long.MAX_VALUE); // 2^63 - 0.5, exact in 64 bits
    assertThat(CollectorHashes.tailProbabilisticThreshold(0.25)).isEqualTo((1L << 62) - 1);
    BigDecimal max = new BigDecimal(new BigInteger("18446744073709551615"));
    for (double ratio : new double[] {0.05, 0.1, 0.01, 0.333, 0.9, 0.75, 1e-9}) {
      BigInteger exactFloor = max.multiply(new BigDecimal(ratio)).toBigInteger();
      long actual = CollectorHashes.tailProbabilisticThreshold(ratio);
      // Rounding to 64 significant bits may move the value by less than one unit before truncation.
      BigInteger diff = new BigInteger(Long.toUnsignedString(actual)).subtract(exactFloor).abs();
      assertThat(diff).as("ratio %s", ratio).isLessThanOrEqualTo(BigInteger.ONE);
    }
  }

  @Test
  void tailPolicyKeepsAboutTheRatio() {
    byte[] salt = CollectorHashes.tailSalt("");
    long threshold = CollectorHashes.tailProbabilisticThreshold(0.05);
    SplittableRandom random = new SplittableRandom(14);
    int kept = 0;
    for (int i = 0; i < 200_000; i++) {
      if (CollectorHashes.tailProbabilisticSampled(salt, threshold, new TraceId(random.nextLong(), random.nextLong()))) kept++;
    }
    assertThat(kept).isBetween(9_400, 10_600); // 10,000 expected, sigma 97
  }

  @Test
  void thresholdWithPrecisionRoundsAsTheCollector() {
    assertThat(CollectorHashes.thresholdWithPrecision(1.0, 4)).isZero();
    assertThat(CollectorHashes.thresholdWithPrecision(0.25, 4)).isEqualTo(0xc0000000000000L);
    assertThat(CollectorHashes.thresholdWithPrecision(0.1, 0)).isEqualTo((1L << 56) - Math.round(0.1 * 0x1p56));
    // 10 %: rejection 0.9 = e666666666666… rounded to four digits.
    assertThat(CollectorHashes.thresholdWithPrecision(0.1, 4)).isEqualTo(0xe6660000000000L);
    assertThat(CollectorHashes.thresholdWithPrecision(1.0 / 3, 2)).isEqualTo(0xab000000000000L);
    // 99.9 %: the rejection 0.001 (00418937…) has two leading zero hex digits, which do not count as precision.
    assertThat(CollectorHashes.thresholdWithPrecision(0.999, 1)).isEqualTo(0x00400000000000L);
    assertThat(CollectorHashes.thresholdWithPrecision(0.999, 2)).isEqualTo(0x00420000000000L);
  }
}
