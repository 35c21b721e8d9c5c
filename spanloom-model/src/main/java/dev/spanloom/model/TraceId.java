package dev.spanloom.model;

import dev.spanloom.model.internal.Hex;

/**
 * A 128-bit trace ID held as two longs (big-endian halves of the 16 ID bytes), so that IDs
 * hash, compare and sort without arrays. All zero is {@link #INVALID}.
 */
public record TraceId(long high, long low) implements Comparable<TraceId> {
  public static final TraceId INVALID = new TraceId(0, 0);

  /** The 16 bytes of a trace ID, as OTLP carries it. */
  public static TraceId fromBytes(byte[] bytes) {
    if (bytes.length != 16) {
      throw new IllegalArgumentException("trace ID: " + bytes.length + " bytes (expected: 16)");
    }
    return new TraceId(Hex.longFromBytes(bytes, 0), Hex.longFromBytes(bytes, 8));
  }

  /**
   * Parses 32 hex digits, or 16 for the 64-bit IDs of older Jaeger and Zipkin clients (the high
   * half is then zero). Either case is accepted; the W3C codec is stricter.
   */
  public static TraceId fromHex(CharSequence hex) {
    int n = hex.length();
    if ((n != 32 && n != 16) || !Hex.isHex(hex, 0, n)) {
      throw new IllegalArgumentException(
          "trace ID: \"" + hex + "\" (expected: 32 or 16 hex digits)");
    }
    return n == 32
        ? new TraceId(Hex.readLong(hex, 0), Hex.readLong(hex, 16))
        : new TraceId(0, Hex.readLong(hex, 0));
  }

  public boolean isValid() {
    return high != 0 || low != 0;
  }

  public byte[] toBytes() {
    byte[] b = new byte[16];
    Hex.longToBytes(high, b, 0);
    Hex.longToBytes(low, b, 8);
    return b;
  }

  /** 32 lowercase hex digits. */
  public String toHex() {
    char[] c = new char[32];
    Hex.writeLong(high, c, 0);
    Hex.writeLong(low, c, 16);
    return new String(c);
  }

  @Override
  public int compareTo(TraceId o) {
    int c = Long.compareUnsigned(high, o.high);
    return c != 0 ? c : Long.compareUnsigned(low, o.low);
  }

  @Override
  public String toString() {
    return toHex();
  }
}
