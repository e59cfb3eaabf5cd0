package io.paddock.server.pipeline;

import java.nio.ByteBuffer;

/** What a connection needs from the server to move its requests along. */
public interface RequestExecutor {
    /** Runs a read against the tree now and returns its complete reply frame. */
    ByteBuffer executeRead(Request request);

    /** Hands a write-class request to the prepare stage; never blocks. */
    void submitWrite(Request request);

    /** A reply left the server (for latency and packet statistics). */
    void replySent(Request request);
}
