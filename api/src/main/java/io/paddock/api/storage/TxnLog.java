package io.paddock.api.storage;

import java.io.IOException;
import java.nio.ByteBuffer;

/** The write-ahead log of transactions. Single writer; readers may run concurrently with the writer. */
public interface TxnLog {

    /**
     * Buffers one record. {@code zxid} must be greater than the last zxid now in the log; after
     * {@link #truncateAfter} that is the cut point, so a learner told to TRUNC appends the leader's history from there.
     */
    void append(long zxid, ByteBuffer txn) throws IOException;

    /** Makes every record appended so far durable (one fsync/fdatasync for the whole batch: group commit). */
    void sync() throws IOException;

    /** Removes every record with a zxid greater than {@code zxid} (a learner told to TRUNC); durable on return. */
    void truncateAfter(long zxid) throws IOException;

    /** Records with zxid greater than {@code afterZxid}, in zxid order. The cursor must be closed. */
    TxnCursor readAfter(long afterZxid) throws IOException;

    /** The last appended zxid, or {@link io.paddock.api.Zxid#NONE} for an empty log. */
    long lastZxid();

    /** Deletes whole log files that hold only records at or below {@code zxid} (used by purge). */
    void purgeUpTo(long zxid) throws IOException;
}
