package io.paddock.api.transport;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** A framed, ordered, bidirectional link between two servers. Thread-safe. */
public interface PeerLink extends AutoCloseable {
    InetSocketAddress remoteAddress();

    /** Queues one message payload (the transport adds the length prefix). Never blocks. */
    void send(ByteBuffer payload);

    /** Bytes queued but not yet written, for the caller's own back-pressure decisions. */
    long pendingOutboundBytes();

    boolean isOpen();

    @Override
    void close();
}
