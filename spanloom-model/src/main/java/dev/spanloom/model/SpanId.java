package dev.spanloom.model;

import dev.spanloom.model.internal.Hex;

/** A 64-bit span ID held as a long (the 8 ID bytes, big-endian). Zero is {@link #INVALID}. */
public record SpanId(long value) implements Comparable<SpanId> {
  public static final SpanId INVALID = new SpanId(0);

  /** The 8 bytes of a span ID, as OTLP carries it. */
  public static SpanId fromBytes(byte[] bytes) {
    if (bytes.length != 8) {
      throw new IllegalArgumentException("span ID: " + bytes.length + " bytes (expected: 8)");
    }
    return new SpanId(Hex.longFromBytes(bytes, 0));
  }

  /** Parses 16 hex digits of either case. */
  public static SpanId fromHex(CharSequence hex) {
    if (hex.length() != 16 || !Hex.isHex(hex, 0, 16)) {
      throw new IllegalArgumentException("span ID: \"" + hex + "\" (expected: 16 hex digits)");
    }
    return new SpanId(Hex.readLong(hex, 0));
  }

  public boolean isValid() {
    return value != 0;
  }

  public byte[] toBytes() {
    byte[] b = new byte[8];
    Hex.longToBytes(value, b, 0);
    return b;
  }

  /** 16 lowercase hex digits. */
  public String toHex() {
    char[] c = new char[16];
    Hex.writeLong(value, c, 0);
    return new String(c);
  }

  @Override
  public int compareTo(SpanId o) {
    return Long.compareUnsigned(value, o.value);
  }

  @Override
  public String toString() {
    return toHex();
  }
}
