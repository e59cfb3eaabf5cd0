package io.paddock.api.transport;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** One client connection as the server sees it. All methods are thread-safe. */
public interface Connection {
    long id();

    InetSocketAddress remoteAddress();

    InetSocketAddress localAddress();

    /**
     * Queues one complete frame. {@code frame} holds the 4-byte length prefix followed by the payload, from its position
     * to its limit; the transport takes ownership of the buffer. Never blocks; sends after close are dropped.
     */
    void send(ByteBuffer frame);

    /** Stops delivering frames (server-side back-pressure); bytes stay in the socket buffer. */
    void pauseReading();

    /** Undoes {@link #pauseReading}. */
    void resumeReading();

    /** Bytes queued for sending but not yet written to the socket. */
    long pendingOutboundBytes();

    /** Closes once everything queued so far has been written. */
    void closeAfterFlush();

    /** Closes at once, dropping queued output. */
    void close();

    boolean isOpen();
}
