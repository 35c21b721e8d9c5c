package dev.spanloom.storage.local;

import dev.spanloom.model.TraceId;
import java.nio.charset.StandardCharsets;

/**
 * A bloom filter with double hashing (Kirsch–Mitzenmacher): bit {@code i} of {@code k} is {@code
 * (h1 + i·h2) mod m}. Sized at 10 bits per entry with 7 hashes, about 1% false positives. The
 * hash functions are part of the on-disk format (see {@code docs/storage-format.md}); changing
 * them needs a new format version.
 */
final class BloomFilter {
  // About 0.01% false positives: each one costs a lookup a whole row-group decode (measured at
  // 10 bits and 7 hashes, 0.8% of checks, half of a 10-million-span query's time).
  static final int BITS_PER_ENTRY = 20;
  static final int HASHES = 14;
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private final long[] words;
  private final int hashes;
  private final long bits;

  private BloomFilter(long[] words, int hashes) {
    this.words = words;
    this.hashes = hashes;
    this.bits = (long) words.length * 64;
  }

  static BloomFilter withExpectedEntries(long entries) {
    long bits = Math.max(64, entries * BITS_PER_ENTRY);
    long wordCount = (bits + 63) / 64;
    if (wordCount > Integer.MAX_VALUE) throw new IllegalArgumentException("bloom too large: " + entries);
    return new BloomFilter(new long[(int) wordCount], HASHES);
  }

  void add(TraceId id) {
    long h1 = hash1(id);
    add(h1, hash2(h1));
  }

  boolean mightContain(TraceId id) {
    long h1 = hash1(id);
    return mightContain(h1, hash2(h1));
  }

  void add(String s) {
    long h1 = hash1(s);
    add(h1, hash2(h1));
  }

  boolean mightContain(String s) {
    long h1 = hash1(s);
    return mightContain(h1, hash2(h1));
  }

  private void add(long h1, long h2) {
    for (int i = 0; i < hashes; i++) {
      long bit = Long.remainderUnsigned(h1 + i * h2, bits);
      words[(int) (bit >>> 6)] |= 1L << bit;
    }
  }

  private boolean mightContain(long h1, long h2) {
    for (int i = 0; i < hashes; i++) {
      long bit = Long.remainderUnsigned(h1 + i * h2, bits);
      if ((words[(int) (bit >>> 6)] & (1L << bit)) == 0) return false;
    }
    return true;
  }

  static long hash1(TraceId id) {
    return fmix64(id.high() ^ fmix64(id.low()));
  }

  /** FNV-1a over the UTF-8 bytes, then a finalizer for better spread of the low bits. */
  static long hash1(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xFF;
      h *= 0x100000001b3L;
    }
    return fmix64(h);
  }

  private static long hash2(long h1) {
    return fmix64(h1 ^ GOLDEN) | 1; // odd, so every i gives a different bit
  }

  /** MurmurHash3's 64-bit finalizer. */
  static long fmix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }

  void writeTo(WriteBuffer out) {
    out.writeVarint(hashes);
    out.writeVarint(words.length);
    for (long w : words) out.writeLong(w);
  }

  static BloomFilter readFrom(ReadBuffer in) {
    int hashes = in.readCount(64);
    if (hashes == 0) throw new CorruptDataException("bloom filter with 0 hashes");
    int words = in.readCount(in.remaining() / 8);
    if (words == 0) throw new CorruptDataException("bloom filter with 0 words");
    long[] w = new long[words];
    for (int i = 0; i < words; i++) w[i] = in.readLong();
    return new BloomFilter(w, hashes);
  }

  long sizeBytes() {
    return words.length * 8L;
  }
}
