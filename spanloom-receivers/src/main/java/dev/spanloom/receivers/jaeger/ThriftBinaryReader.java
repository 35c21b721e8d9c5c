package dev.spanloom.receivers.jaeger;

import dev.spanloom.otlp.MalformedRequestException;
import java.nio.charset.StandardCharsets;

/**
 * Reads Thrift's binary protocol (TBinaryProtocol: big-endian numbers, i32-length-prefixed
 * strings, fields as type byte + i16 id, STOP = 0) from a byte array. Every length is checked
 * against what is left before anything is allocated, so a hostile body costs at most its own
 * size; nesting is bounded so that skipping unknown fields cannot overflow the stack.
 */
final class ThriftBinaryReader {
  static final byte STOP = 0;
  static final byte BOOL = 2;
  static final byte BYTE = 3;
  static final byte DOUBLE = 4;
  static final byte I16 = 6;
  static final byte I32 = 8;
  static final byte I64 = 10;
  static final byte STRING = 11;
  static final byte STRUCT = 12;
  static final byte MAP = 13;
  static final byte SET = 14;
  static final byte LIST = 15;

  private static final int MAX_DEPTH = 64;

  private final byte[] buf;
  private int pos;

  ThriftBinaryReader(byte[] buf) {
    this.buf = buf;
  }

  int position() {
    return pos;
  }

  int remaining() {
    return buf.length - pos;
  }

  private void require(int n, String what) {
    if (n > buf.length - pos) {
      throw new MalformedRequestException("Truncated: " + what + " needs " + n + " bytes at offset " + pos
          + ", " + (buf.length - pos) + " left");
    }
  }

  byte readByte() {
    require(1, "byte");
    return buf[pos++];
  }

  boolean readBool() {
    return readByte() != 0;
  }

  short readI16() {
    require(2, "i16");
    short v = (short) (((buf[pos] & 0xff) << 8) | (buf[pos + 1] & 0xff));
    pos += 2;
    return v;
  }

  int readI32() {
    require(4, "i32");
    int v = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8)
        | (buf[pos + 3] & 0xff);
    pos += 4;
    return v;
  }

  long readI64() {
    require(8, "i64");
    long v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | (buf[pos + i] & 0xff);
    pos += 8;
    return v;
  }

  double readDouble() {
    return Double.longBitsToDouble(readI64());
  }

  String readString() {
    int n = readLength("string");
    String s = new String(buf, pos, n, StandardCharsets.UTF_8);
    pos += n;
    return s;
  }

  byte[] readBinary() {
    int n = readLength("binary");
    byte[] b = java.util.Arrays.copyOfRange(buf, pos, pos + n);
    pos += n;
    return b;
  }

  private int readLength(String what) {
    int n = readI32();
    if (n < 0) throw new MalformedRequestException("Malformed: " + what + " length " + n + " at offset " + (pos - 4));
    require(n, what);
    return n;
  }

  /** A list header: the element type, then a size no larger than the bytes left (every element takes one at least). */
  int readListSize(byte expectedType, String what) {
    byte type = readByte();
    int size = readI32();
    if (type != expectedType) {
      throw new MalformedRequestException("Malformed: " + what + " holds elements of thrift type " + type
          + " (expected: " + expectedType + ")");
    }
    if (size < 0 || size > remaining()) {
      throw new MalformedRequestException("Malformed: " + what + " of " + size + " elements at offset " + (pos - 5));
    }
    return size;
  }

  /** Skips one value of {@code type}; fails on a type Thrift does not have. */
  void skip(byte type) {
    skip(type, 0);
  }

  private void skip(byte type, int depth) {
    if (depth > MAX_DEPTH) throw new MalformedRequestException("Malformed: thrift structures nested deeper than " + MAX_DEPTH);
    switch (type) {
      case BOOL, BYTE -> skipBytes(1);
      case I16 -> skipBytes(2);
      case I32 -> skipBytes(4);
      case DOUBLE, I64 -> skipBytes(8);
      case STRING -> skipBytes(readLength("string"));
      case STRUCT -> {
        for (byte t = readByte(); t != STOP; t = readByte()) {
          readI16();
          skip(t, depth + 1);
        }
      }
      case MAP -> {
        byte k = readByte();
        byte v = readByte();
        int size = readI32();
        if (size < 0 || size > remaining()) throw new MalformedRequestException("Malformed: map of " + size + " entries");
        for (int i = 0; i < size; i++) {
          skip(k, depth + 1);
          skip(v, depth + 1);
        }
      }
      case SET, LIST -> {
        byte e = readByte();
        int size = readI32();
        if (size < 0 || size > remaining()) throw new MalformedRequestException("Malformed: list of " + size + " elements");
        for (int i = 0; i < size; i++) skip(e, depth + 1);
      }
      default -> throw new MalformedRequestException("Malformed: unknown thrift type " + type + " at offset " + (pos - 1));
    }
  }

  private void skipBytes(int n) {
    require(n, "value");
    pos += n;
  }
}
