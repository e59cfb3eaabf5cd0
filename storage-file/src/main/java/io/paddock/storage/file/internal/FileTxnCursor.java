package io.paddock.storage.file.internal;

import io.paddock.api.storage.StorageCorruptException;
import io.paddock.api.storage.TxnCursor;
import io.paddock.storage.file.core.LogFormat;
import io.paddock.storage.support.Checksums;
import io.paddock.storage.support.FileHandle;
import io.paddock.storage.support.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads records after a zxid, file by file, up to what the writer has published. Every record's checksum and order
 * is checked again as it is read (the pair of the check made before it was written). Memory: a 64 KiB window, plus
 * a buffer for records larger than that, grown to the largest one read.
 */
final class FileTxnCursor implements TxnCursor {
    private static final int WINDOW_BYTES = 64 * 1024;

    private final FileIo io;
    private final FileTxnLog log;
    private final long afterZxid;
    private Segment segment;
    private FileHandle handle;
    private Window window;
    private long position;
    private long previous;
    private ByteBuffer large = ByteBuffer.allocate(0);
    private long zxid;
    private ByteBuffer txn;
    private boolean closed;

    FileTxnCursor(FileIo io, FileTxnLog log, Segment start, long afterZxid) {
        this.io = io;
        this.log = log;
        this.segment = start;
        this.afterZxid = afterZxid;
    }

    @Override
    public boolean next() throws IOException {
        if (closed) {
            throw new IllegalStateException("cursor closed");
        }
        txn = null;
        while (segment != null) {
            if (handle == null) {
                handle = io.openRead(segment.path);
                window = new Window(handle, WINDOW_BYTES);
                position = LogFormat.HEADER_BYTES;
                previous = segment.prevZxid;
            }
            long end = segment.end();
            if (position >= end) {
                Segment following = log.after(segment);
                if (following == null) {
                    return false;
                }
                closeHandle();
                segment = following;
                continue;
            }
            if (readRecord(end)) {
                return true;
            }
        }
        return false;
    }

    /** Reads the record at {@code position}; true if it is one to hand out. */
    private boolean readRecord(long end) throws IOException {
        if (end - position < LogFormat.RECORD_HEADER_BYTES) {
            throw corrupt("a record header crosses the end of the written data at " + end);
        }
        int length = window.getInt(position, end);
        if (!LogFormat.plausibleLength(length) || position + 8 + length > end) {
            throw corrupt("bad record length " + length);
        }
        int crc = window.getInt(position + 4, end);
        long recordZxid = window.getLong(position + 8, end);
        int payloadBytes = length - 8;
        long payloadAt = position + LogFormat.RECORD_HEADER_BYTES;
        ByteBuffer payload;
        if (payloadBytes <= window.capacity()) {
            payload = window.slice(payloadAt, payloadBytes, end);
        } else {
            if (large.capacity() < payloadBytes) {
                large = ByteBuffer.allocate(payloadBytes);
            }
            large.clear().limit(payloadBytes);
            handle.readFully(large, payloadAt);
            payload = large.flip();
        }
        if (Checksums.record(recordZxid, payload) != crc) {
            throw corrupt("record checksum mismatch (the file changed after it was checked at open)");
        }
        if (recordZxid <= previous) {
            throw corrupt("zxid 0x" + Long.toHexString(recordZxid) + " does not follow 0x" + Long.toHexString(previous));
        }
        previous = recordZxid;
        position += 8 + length;
        if (recordZxid <= afterZxid) {
            return false;
        }
        zxid = recordZxid;
        txn = payload.asReadOnlyBuffer();
        return true;
    }

    private StorageCorruptException corrupt(String what) {
        return new StorageCorruptException(segment.path + " at offset " + position + ": " + what);
    }

    @Override
    public long zxid() {
        if (txn == null) {
            throw new IllegalStateException("no current record: call next() first");
        }
        return zxid;
    }

    @Override
    public ByteBuffer txn() {
        if (txn == null) {
            throw new IllegalStateException("no current record: call next() first");
        }
        return txn.duplicate();
    }

    private void closeHandle() throws IOException {
        if (handle != null) {
            FileHandle h = handle;
            handle = null;
            window = null;
            h.close();
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        segment = null;
        closeHandle();
    }
}
