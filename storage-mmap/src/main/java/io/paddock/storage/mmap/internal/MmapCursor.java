package io.paddock.storage.mmap.internal;

import io.paddock.api.storage.StorageCorruptException;
import io.paddock.api.storage.TxnCursor;
import io.paddock.storage.mmap.core.SegmentFormat;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.zip.CRC32C;

/**
 * Reads records straight out of the mappings, over the segments and ends captured when it was opened: records the
 * writer appends later into the last of them are not seen. Every record handed out has its checksum checked again
 * (the read half of STYLE.md's paired assertions); skipped records only have their length checked.
 */
final class MmapCursor implements TxnCursor {

    /** One segment as the cursor sees it: read-only view, readable up to {@code end}. */
    record View(Path path, ByteBuffer buffer, int end) {}

    private final List<View> views;
    private final long afterZxid;
    private final CRC32C crc = new CRC32C();
    private int viewIndex;
    private int offset = SegmentFormat.HEADER_BYTES;
    private long zxid;
    private ByteBuffer txn;
    private boolean closed;

    MmapCursor(List<View> views, long afterZxid) {
        this.views = views;
        this.afterZxid = afterZxid;
    }

    @Override
    public boolean next() throws StorageCorruptException {
        txn = null;
        while (!closed && viewIndex < views.size()) {
            View view = views.get(viewIndex);
            if (offset >= view.end()) {
                viewIndex++;
                offset = SegmentFormat.HEADER_BYTES;
                continue;
            }
            ByteBuffer buffer = view.buffer();
            long recordZxid = SegmentFormat.zxidAt(buffer, offset);
            if (recordZxid <= afterZxid) {
                int frameBytes = buffer.getInt(offset);
                if (frameBytes < SegmentFormat.RECORD_HEADER_BYTES
                        || SegmentFormat.align(frameBytes) > view.end() - offset) {
                    throw corrupt(view, SegmentFormat.describe(SegmentFormat.BAD_LENGTH));
                }
                offset += SegmentFormat.align(frameBytes);
                continue;
            }
            int outcome = SegmentFormat.probe(buffer, offset, view.end(), crc);
            if (outcome <= 0) {
                throw corrupt(view, SegmentFormat.describe(outcome));
            }
            zxid = recordZxid;
            txn = SegmentFormat.payloadAt(buffer, offset);
            offset += outcome;
            return true;
        }
        return false;
    }

    @Override
    public long zxid() {
        current();
        return zxid;
    }

    @Override
    public ByteBuffer txn() {
        return current().duplicate();
    }

    @Override
    public void close() {
        closed = true;
        txn = null;
    }

    private ByteBuffer current() {
        if (txn == null) {
            throw new NoSuchElementException("no current record: call next() first and check that it returned true");
        }
        return txn;
    }

    private StorageCorruptException corrupt(View view, String reason) {
        return new StorageCorruptException(view.path() + " at offset " + offset + " (read back): " + reason);
    }
}
