package io.paddock.api.storage;

import java.io.IOException;
import java.nio.ByteBuffer;

/** Iterates over log records; the buffer returned by {@link #txn()} is valid until the next {@link #next()}. */
public interface TxnCursor extends AutoCloseable {
    /** Advances to the next record; false at the end of the log. */
    boolean next() throws IOException;

    long zxid();

    ByteBuffer txn();

    @Override
    void close() throws IOException;
}
