package io.paddock.api.storage;

/**
 * An opened storage: its log, its snapshots and its durable values. Closing releases files and the folders' exclusive
 * hold, syncing nothing extra.
 */
public interface Storage extends AutoCloseable {
    TxnLog log();

    SnapshotStore snapshots();

    DurableValues values();

    @Override
    void close();
}
