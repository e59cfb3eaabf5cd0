package io.paddock.storage.mmap.core;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The on-disk layout of one log segment ({@code mlog.<first zxid hex>}). All numbers are big-endian; every access is
 * absolute, so a buffer's position and limit are never touched and one mapping can serve a writer and many readers.
 *
 * <pre>
 * segment  = header record* zero-fill
 * header   (64 bytes)
 *   0  int   magic            0x504D4C47 "PMLG"
 *   4  int   version          1
 *   8  long  dbId             random per log lineage; every segment of one log carries the same
 *  16  long  prevZxid         zxid of the last record before this segment (continuity), 0 = none
 *  24  long  firstZxid        zxid of the first record; equals the hex in the file name
 *  32  ...   reserved, zero
 *  60  int   CRC32C of bytes 0..59
 * record   (starts 8-byte aligned, padded with zeros to the next multiple of 8)
 *   0  int   frameBytes       24 + payload bytes; 0 marks the end of data (fresh space reads as zeros)
 *   4  int   CRC32C of bytes 0..3 and 8..frameBytes-1 (length, zxid, syncedEnd, reserved, payload)
 *   8  long  zxid
 *  16  int   syncedEnd        bytes [64, syncedEnd) of this segment were forced when this record was appended
 *  20  int   reserved, zero
 *  24  byte[frameBytes-24] payload
 * </pre>
 *
 * The {@code syncedEnd} watermark tells recovery, when it refuses a damaged log, whether the damaged bytes had
 * certainly been synced or may be an unsynced batch torn by a power loss: see {@link TailAnalysis}.
 */
public final class SegmentFormat {
    public static final int MAGIC = 0x504D4C47;
    public static final int VERSION = 1;
    public static final int HEADER_BYTES = 64;
    public static final int RECORD_HEADER_BYTES = 24;
    public static final int ALIGNMENT = 8;
    /** FileChannel.map takes at most 2 GiB - 1; 1 GiB keeps every offset sum safely inside an int. */
    public static final int SEGMENT_BYTES_MAX = 1 << 30;
    public static final int PAYLOAD_BYTES_MAX = SEGMENT_BYTES_MAX - HEADER_BYTES - RECORD_HEADER_BYTES;

    /** {@link #probe} outcomes; a positive result is the padded size of a valid record. */
    public static final int END = 0;
    public static final int BAD_LENGTH = -1;
    public static final int BAD_CHECKSUM = -2;
    public static final int BAD_FIELDS = -3;
    /** Not from {@link #probe}: a record with a valid checksum whose zxid breaks the order (never a torn write). */
    public static final int BAD_ORDER = -4;

    private static final int HEADER_CRC_OFFSET = 60;

    private SegmentFormat() {}

    /** Bytes a record with this payload occupies, padding included. */
    public static int recordBytes(int payloadBytes) {
        if (payloadBytes < 0 || payloadBytes > PAYLOAD_BYTES_MAX) {
            throw new IllegalArgumentException("payload of " + payloadBytes + " bytes; at most " + PAYLOAD_BYTES_MAX);
        }
        return align(RECORD_HEADER_BYTES + payloadBytes);
    }

    public static int align(int bytes) {
        return (bytes + ALIGNMENT - 1) & -ALIGNMENT;
    }

    public static void writeHeader(ByteBuffer segment, SegmentHeader header) {
        segment.putInt(0, MAGIC);
        segment.putInt(4, VERSION);
        segment.putLong(8, header.dbId());
        segment.putLong(16, header.prevZxid());
        segment.putLong(24, header.firstZxid());
        for (int i = 32; i < HEADER_CRC_OFFSET; i += 4) {
            segment.putInt(i, 0);
        }
        segment.putInt(HEADER_CRC_OFFSET, crc(segment, 0, HEADER_CRC_OFFSET, new CRC32C()));
    }

    /** The header, or null when magic, version or checksum do not match (the caller says why it matters). */
    public static SegmentHeader readHeader(ByteBuffer segment) {
        if (segment.capacity() < HEADER_BYTES
                || segment.getInt(0) != MAGIC
                || segment.getInt(4) != VERSION
                || segment.getInt(HEADER_CRC_OFFSET) != crc(segment, 0, HEADER_CRC_OFFSET, new CRC32C())) {
            return null;
        }
        long prevZxid = segment.getLong(16);
        long firstZxid = segment.getLong(24);
        return firstZxid > prevZxid ? new SegmentHeader(segment.getLong(8), prevZxid, firstZxid) : null;
    }

    /**
     * Writes one record at {@code offset}, leaving {@code payload}'s position untouched. The length goes in last, so
     * a reader that scans by length never meets a half-written record in memory. The caller has checked that the
     * space is free (zeros) and large enough.
     */
    public static void writeRecord(ByteBuffer segment, int offset, long zxid, int syncedEnd, ByteBuffer payload,
            ByteBuffer scratch, CRC32C crc) {
        int payloadBytes = payload.remaining();
        int frameBytes = RECORD_HEADER_BYTES + payloadBytes;
        scratch.clear();
        scratch.putInt(0, frameBytes).putInt(4, 0).putLong(8, zxid).putInt(16, syncedEnd).putInt(20, 0);
        crc.reset();
        crc.update(scratch.limit(4));
        crc.update(scratch.limit(RECORD_HEADER_BYTES).position(8));
        crc.update(payload.duplicate());
        segment.put(offset + RECORD_HEADER_BYTES, payload, payload.position(), payloadBytes);
        segment.putInt(offset + 4, (int) crc.getValue());
        segment.putLong(offset + 8, zxid);
        segment.putInt(offset + 16, syncedEnd);
        segment.putInt(offset + 20, 0);
        segment.putInt(offset, frameBytes);
    }

    /**
     * Checks the record at {@code offset} against {@code limit} (the first byte it may not reach): {@link #END} for
     * a zero length, a negative code for damage, else the padded size. Fields are checked before the checksum so that
     * random garbage is rejected cheaply.
     */
    public static int probe(ByteBuffer segment, int offset, int limit, CRC32C crc) {
        if (offset + RECORD_HEADER_BYTES > limit) {
            return limit - offset >= 4 && segment.getInt(offset) == 0 ? END : BAD_LENGTH;
        }
        int frameBytes = segment.getInt(offset);
        if (frameBytes == 0) {
            return END;
        }
        if (frameBytes < RECORD_HEADER_BYTES || frameBytes > limit - offset || align(frameBytes) > limit - offset) {
            return BAD_LENGTH;
        }
        int syncedEnd = segment.getInt(offset + 16);
        if (segment.getInt(offset + 20) != 0 || syncedEnd < HEADER_BYTES || syncedEnd > offset) {
            return BAD_FIELDS;
        }
        crc.reset();
        crc.update(segment.slice(offset, 4));
        crc.update(segment.slice(offset + 8, frameBytes - 8));
        if ((int) crc.getValue() != segment.getInt(offset + 4)) {
            return BAD_CHECKSUM;
        }
        return align(frameBytes);
    }

    public static long zxidAt(ByteBuffer segment, int offset) {
        return segment.getLong(offset + 8);
    }

    public static int syncedEndAt(ByteBuffer segment, int offset) {
        return segment.getInt(offset + 16);
    }

    public static int payloadBytesAt(ByteBuffer segment, int offset) {
        return segment.getInt(offset) - RECORD_HEADER_BYTES;
    }

    /** A read-only view of the payload of the (already probed) record at {@code offset}. */
    public static ByteBuffer payloadAt(ByteBuffer segment, int offset) {
        return segment.slice(offset + RECORD_HEADER_BYTES, payloadBytesAt(segment, offset)).asReadOnlyBuffer();
    }

    public static String describe(int probeOutcome) {
        switch (probeOutcome) {
            case END:
                return "end of data";
            case BAD_LENGTH:
                return "record length out of range";
            case BAD_CHECKSUM:
                return "checksum mismatch";
            case BAD_FIELDS:
                return "invalid record header fields";
            case BAD_ORDER:
                return "zxid out of order";
            default:
                return "valid record of " + probeOutcome + " bytes";
        }
    }

    private static int crc(ByteBuffer buffer, int offset, int length, CRC32C crc) {
        crc.reset();
        crc.update(buffer.slice(offset, length));
        return (int) crc.getValue();
    }
}
