package io.paddock.storage.file.internal;

import io.paddock.api.Zxid;
import io.paddock.api.storage.StorageCorruptException;
import io.paddock.storage.file.core.LogFormat;
import io.paddock.storage.support.FileHandle;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads a log file from its header to its end, checking every record, and decides what its end means.
 *
 * <p>The rules (README "Recovery outcomes"):
 * <ul>
 *   <li>a file other than the newest ends after its last record, or at a zero length followed only by zeros up to its
 *       end (its preallocated tail, which the writer cuts shortly after the roll; a crash may come first). Anything
 *       else in it is damage: {@link StorageCorruptException}. Zeros cannot hide lost records there: the next file's
 *       prevZxid must equal this file's last zxid;</li>
 *   <li>in the newest file, the records end at a zero length (preallocated zeros) or the end of the file. If bytes
 *       after the last good record are not all zero (a torn write, a half record, a record whose checksum fails) and
 *       no well-formed record follows anywhere after them, that is a torn tail, to be cut. A well-formed record after
 *       damage means the damage is in the middle: {@link StorageCorruptException}.</li>
 * </ul>
 */
final class LogScanner {
    static final int WINDOW_BYTES = 1 << 20;
    /**
     * A record found after damage counts only if its epoch is at most this far above the last good one: consecutive
     * records of one log never jump 65536 leader elections, and random bytes almost always do.
     */
    static final long EPOCH_JUMP_MAX = 1 << 16;

    /**
     * @param end       offset after the last good record
     * @param count     good records
     * @param lastZxid  zxid of the last good record, or the file's prevZxid when there is none
     * @param dirtyEnd  for a torn tail, the offset after the last non-zero byte (what a cut removes); -1 when clean
     * @param problem   what was wrong at {@code end}, for the log line; null when clean
     */
    record Result(long end, int count, long lastZxid, long dirtyEnd, String problem) {
        boolean torn() {
            return dirtyEnd >= 0;
        }
    }

    private LogScanner() {}

    /** Reads and checks the header; returns the file's prevZxid. */
    static long readHeader(FileHandle h, long dbId) throws IOException {
        long size = h.size();
        if (size < LogFormat.HEADER_BYTES) {
            throw corrupt(h, 0, "too short for a header (" + size + " bytes)");
        }
        ByteBuffer header = ByteBuffer.allocate(LogFormat.HEADER_BYTES);
        h.readFully(header, 0);
        String problem = LogFormat.headerProblem(header, dbId);
        if (problem != null) {
            throw corrupt(h, 0, problem);
        }
        return LogFormat.prevZxid(header);
    }

    /** Checks every record of a file whose header says {@code prevZxid}; see the class comment for {@code newest}. */
    static Result scan(FileHandle h, long prevZxid, boolean newest) throws IOException {
        long size = h.size();
        Window w = new Window(h, WINDOW_BYTES);
        long pos = LogFormat.HEADER_BYTES;
        long last = prevZxid;
        int count = 0;
        String problem;
        while (true) {
            if (pos == size) {
                return new Result(pos, count, last, -1, null);
            }
            if (size - pos < 4) {
                problem = "the file ends inside a record header";
                break;
            }
            int length = w.getInt(pos, size);
            if (length == 0) {
                if (!newest && lastNonZeroEnd(w, pos, size) < 0) {
                    return new Result(pos, count, last, -1, null);
                }
                problem = newest ? null : "a zero record length followed by non-zero bytes";
                break;
            }
            problem = recordProblem(w, pos, length, last, size);
            if (problem != null) {
                break;
            }
            last = w.getLong(pos + 8, size);
            count++;
            pos += 8 + length;
        }
        if (!newest) {
            throw corrupt(h, pos, problem + " (in a file that is not the newest, so not a torn tail)");
        }
        long follower = nextWellFormedRecord(w, pos + 1, size, last);
        if (follower >= 0) {
            throw corrupt(h, pos, (problem == null ? "a zero record length" : problem)
                    + ", but a well-formed record (zxid 0x" + Long.toHexString(w.getLong(follower + 8, size))
                    + ") follows at offset " + follower + ": damage in the middle of the log");
        }
        long dirtyEnd = lastNonZeroEnd(w, pos, size);
        if (problem == null && dirtyEnd < 0) {
            return new Result(pos, count, last, -1, null);
        }
        return new Result(pos, count, last, Math.max(dirtyEnd, pos + 1),
                problem == null ? "non-zero bytes after the end mark" : problem);
    }

    /** Null if a well-formed record with a zxid above {@code after} starts at {@code pos}, else what is wrong. */
    private static String recordProblem(Window w, long pos, int length, long after, long size) throws IOException {
        if (!LogFormat.plausibleLength(length)) {
            return "bad record length " + length;
        }
        if (pos + 8 + length > size) {
            return "a record of " + length + " bytes runs past the end of the file";
        }
        int crc = w.getInt(pos + 4, size);
        if (w.crc32c(pos + 8, length, size) != crc) {
            return "record checksum mismatch";
        }
        long zxid = w.getLong(pos + 8, size);
        if (zxid <= after) {
            return "zxid 0x" + Long.toHexString(zxid) + " does not follow 0x" + Long.toHexString(after);
        }
        return null;
    }

    /**
     * The offset of the first well-formed record with a zxid above {@code after} in {@code [from, size)}, or -1.
     * A record's length field is a big-endian int of at least 8, so one of its four bytes is the first non-zero byte
     * at or after where it starts: only offsets up to 3 bytes before a non-zero byte are candidates, which makes
     * runs of preallocated zeros cheap to pass over.
     */
    private static long nextWellFormedRecord(Window w, long from, long size, long after) throws IOException {
        long q = from;
        while (q + LogFormat.RECORD_HEADER_BYTES <= size) {
            long nonZero = w.nextNonZero(q, size, size);
            if (nonZero >= size) {
                return -1;
            }
            for (long c = Math.max(q, nonZero - 3); c <= nonZero && c + LogFormat.RECORD_HEADER_BYTES <= size; c++) {
                int length = w.getInt(c, size);
                if (!LogFormat.plausibleLength(length) || c + 8 + length > size) {
                    continue;
                }
                long zxid = w.getLong(c + 8, size);
                // cheap filters before the checksum, so random garbage costs no long checksums
                if (zxid <= after || Zxid.epoch(zxid) - Zxid.epoch(after) > EPOCH_JUMP_MAX) {
                    continue;
                }
                if (recordProblem(w, c, length, after, size) == null) {
                    return c;
                }
            }
            q = nonZero + 1;
        }
        return -1;
    }

    /** The offset after the last non-zero byte in {@code [from, size)}, or -1 if they are all zero. */
    private static long lastNonZeroEnd(Window w, long from, long size) throws IOException {
        long end = -1;
        long q = from;
        while (q < size) {
            long nonZero = w.nextNonZero(q, size, size);
            if (nonZero >= size) {
                break;
            }
            end = nonZero + 1;
            q = nonZero + 1;
        }
        return end;
    }

    /**
     * Where the records at or below {@code zxid} end in a file already checked at open (used by truncation): the
     * offset after the last such record, with how many there are and the last one's zxid.
     */
    static Result endAfter(FileHandle h, long prevZxid, long end, long zxid) throws IOException {
        Window w = new Window(h, WINDOW_BYTES);
        long pos = LogFormat.HEADER_BYTES;
        long last = prevZxid;
        int count = 0;
        while (pos < end) {
            int length = w.getInt(pos, end);
            if (length == 0) {
                break;
            }
            String problem = recordProblem(w, pos, length, last, end);
            if (problem != null) {
                throw corrupt(h, pos, problem);
            }
            long recordZxid = w.getLong(pos + 8, end);
            if (recordZxid > zxid) {
                break;
            }
            last = recordZxid;
            count++;
            pos += 8 + length;
        }
        return new Result(pos, count, last, -1, null);
    }

    static StorageCorruptException corrupt(FileHandle h, long offset, String what) {
        return new StorageCorruptException(h.path() + " at offset " + offset + ": " + what);
    }
}
