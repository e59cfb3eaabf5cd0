package io.paddock.transport.nio.internal;

import io.paddock.api.transport.ClientListener;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listening socket on the accept loop. Accepted sockets are configured here, counted per remote IP, and handed
 * round-robin to the I/O loops, which tell the owner about them.
 */
final class NioListener implements ClientListener, LoopMember {

    /** Builds the endpoint for an accepted socket. */
    @FunctionalInterface
    interface EndpointFactory {
        NioEndpoint create(NioListener listener, IoLoop loop, SocketChannel channel, InetSocketAddress remote,
                InetSocketAddress local);
    }

    private static final Logger LOG = LoggerFactory.getLogger(NioListener.class);
    private static final int ACCEPTS_PER_EVENT_MAX = 64;
    /** After a failed accept (typically out of file descriptors) stop accepting this long instead of spinning. */
    private static final long ACCEPT_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final NioTransport transport;
    private final IoLoop acceptLoop;
    private final ServerSocketChannel server;
    private final InetSocketAddress boundAddress;
    private final String kind;
    private final int maxConnectionsPerIp;
    private final EndpointFactory factory;
    private final Set<NioEndpoint> connections = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<InetAddress, Integer> connectionsPerIp = new ConcurrentHashMap<>();
    private volatile boolean closed;

    // accept loop only
    private SelectionKey key;
    private long acceptPausedUntilNanos;
    private boolean acceptPaused;

    NioListener(NioTransport transport, IoLoop acceptLoop, ServerSocketChannel server,
            InetSocketAddress boundAddress, String kind, int maxConnectionsPerIp, EndpointFactory factory) {
        this.transport = transport;
        this.acceptLoop = acceptLoop;
        this.server = server;
        this.boundAddress = boundAddress;
        this.kind = kind;
        this.maxConnectionsPerIp = maxConnectionsPerIp;
        this.factory = factory;
    }

    @Override
    public InetSocketAddress localAddress() {
        return boundAddress;
    }

    @Override
    public int connectionCount() {
        return connections.size();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close(); // also cancels the key; the accept loop finishes the deregistration
        } catch (IOException e) {
            LOG.debug("{}: close failed", this, e);
        }
        acceptLoop.execute(() -> acceptLoop.removeMember(this));
        for (NioEndpoint connection : List.copyOf(connections)) {
            connection.close();
        }
        transport.listenerClosed(this);
        LOG.info("Stopped listening for {} connections on {}", kind, boundAddress);
    }

    /** Accept loop: start accepting. */
    void register() {
        if (closed) {
            return;
        }
        try {
            key = server.register(acceptLoop.selector(), SelectionKey.OP_ACCEPT, this);
        } catch (IOException e) {
            LOG.warn("{}: cannot register with the accept loop; closing", this, e);
            close();
            return;
        }
        acceptLoop.addMember(this);
    }

    @Override
    public void ready(SelectionKey selected) {
        for (int i = 0; i < ACCEPTS_PER_EVENT_MAX && !closed; i++) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                LOG.warn("{}: accept failed ({}); pausing accepts briefly", this, e.toString());
                acceptPaused = true;
                acceptPausedUntilNanos = acceptLoop.nanoTime() + ACCEPT_PAUSE_NANOS;
                if (key.isValid()) {
                    key.interestOps(0);
                }
                return;
            }
            if (channel == null) {
                return;
            }
            accepted(channel);
        }
    }

    private void accepted(SocketChannel channel) {
        InetSocketAddress remote;
        InetSocketAddress local;
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            remote = (InetSocketAddress) channel.getRemoteAddress();
            local = (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            LOG.debug("{}: dropping a connection that failed during set-up: {}", this, e.toString());
            closeQuietly(channel);
            return;
        }
        if (remote == null || closed) {
            closeQuietly(channel);
            return;
        }
        InetAddress ip = remote.getAddress();
        if (!acquire(ip)) {
            LOG.warn("Too many connections from {} - max is {}; closing the new one from {}", ip.getHostAddress(),
                    maxConnectionsPerIp, remote);
            closeQuietly(channel);
            return;
        }
        IoLoop loop = transport.nextIoLoop();
        NioEndpoint endpoint = factory.create(this, loop, channel, remote, local);
        connections.add(endpoint);
        if (!loop.executeIfRunning(endpoint::register)) {
            endpoint.abandon();
            return;
        }
        if (closed) {
            endpoint.close(); // close() may have run between our check and connections.add
        }
    }

    private boolean acquire(InetAddress ip) {
        boolean[] granted = {false};
        connectionsPerIp.compute(ip, (address, count) -> {
            int current = count == null ? 0 : count;
            if (maxConnectionsPerIp > 0 && current >= maxConnectionsPerIp) {
                return count;
            }
            granted[0] = true;
            return current + 1;
        });
        return granted[0];
    }

    /** An endpoint of this listener closed (any thread). */
    void removed(NioEndpoint endpoint) {
        if (connections.remove(endpoint)) {
            connectionsPerIp.computeIfPresent(endpoint.remoteAddress.getAddress(),
                    (address, count) -> count <= 1 ? null : count - 1);
        }
    }

    @Override
    public void tick(long nowNanos) {
        if (acceptPaused && nowNanos - acceptPausedUntilNanos >= 0) {
            acceptPaused = false;
            if (key != null && key.isValid()) {
                key.interestOps(SelectionKey.OP_ACCEPT);
            }
        }
    }

    @Override
    public void failed(Throwable cause) {
        close();
    }

    @Override
    public void shutdown() {
        close();
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.trace("close failed", e);
        }
    }

    @Override
    public String toString() {
        return kind + " listener on " + boundAddress;
    }
}
