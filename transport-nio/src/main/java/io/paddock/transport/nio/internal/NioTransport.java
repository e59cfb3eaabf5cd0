package io.paddock.transport.nio.internal;

import io.paddock.api.time.Ticker;

import io.paddock.api.transport.ClientListener;
import io.paddock.api.transport.ConnectionHandler;
import io.paddock.api.transport.PeerLink;
import io.paddock.api.transport.PeerLinkAcceptor;
import io.paddock.api.transport.PeerLinkHandler;
import io.paddock.api.transport.Transport;
import io.paddock.api.transport.TransportConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code nio} transport: one accept loop ({@code paddock-nio-accept}) for every listener, and
 * {@code ioThreads} I/O loops ({@code paddock-nio-io-<n>}) that own the connections, handed out round-robin.
 * All threads are daemons and end in {@link #close()}.
 */
public final class NioTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger(NioTransport.class);
    private static final long TERMINATION_WAIT_MS = 5_000;

    /**
     * The numbers endpoints need, taken from {@link TransportConfig}.
     *
     * @param maxFrameBytes     frame limit of client connections ({@code jute.maxbuffer})
     * @param peerFrameBytesMax frame limit of peer links, {@link TransportConfig#peerFrameBytesMax()}
     */
    record Settings(int maxFrameBytes, int peerFrameBytesMax, int outboundBytesMax, int handshakeTimeoutMs) {}

    private final Settings settings;
    private final IoLoop acceptLoop;
    private final IoLoop[] ioLoops;
    private final AtomicInteger nextLoop = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    private final Set<NioListener> listeners = ConcurrentHashMap.newKeySet();
    private final Set<PeerConnection> dialledPeers = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @throws IllegalArgumentException if {@code extra} asks for TLS between peers ({@code sslQuorum=true}): this
     *                                  transport has none, and running the quorum in plain text instead is not a
     *                                  choice to make silently
     */
    public NioTransport(TransportConfig config, Ticker ticker) {
        Objects.requireNonNull(config, "config");
        refuseQuorumTls(config.extra().get("sslQuorum"));
        this.settings = new Settings(config.maxFrameBytes(), config.peerFrameBytesMax(), config.outboundBytesMax(),
                config.handshakeTimeoutMs());
        int threads = config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
        threads = Math.max(1, threads);
        // the timeout checks run every tick: fine enough for the handshake timeout, cheap enough to ignore
        long tickMs = Math.max(5, Math.min(500, config.handshakeTimeoutMs() / 8));
        List<IoLoop> created = new ArrayList<>();
        try {
            acceptLoop = new IoLoop("paddock-nio-accept", tickMs, false, ticker);
            created.add(acceptLoop);
            ioLoops = new IoLoop[threads];
            for (int i = 0; i < threads; i++) {
                ioLoops[i] = new IoLoop("paddock-nio-io-" + i, tickMs, true, ticker);
                created.add(ioLoops[i]);
            }
        } catch (RuntimeException e) {
            created.forEach(IoLoop::discard);
            throw e;
        }
        created.forEach(IoLoop::start);
        LOG.debug("nio transport started with {} I/O threads, maxFrameBytes={}, peerFrameBytesMax={}, "
                + "outboundBytesMax={}, handshakeTimeoutMs={}", threads, settings.maxFrameBytes(),
                settings.peerFrameBytesMax(), settings.outboundBytesMax(), settings.handshakeTimeoutMs());
    }

    @Override
    public ClientListener listenForClients(InetSocketAddress address, int backlog, int maxClientCnxnsPerIp,
            ConnectionHandler handler) throws IOException {
        Objects.requireNonNull(handler, "handler");
        if (maxClientCnxnsPerIp < 0) {
            throw new IllegalArgumentException("maxClientCnxnsPerIp < 0: " + maxClientCnxnsPerIp);
        }
        return listen(address, backlog, "client", maxClientCnxnsPerIp,
                (listener, loop, channel, remote, local) -> new ClientConnection(ids.incrementAndGet(), loop,
                        channel, remote, local, settings, handler, listener));
    }

    /** Checked before any thread starts, so nothing is left running. */
    private static void refuseQuorumTls(String sslQuorum) {
        if (sslQuorum == null) {
            return;
        }
        String value = sslQuorum.trim().toLowerCase(java.util.Locale.ROOT);
        if (value.equals("true") || value.equals("yes")) {
            throw new IllegalArgumentException("sslQuorum needs transport=netty: transport nio has no TLS, and its"
                    + " peer links would be plain TCP (set transport=netty, or sslQuorum=false)");
        }
        if (!value.isEmpty() && !value.equals("false") && !value.equals("no")) {
            throw new IllegalArgumentException("Invalid value '" + sslQuorum + "' for sslQuorum: expected true or"
                    + " false");
        }
    }

    /** This transport has no TLS: always refused, before anything is bound. */
    @Override
    public ClientListener listenForSecureClients(InetSocketAddress address, int backlog, int maxClientCnxnsPerIp,
            ConnectionHandler handler) throws IOException {
        throw new IOException("transport nio has no TLS; set transport=netty to serve secureClientPort");
    }

    @Override
    public ClientListener listenForPeers(InetSocketAddress address, PeerLinkAcceptor acceptor) throws IOException {
        Objects.requireNonNull(acceptor, "acceptor");
        return listen(address, 0, "peer", 0,
                (listener, loop, channel, remote, local) -> new PeerConnection(ids.incrementAndGet(), loop,
                        channel, remote, local, settings, acceptor, listener));
    }

    private ClientListener listen(InetSocketAddress address, int backlog, String kind, int maxPerIp,
            NioListener.EndpointFactory factory) throws IOException {
        Objects.requireNonNull(address, "address");
        ensureOpen();
        ServerSocketChannel server = ServerSocketChannel.open();
        InetSocketAddress bound;
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(address, backlog); // backlog < 1: the platform default
            server.configureBlocking(false);
            bound = (InetSocketAddress) server.getLocalAddress();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        NioListener listener = new NioListener(this, acceptLoop, server, bound, kind, maxPerIp, factory);
        listeners.add(listener);
        if (!acceptLoop.executeIfRunning(listener::register) || closed.get()) {
            listener.close();
            throw new IOException("transport closed");
        }
        LOG.info("Listening for {} connections on {}", kind, bound);
        return listener;
    }

    @Override
    public PeerLink connectToPeer(InetSocketAddress address, int timeoutMs, PeerLinkHandler handler)
            throws IOException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(handler, "handler");
        if (timeoutMs <= 0) {
            throw new IllegalArgumentException("timeoutMs must be positive: " + timeoutMs);
        }
        ensureOpen();
        SocketChannel channel = SocketChannel.open();
        InetSocketAddress remote;
        InetSocketAddress local;
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            channel.socket().connect(address, timeoutMs); // blocking, bounded by timeoutMs
            channel.configureBlocking(false);
            remote = (InetSocketAddress) channel.getRemoteAddress();
            local = (InetSocketAddress) channel.getLocalAddress();
        } catch (UnresolvedAddressException e) {
            channel.close();
            throw new UnknownHostException(address.getHostString());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        IoLoop loop = nextIoLoop();
        PeerConnection link = new PeerConnection(ids.incrementAndGet(), loop, channel, remote, local, settings,
                handler, this);
        dialledPeers.add(link);
        if (!loop.executeIfRunning(link::register)) {
            link.abandon();
            throw new IOException("transport closed");
        }
        if (closed.get()) {
            link.close();
            throw new IOException("transport closed");
        }
        return link;
    }

    /** Closes every listener and link, then stops the threads and waits (bounded) for them to end. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (NioListener listener : List.copyOf(listeners)) {
            listener.close();
        }
        for (PeerConnection link : List.copyOf(dialledPeers)) {
            link.close();
        }
        acceptLoop.stop();
        for (IoLoop loop : ioLoops) {
            loop.stop();
        }
        try {
            awaitTermination(acceptLoop);
            for (IoLoop loop : ioLoops) {
                awaitTermination(loop);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.debug("nio transport closed");
    }

    private static void awaitTermination(IoLoop loop) throws InterruptedException {
        if (loop.inLoop()) {
            return; // closed from a handler on this loop: it ends once the handler returns
        }
        if (!loop.awaitTermination(TERMINATION_WAIT_MS)) {
            LOG.warn("{} did not stop within {} ms (a handler is blocking it?)", loop.name(), TERMINATION_WAIT_MS);
        }
    }

    IoLoop nextIoLoop() {
        return ioLoops[Math.floorMod(nextLoop.getAndIncrement(), ioLoops.length)];
    }

    void listenerClosed(NioListener listener) {
        listeners.remove(listener);
    }

    void peerClosed(PeerConnection link) {
        dialledPeers.remove(link);
    }

    private void ensureOpen() throws IOException {
        if (closed.get()) {
            throw new IOException("transport closed");
        }
    }
}
