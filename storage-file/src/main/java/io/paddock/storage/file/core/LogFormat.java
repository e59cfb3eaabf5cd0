package io.paddock.storage.file.core;

import io.paddock.storage.support.Checksums;
import java.nio.ByteBuffer;

/**
 * The txn log file format (README "Log file"). Pure: encodes and checks bytes, no I/O.
 *
 * <pre>
 * header  (32 bytes): magic "PDLG" | version 1 | dbId (8) | prevZxid (8) | reserved 0 (4) | CRC32C of bytes 0..27
 * record:             length (4) = 8 + payload bytes | CRC32C of zxid+payload (4) | zxid (8) | payload
 * end:                a length of 0 (the preallocated zeros), or the end of the file
 * </pre>
 *
 * All integers are big-endian. {@code prevZxid} is the zxid of the last record before this file, so the chain of files
 * can be checked for gaps after a crash or a purge.
 */
public final class LogFormat {
    public static final int MAGIC = 0x50444C47; // "PDLG"
    public static final int VERSION = 1;
    public static final int HEADER_BYTES = 32;
    /** length, checksum and zxid in front of each payload. */
    public static final int RECORD_HEADER_BYTES = 16;
    /** Largest payload accepted; far above jute.maxbuffer, so only a damaged length field ever exceeds it. */
    public static final int PAYLOAD_BYTES_MAX = 64 * 1024 * 1024;
    /** Written into every header and required when reading; reserved for telling databases apart, 0 as in ZooKeeper. */
    public static final long DB_ID = 0;

    private LogFormat() {}

    public static ByteBuffer header(long dbId, long prevZxid) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES);
        b.putInt(MAGIC).putInt(VERSION).putLong(dbId).putLong(prevZxid).putInt(0);
        b.putInt(Checksums.crc32c(b.array(), 0, 28));
        return b.flip();
    }

    /** The header's problem, or null if {@code h} (32 bytes from position 0) is a good header of database {@code dbId}. */
    public static String headerProblem(ByteBuffer h, long dbId) {
        if (h.getInt(28) != Checksums.crc32c(h.array(), h.arrayOffset(), 28)) {
            return "header checksum mismatch";
        }
        if (h.getInt(0) != MAGIC) {
            return "not a Paddock log file (magic 0x" + Integer.toHexString(h.getInt(0)) + ")";
        }
        if (h.getInt(4) != VERSION) {
            return "unknown log format version " + h.getInt(4);
        }
        if (h.getLong(8) != dbId) {
            return "belongs to database " + h.getLong(8) + ", expected " + dbId;
        }
        return null;
    }

    public static long prevZxid(ByteBuffer header) {
        return header.getLong(16);
    }

    /** Bytes a record with {@code payloadBytes} takes in the file. */
    public static int recordBytes(int payloadBytes) {
        return RECORD_HEADER_BYTES + payloadBytes;
    }

    /** Whether a length field can belong to a record: it counts the zxid and a payload within the limit. */
    public static boolean plausibleLength(int length) {
        return length >= 8 && length <= 8 + PAYLOAD_BYTES_MAX;
    }

    /** Writes the 16-byte record header for {@code payload} (its position is not moved) into {@code dst}. */
    public static void putRecordHeader(ByteBuffer dst, long zxid, ByteBuffer payload) {
        dst.putInt(8 + payload.remaining());
        dst.putInt(Checksums.record(zxid, payload));
        dst.putLong(zxid);
    }
}
