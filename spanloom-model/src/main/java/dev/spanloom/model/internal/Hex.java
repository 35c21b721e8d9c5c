package dev.spanloom.model.internal;

/** Lowercase hex encoding of IDs without intermediate strings or byte arrays. Internal. */
public final class Hex {
  private static final char[] DIGITS = "0123456789abcdef".toCharArray();

  private Hex() {}

  /** Writes {@code value} as 16 lowercase hex digits into {@code dest} at {@code offset}. */
  public static void writeLong(long value, char[] dest, int offset) {
    for (int i = 15; i >= 0; i--) {
      dest[offset + i] = DIGITS[(int) (value & 0xf)];
      value >>>= 4;
    }
  }

  /** Reads 16 hex digits (either case) at {@code offset}; callers validate untrusted input first. */
  public static long readLong(CharSequence s, int offset) {
    long v = 0;
    for (int i = 0; i < 16; i++) {
      int d = digit(s.charAt(offset + i));
      if (d < 0) {
        throw new IllegalArgumentException(
            "not a hex digit at " + (offset + i) + ": '" + s.charAt(offset + i) + "'");
      }
      v = (v << 4) | d;
    }
    return v;
  }

  /** Value of a hex digit of either case, or -1. */
  public static int digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  /** True when {@code s[from, to)} holds only lowercase hex digits. */
  public static boolean isLowerHex(CharSequence s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
  }

  /** True when {@code s[from, to)} holds only hex digits of either case. */
  public static boolean isHex(CharSequence s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (digit(s.charAt(i)) < 0) return false;
    }
    return true;
  }

  public static long longFromBytes(byte[] b, int offset) {
    long v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | (b[offset + i] & 0xff);
    return v;
  }

  public static void longToBytes(long v, byte[] dest, int offset) {
    for (int i = 7; i >= 0; i--) {
      dest[offset + i] = (byte) v;
      v >>>= 8;
    }
  }
}
