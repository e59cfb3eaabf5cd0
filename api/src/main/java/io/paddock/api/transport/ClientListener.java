package io.paddock.api.transport;

import java.net.InetSocketAddress;

/** A bound listening socket. */
public interface ClientListener extends AutoCloseable {
    /** The address actually bound; with port 0 requested this holds the chosen port. */
    InetSocketAddress localAddress();

    /** Number of open connections accepted by this listener. */
    int connectionCount();

    /** Stops accepting and closes every connection accepted by this listener. */
    @Override
    void close();
}
