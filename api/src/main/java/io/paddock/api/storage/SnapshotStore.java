package io.paddock.api.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;

/** Snapshots as opaque streams keyed by the zxid they are consistent from (fuzzy: replay the log after it). */
public interface SnapshotStore {

    /** Starts a snapshot; it becomes visible only when {@link SnapshotWriter#commit()} returns. */
    SnapshotWriter begin(long zxid) throws IOException;

    /** zxids of the complete, valid snapshots, newest first. */
    List<Long> list() throws IOException;

    /** Opens the newest valid snapshot, if any. */
    Optional<SnapshotReader> openLatest() throws IOException;

    /**
     * Opens the valid snapshot taken at {@code zxid}, checked as {@link #openLatest()} checks it; empty if there is no
     * valid snapshot at that zxid. Recovery needs only the newest; tools (dump, verify) read any of {@link #list()}.
     */
    Optional<SnapshotReader> open(long zxid) throws IOException;

    /** Keeps the newest {@code retain} snapshots and deletes the rest. */
    void retainNewest(int retain) throws IOException;

    /** A snapshot being written. */
    interface SnapshotWriter extends AutoCloseable {
        OutputStream stream();

        /** Flushes, syncs and publishes the snapshot atomically. */
        void commit() throws IOException;

        /** Discards an uncommitted snapshot. */
        @Override
        void close() throws IOException;
    }

    /** A snapshot being read; the stream fails on any checksum mismatch. */
    interface SnapshotReader extends AutoCloseable {
        long zxid();

        InputStream stream();

        @Override
        void close() throws IOException;
    }
}
