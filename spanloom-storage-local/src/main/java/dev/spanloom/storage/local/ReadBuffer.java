package dev.spanloom.storage.local;

import java.nio.charset.StandardCharsets;

/**
 * Reads what {@link WriteBuffer} wrote from a slice of an array. Every read checks bounds and
 * throws {@link CorruptDataException} rather than reading past the slice.
 */
final class ReadBuffer {
  private final byte[] buf;
  private int pos;
  private final int limit;

  ReadBuffer(byte[] buf, int offset, int length) {
    if (offset < 0 || length < 0 || offset + length > buf.length) {
      throw new CorruptDataException("slice " + offset + "+" + length + " outside " + buf.length);
    }
    this.buf = buf;
    this.pos = offset;
    this.limit = offset + length;
  }

  ReadBuffer(byte[] buf) {
    this(buf, 0, buf.length);
  }

  int position() {
    return pos;
  }

  int remaining() {
    return limit - pos;
  }

  byte[] array() {
    return buf;
  }

  private void require(int n) {
    if (n < 0 || limit - pos < n) {
      throw new CorruptDataException("truncated: need " + n + " bytes, have " + (limit - pos));
    }
  }

  int readByte() {
    require(1);
    return buf[pos++] & 0xFF;
  }

  void skip(int n) {
    require(n);
    pos += n;
  }

  byte[] readBytes(int n) {
    require(n);
    byte[] b = new byte[n];
    System.arraycopy(buf, pos, b, 0, n);
    pos += n;
    return b;
  }

  int readInt() {
    require(4);
    int v = (buf[pos] & 0xFF) << 24 | (buf[pos + 1] & 0xFF) << 16
        | (buf[pos + 2] & 0xFF) << 8 | (buf[pos + 3] & 0xFF);
    pos += 4;
    return v;
  }

  long readLong() {
    return ((long) readInt() << 32) | (readInt() & 0xFFFFFFFFL);
  }

  long readVarint() {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = readByte();
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) return v;
    }
    throw new CorruptDataException("varint longer than 10 bytes");
  }

  int readVarint32() {
    long v = readVarint();
    if ((v >>> 32) != 0) throw new CorruptDataException("varint " + v + " exceeds 32 bits");
    return (int) v;
  }

  /** A varint used as a count or index: non-negative and at most {@code max}. */
  int readCount(int max) {
    long v = readVarint();
    if (v < 0 || v > max) throw new CorruptDataException("count " + v + " (expected: <= " + max + ")");
    return (int) v;
  }

  long readZigZag() {
    long v = readVarint();
    return (v >>> 1) ^ -(v & 1);
  }

  String readUtf8() {
    int n = readCount(remaining());
    String s = new String(buf, pos, n, StandardCharsets.UTF_8);
    pos += n;
    return s;
  }

  /** The next {@code n} bytes as their own buffer; this one moves past them. */
  ReadBuffer slice(int n) {
    require(n);
    ReadBuffer r = new ReadBuffer(buf, pos, n);
    pos += n;
    return r;
  }
}
