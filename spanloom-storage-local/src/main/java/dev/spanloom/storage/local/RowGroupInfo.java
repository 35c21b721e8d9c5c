package dev.spanloom.storage.local;

import dev.spanloom.model.TraceId;

/**
 * Where a row group lies in a block's data file and what it holds: its trace-ID range (row groups
 * are sorted and never overlap, so the list is binary-searchable) and the statistics a search
 * uses to skip it. {@code attributeValues} is null in blocks of format 1 and 2, which have none
 * (then any attribute value may be in the row group).
 */
record RowGroupInfo(
    TraceId minTraceId,
    TraceId maxTraceId,
    long offset,
    int compressedLength,
    int uncompressedLength,
    int crc32c,
    int spanCount,
    int traceCount,
    long minStartEpochNanos,
    long maxEndEpochNanos,
    long minDurationNanos,
    long maxDurationNanos,
    StringFilter serviceNames,
    StringFilter spanNames,
    StringFilter attributeValues) {

  void writeTo(WriteBuffer out) {
    out.writeLong(minTraceId.high());
    out.writeLong(minTraceId.low());
    out.writeLong(maxTraceId.high());
    out.writeLong(maxTraceId.low());
    out.writeVarint(offset);
    out.writeVarint(compressedLength);
    out.writeVarint(uncompressedLength);
    out.writeInt(crc32c);
    out.writeVarint(spanCount);
    out.writeVarint(traceCount);
    out.writeLong(minStartEpochNanos);
    out.writeLong(maxEndEpochNanos);
    out.writeZigZag(minDurationNanos);
    out.writeZigZag(maxDurationNanos);
    serviceNames.writeTo(out);
    spanNames.writeTo(out);
    attributeValues.writeTo(out); // format 3
  }

  static RowGroupInfo readFrom(ReadBuffer in, int formatVersion) {
    return new RowGroupInfo(
        new TraceId(in.readLong(), in.readLong()),
        new TraceId(in.readLong(), in.readLong()),
        in.readVarint(),
        in.readCount(Integer.MAX_VALUE),
        in.readCount(Integer.MAX_VALUE),
        in.readInt(),
        in.readCount(Integer.MAX_VALUE),
        in.readCount(Integer.MAX_VALUE),
        in.readLong(),
        in.readLong(),
        in.readZigZag(),
        in.readZigZag(),
        StringFilter.readFrom(in),
        StringFilter.readFrom(in),
        formatVersion >= 3 ? StringFilter.readFrom(in) : null);
  }
}
