package io.paddock.api.transport;

import java.io.IOException;
import java.net.InetSocketAddress;

/** A running transport: it opens listeners and peer links and owns their I/O threads until closed. */
public interface Transport extends AutoCloseable {

    /**
     * Binds the client port and starts accepting. Port 0 binds an ephemeral port; read it back from the result.
     *
     * @param maxClientCnxnsPerIp concurrent connections one remote IP may hold; 0 means unlimited
     * @throws java.net.SocketException if the address cannot be bound (usually a {@link java.net.BindException})
     */
    ClientListener listenForClients(InetSocketAddress address, int backlog, int maxClientCnxnsPerIp,
            ConnectionHandler handler) throws IOException;

    /**
     * Binds a TLS client port with the transport's TLS settings (ssl.* keys in TransportConfig.extra). This is
     * ZooKeeper's {@code secureClientPort}: everything {@link #listenForClients} promises holds inside TLS (framing,
     * four-letter words, limits, the per-IP cap, which counts this listener's connections only), and the TLS
     * handshake counts within {@link TransportConfig#handshakeTimeoutMs()}. It may be called beside
     * {@link #listenForClients} with the same handler.
     *
     * @throws java.net.SocketException if the address cannot be bound (usually a {@link java.net.BindException})
     * @throws IOException              any other {@code IOException} means this transport cannot serve TLS as
     *                                  configured: it has no TLS at all (its message names the transport), or no key
     *                                  store is configured
     */
    ClientListener listenForSecureClients(InetSocketAddress address, int backlog, int maxClientCnxnsPerIp,
            ConnectionHandler handler) throws IOException;

    /** Binds a peer port (quorum or election traffic); each accepted link is reported to {@code acceptor}. */
    ClientListener listenForPeers(InetSocketAddress address, PeerLinkAcceptor acceptor) throws IOException;

    /** Connects to a peer; completes or fails within {@code timeoutMs}. */
    PeerLink connectToPeer(InetSocketAddress address, int timeoutMs, PeerLinkHandler handler) throws IOException;

    /** Closes every listener and connection and stops the I/O threads. */
    @Override
    void close();
}
