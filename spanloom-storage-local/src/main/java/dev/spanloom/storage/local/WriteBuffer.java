package dev.spanloom.storage.local;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable byte array written front to back: fixed-width big-endian numbers and varints. */
final class WriteBuffer {
  private byte[] buf;
  private int pos;

  WriteBuffer(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  int size() {
    return pos;
  }

  void reset() {
    pos = 0;
  }

  /** The backing array; valid up to {@link #size()} until the next write. */
  byte[] array() {
    return buf;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, pos);
  }

  private void ensure(int more) {
    if (pos + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
    }
  }

  void writeByte(int b) {
    ensure(1);
    buf[pos++] = (byte) b;
  }

  void writeBytes(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, buf, pos, len);
    pos += len;
  }

  void writeBytes(byte[] b) {
    writeBytes(b, 0, b.length);
  }

  void write(WriteBuffer other) {
    writeBytes(other.buf, 0, other.pos);
  }

  void writeInt(int v) {
    ensure(4);
    buf[pos++] = (byte) (v >>> 24);
    buf[pos++] = (byte) (v >>> 16);
    buf[pos++] = (byte) (v >>> 8);
    buf[pos++] = (byte) v;
  }

  void writeLong(long v) {
    writeInt((int) (v >>> 32));
    writeInt((int) v);
  }

  /** Overwrites four bytes at {@code at}, for lengths and checksums known only afterwards. */
  void setInt(int at, int v) {
    buf[at] = (byte) (v >>> 24);
    buf[at + 1] = (byte) (v >>> 16);
    buf[at + 2] = (byte) (v >>> 8);
    buf[at + 3] = (byte) v;
  }

  /** Unsigned LEB128, as protobuf: 7 bits a byte, low bits first. */
  void writeVarint(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      buf[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[pos++] = (byte) v;
  }

  /** An int as its unsigned 32-bit value, so that negative counts still round-trip. */
  void writeVarint32(int v) {
    writeVarint(Integer.toUnsignedLong(v));
  }

  /** ZigZag then varint: small negative numbers stay small. */
  void writeZigZag(long v) {
    writeVarint((v << 1) ^ (v >> 63));
  }

  void writeUtf8(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    writeVarint(b.length);
    writeBytes(b);
  }
}
