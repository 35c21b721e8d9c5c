package dev.spanloom.storage.local;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Which strings (service names, span names) occur in a row group or block, to skip it in a
 * search: the exact sorted set while it is small, a bloom filter beyond. Never a false
 * negative.
 */
final class StringFilter {
  /** Up to this many distinct values the set is kept exactly (and could serve tag-value lists). */
  static final int MAX_EXACT = 64;
  private static final int KIND_EXACT = 0;
  private static final int KIND_BLOOM = 1;

  private final String[] exact; // sorted; null when bloom is used
  private final BloomFilter bloom;

  private StringFilter(String[] exact, BloomFilter bloom) {
    this.exact = exact;
    this.bloom = bloom;
  }

  static StringFilter of(Collection<String> values) {
    if (values.size() <= MAX_EXACT) {
      String[] sorted = values.stream().distinct().sorted().toArray(String[]::new);
      return new StringFilter(sorted, null);
    }
    BloomFilter bloom = BloomFilter.withExpectedEntries(values.size());
    for (String v : values) bloom.add(v);
    return new StringFilter(null, bloom);
  }

  boolean mightContain(String value) {
    return exact != null ? Arrays.binarySearch(exact, value) >= 0 : bloom.mightContain(value);
  }

  /** The exact values, or null when only a bloom filter is kept. */
  List<String> values() {
    return exact == null ? null : List.of(exact);
  }

  void writeTo(WriteBuffer out) {
    if (exact != null) {
      out.writeByte(KIND_EXACT);
      out.writeVarint(exact.length);
      for (String s : exact) out.writeUtf8(s);
    } else {
      out.writeByte(KIND_BLOOM);
      bloom.writeTo(out);
    }
  }

  static StringFilter readFrom(ReadBuffer in) {
    int kind = in.readByte();
    if (kind == KIND_EXACT) {
      String[] values = new String[in.readCount(in.remaining())];
      for (int i = 0; i < values.length; i++) values[i] = in.readUtf8();
      return new StringFilter(values, null);
    }
    if (kind == KIND_BLOOM) return new StringFilter(null, BloomFilter.readFrom(in));
    throw new CorruptDataException("unknown string filter kind " + kind);
  }
}
