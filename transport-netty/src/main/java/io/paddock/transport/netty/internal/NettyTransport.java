package io.paddock.transport.netty.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.paddock.api.time.Ticker;
import io.paddock.api.transport.ClientListener;
import io.paddock.api.transport.ConnectionHandler;
import io.paddock.api.transport.PeerLink;
import io.paddock.api.transport.PeerLinkAcceptor;
import io.paddock.api.transport.PeerLinkHandler;
import io.paddock.api.transport.Transport;
import io.paddock.api.transport.TransportConfig;
import io.paddock.transport.netty.core.NettyOptions;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code netty} transport: one accept loop ({@code paddock-netty-accept}) for every listener, and
 * {@code ioThreads} I/O loops ({@code paddock-netty-io-<n>}) that own the connections, native epoll where available.
 * All threads are daemons and end in {@link #close()}.
 *
 * <p>TLS: {@link #listenForSecureClients} is the secure client port; with {@code sslQuorum=true} every peer link, accepted
 * or dialled, is wrapped in mutually authenticated TLS. Key material is read once, while the transport is created,
 * through the {@link KeyMaterialOpener} the provider adapts from distro's {@code ConfigFiles}.
 */
public final class NettyTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger(NettyTransport.class);
    private static final long TERMINATION_WAIT_MS = 5_000;

    private final Settings settings;
    private final EventLoops loops;
    private final ByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;
    private final WriteBufferWaterMark clientWaterMark;
    private final SslContext clientTls; // null: no key store configured
    private final SslContext peerPortTls; // null: sslQuorum off, peer links in plain TCP
    private final SslContext peerDialTls; // set exactly when peerPortTls is
    private final AtomicLong ids = new AtomicLong();
    private final Set<NettyListener> listeners = ConcurrentHashMap.newKeySet();
    private final Set<PeerEndpoint> dialledPeers = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closing = new AtomicBoolean();

    /**
     * @param files reads the key and trust stores the {@code ssl.*} keys name
     * @throws IllegalArgumentException if an {@code extra} key is invalid or a configured key store cannot be used;
     *                                  the message names the key and the file
     */
    public NettyTransport(TransportConfig config, Ticker ticker, KeyMaterialOpener files) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(ticker, "ticker");
        Objects.requireNonNull(files, "files");
        NettyOptions options = NettyOptions.parse(config.extra());
        options.warnings().forEach(LOG::warn);
        // before any thread starts, so that a bad key store leaves nothing behind
        clientTls = options.tls().configured() ? TlsContexts.server(options.tls(), files) : null;
        if (options.quorumTls() != null) {
            peerPortTls = TlsContexts.build(options.quorumTls(), files, TlsContexts.Role.PEER_PORT);
            peerDialTls = TlsContexts.build(options.quorumTls(), files, TlsContexts.Role.PEER_DIAL);
        } else {
            peerPortTls = null;
            peerDialTls = null;
        }
        // the timeout re-checks run at most this often: fine enough for the handshake timeout, cheap to ignore
        long tickMs = Math.max(5, Math.min(500, config.handshakeTimeoutMs() / 8));
        this.settings = new Settings(config.maxFrameBytes(), config.peerFrameBytesMax(), config.outboundBytesMax(),
                config.handshakeTimeoutMs(), tickMs, ticker);
        // reading pauses above outboundBytesMax unsent bytes and resumes below half of it
        this.clientWaterMark = new WriteBufferWaterMark(config.outboundBytesMax() / 2, config.outboundBytesMax());
        int threads = config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
        this.loops = new EventLoops(options.epoll(), Math.max(1, threads));
        LOG.debug("netty transport started with {} {} I/O threads, maxFrameBytes={}, peerFrameBytesMax={}, "
                + "outboundBytesMax={}, handshakeTimeoutMs={}, client TLS {}, quorum TLS {}", Math.max(1, threads),
                loops.epoll ? "epoll" : "nio", settings.maxFrameBytes(), settings.peerFrameBytesMax(),
                settings.outboundBytesMax(), settings.handshakeTimeoutMs(), clientTls != null ? "ready" : "off",
                peerPortTls != null ? "on" : "off");
    }

    /** Whether the I/O loops use native epoll (false: java.nio). */
    public boolean usesEpoll() {
        return loops.epoll;
    }

    @Override
    public ClientListener listenForClients(InetSocketAddress address, int backlog, int maxClientCnxnsPerIp,
            ConnectionHandler handler) throws IOException {
        return listenForClients(address, backlog, maxClientCnxnsPerIp, handler, null);
    }

    /**
     * Binds a TLS client port (ZooKeeper's {@code secureClientPort}) with the {@code ssl.*} settings the transport was
     * created with. Everything else is as {@link #listenForClients}: framing, four-letter words (inside TLS), limits.
     *
     * @throws IOException if no key store is configured (nothing is bound then); a {@link SocketException} if the
     *                     port cannot be bound
     */
    @Override
    public ClientListener listenForSecureClients(InetSocketAddress address, int backlog, int maxClientCnxnsPerIp,
            ConnectionHandler handler) throws IOException {
        if (clientTls == null) {
            throw new IOException("Cannot open a secure client port with transport netty: no key store configured"
                    + " (set ssl.keyStore.location, transport.ssl.keyStore.location in a Paddock config)");
        }
        return listenForClients(address, backlog, maxClientCnxnsPerIp, handler, clientTls);
    }

    private ClientListener listenForClients(InetSocketAddress address, int backlog, int maxClientCnxnsPerIp,
            ConnectionHandler handler, SslContext tls) throws IOException {
        Objects.requireNonNull(handler, "handler");
        if (maxClientCnxnsPerIp < 0) {
            throw new IllegalArgumentException("maxClientCnxnsPerIp < 0: " + maxClientCnxnsPerIp);
        }
        String kind = tls == null ? "client" : "secure client";
        NettyListener listener = new NettyListener(this, kind, maxClientCnxnsPerIp, (channel, id) -> {
            if (tls != null) {
                InetSocketAddress remote = (InetSocketAddress) channel.remoteAddress();
                // the peer host is the IP literal: client certificates are checked against it, never a DNS name
                SslHandler ssl = tls.newHandler(channel.alloc(), remote.getAddress().getHostAddress(),
                        remote.getPort());
                ssl.setHandshakeTimeoutMillis(0); // the handshake timeout below covers the TLS handshake too
                channel.pipeline().addLast("tls", ssl);
            }
            channel.pipeline().addLast("paddock",
                    new ClientEndpoint(id, channel, settings, this, handler, tls != null));
        });
        ServerBootstrap bootstrap = serverBootstrap(listener, backlog)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, clientWaterMark)
                // an end of stream is an event, so a half-closed client still gets a four-letter word's answer
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        return bind(bootstrap, listener, address);
    }

    @Override
    public ClientListener listenForPeers(InetSocketAddress address, PeerLinkAcceptor acceptor) throws IOException {
        Objects.requireNonNull(acceptor, "acceptor");
        SslContext tls = peerPortTls;
        NettyListener listener = new NettyListener(this, tls == null ? "peer" : "TLS peer", 0, (channel, id) -> {
            if (tls != null) {
                InetSocketAddress remote = (InetSocketAddress) channel.remoteAddress();
                // the peer host is the IP literal: the dialler's certificate is checked against it, never a DNS name
                SslHandler ssl = tls.newHandler(channel.alloc(), remote.getAddress().getHostAddress(),
                        remote.getPort());
                ssl.setHandshakeTimeoutMillis(settings.handshakeTimeoutMs());
                channel.pipeline().addLast("tls", ssl);
            }
            channel.pipeline().addLast("paddock", PeerEndpoint.accepted(id, channel, settings, this, acceptor,
                    tls != null));
        });
        return bind(serverBootstrap(listener, 0), listener, address);
    }

    private ServerBootstrap serverBootstrap(NettyListener listener, int backlog) {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops.accept, loops.io)
                .channelFactory(loops.serverChannels)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.ALLOCATOR, allocator)
                .handler(listener.gate())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.ALLOCATOR, allocator)
                .childHandler(listener.initializer());
        if (backlog > 0) {
            bootstrap.option(ChannelOption.SO_BACKLOG, backlog); // else Netty reads the system's somaxconn
        }
        return bootstrap;
    }

    private ClientListener bind(ServerBootstrap bootstrap, NettyListener listener, InetSocketAddress address)
            throws IOException {
        Objects.requireNonNull(address, "address");
        ensureOpen();
        ChannelFuture bound = bootstrap.bind(address).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            bound.channel().close();
            throw bindFailure(bound.cause(), address);
        }
        listener.bound(bound.channel());
        listeners.add(listener);
        if (closing.get()) {
            listener.close();
            throw new IOException("transport closed");
        }
        LOG.info("Listening for {} connections on {}", listener.kind(), listener.localAddress());
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
        long id = nextId();
        SslContext tls = peerDialTls;
        PeerEndpoint[] link = new PeerEndpoint[1];
        Bootstrap bootstrap = new Bootstrap()
                .group(loops.io)
                .channelFactory(loops.socketChannels)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.ALLOCATOR, allocator)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMs)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        if (tls != null) {
                            // the peer's certificate must name what was dialled: the host name as given, or the IP
                            // literal; getHostString() never does a reverse lookup
                            SslHandler ssl = tls.newHandler(channel.alloc(), address.getHostString(),
                                    address.getPort());
                            ssl.setHandshakeTimeoutMillis(timeoutMs);
                            channel.pipeline().addLast("tls", ssl);
                        }
                        link[0] = PeerEndpoint.dialled(id, channel, settings, NettyTransport.this, handler,
                                tls != null);
                        channel.pipeline().addLast("paddock", link[0]);
                    }
                });
        ChannelFuture connected;
        try {
            connected = bootstrap.connect(address);
        } catch (UnresolvedAddressException e) {
            throw new UnknownHostException(address.getHostString());
        }
        // Netty fails the future itself at CONNECT_TIMEOUT_MILLIS; the extra second only guards against a stuck loop
        if (!connected.awaitUninterruptibly(timeoutMs + 1_000L, TimeUnit.MILLISECONDS)) {
            connected.cancel(false);
            connected.channel().close();
            throw new SocketTimeoutException("connect to " + address + " timed out after " + timeoutMs + " ms");
        }
        if (!connected.isSuccess()) {
            connected.channel().close();
            Throwable cause = connected.cause();
            if (cause instanceof UnresolvedAddressException) {
                throw new UnknownHostException(address.getHostString());
            }
            throw asIoException(cause, "cannot connect to " + address);
        }
        PeerEndpoint endpoint = link[0];
        endpoint.remoteAddress(); // read while connected: kept for the life of the link
        endpoint.localAddress();
        if (tls != null) {
            awaitHandshake(endpoint, address, timeoutMs);
        }
        dialledPeers.add(endpoint);
        if (closing.get()) {
            endpoint.close();
            throw new IOException("transport closed");
        }
        if (!connected.channel().isOpen()) {
            dialledPeers.remove(endpoint); // already closed (and reported) before it was added
        }
        return endpoint;
    }

    /**
     * Waits for a dialled TLS link to finish its handshake. Until then its handler has heard nothing, so a failure
     * closes it quietly and is thrown here: an {@code SSLException} for a certificate either side refused.
     */
    private static void awaitHandshake(PeerEndpoint endpoint, InetSocketAddress address, int timeoutMs)
            throws IOException {
        // The SslHandler's own timeout (timeoutMs) ends the handshake; the extra second guards against a stuck loop.
        // A bound, not a deadline: only distro reads the clock, and a late answer here is a failed dial either way.
        long waitNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs) + TimeUnit.SECONDS.toNanos(1);
        try {
            endpoint.ready().get(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            endpoint.close();
            throw new SocketTimeoutException("TLS handshake with " + address + " did not finish in time");
        } catch (InterruptedException e) {
            endpoint.close();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted during the TLS handshake with " + address);
        } catch (java.util.concurrent.ExecutionException e) {
            endpoint.close();
            Throwable cause = e.getCause();
            if (cause instanceof javax.net.ssl.SSLException ssl) {
                javax.net.ssl.SSLHandshakeException refused = new javax.net.ssl.SSLHandshakeException(
                        "TLS handshake with peer " + address + " failed: " + ssl.getMessage());
                refused.initCause(ssl);
                throw refused;
            }
            IOException failed = new IOException("TLS handshake with peer " + address + " failed: "
                    + (cause instanceof java.nio.channels.ClosedChannelException ? "the connection was closed"
                            + " (is the other side's peer port plain TCP?)" : String.valueOf(cause)));
            failed.initCause(cause);
            throw failed;
        }
    }

    /** Closes every listener and link, then stops the loops and waits (bounded) for them to end. */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        for (NettyListener listener : List.copyOf(listeners)) {
            listener.close();
        }
        for (PeerEndpoint link : List.copyOf(dialledPeers)) {
            link.close();
        }
        // quiet period 0: the loops close their remaining channels, run what is queued (the close callbacks) and end
        loops.accept.shutdownGracefully(0, TERMINATION_WAIT_MS, TimeUnit.MILLISECONDS);
        loops.io.shutdownGracefully(0, TERMINATION_WAIT_MS, TimeUnit.MILLISECONDS);
        if (loops.inAnyLoop()) {
            return; // closed from a handler: the loops end once it returns
        }
        boolean ended;
        try {
            ended = loops.accept.awaitTermination(TERMINATION_WAIT_MS, TimeUnit.MILLISECONDS)
                    && loops.io.awaitTermination(TERMINATION_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (!ended) {
            LOG.warn("netty transport loops did not stop within {} ms (a handler is blocking one?)",
                    TERMINATION_WAIT_MS);
        }
        LOG.debug("netty transport closed");
    }

    boolean isClosing() {
        return closing.get();
    }

    boolean inAnyLoop() {
        return loops.inAnyLoop();
    }

    long nextId() {
        return ids.incrementAndGet();
    }

    void listenerClosed(NettyListener listener) {
        listeners.remove(listener);
    }

    void dialledPeerClosed(PeerEndpoint link) {
        dialledPeers.remove(link);
    }

    private void ensureOpen() throws IOException {
        if (closing.get()) {
            throw new IOException("transport closed");
        }
    }

    /**
     * The SPI reports a port that cannot be bound as a {@link SocketException}. java.nio channels throw
     * {@link BindException} already; native epoll throws Netty's own {@code IOException}, which is wrapped.
     */
    private static IOException bindFailure(Throwable cause, InetSocketAddress address) {
        if (cause instanceof SocketException socket) {
            return socket;
        }
        if (cause instanceof IOException) {
            BindException bind = new BindException("cannot bind " + address + ": " + cause.getMessage());
            bind.initCause(cause);
            return bind;
        }
        return asIoException(cause, "cannot bind " + address);
    }

    private static IOException asIoException(Throwable cause, String what) {
        if (cause instanceof IOException io) {
            return io;
        }
        return new IOException(what + ": " + cause, cause);
    }
}
