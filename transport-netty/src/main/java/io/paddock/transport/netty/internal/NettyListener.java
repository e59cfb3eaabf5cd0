package io.paddock.transport.netty.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.util.AttributeKey;
import io.paddock.api.transport.ClientListener;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listening channel on the accept loop. Its {@link Gate} sees every accepted channel before it is handed to an I/O
 * loop: it applies the per-IP cap, gives the connection its id (so ids follow the accept order), and counts it. The
 * {@link #initializer} then builds the endpoint on the I/O loop.
 */
final class NettyListener implements ClientListener {

    /** Builds the pipeline of an accepted channel: optional TLS, then the endpoint. */
    @FunctionalInterface
    interface PipelineFactory {
        void build(Channel channel, long id);
    }

    private static final Logger LOG = LoggerFactory.getLogger(NettyListener.class);
    private static final AttributeKey<Long> ID = AttributeKey.valueOf(NettyListener.class, "id");
    private static final long CLOSE_WAIT_MS = 5_000;

    private final NettyTransport transport;
    private final String kind;
    private final int maxConnectionsPerIp;
    private final PipelineFactory pipelines;
    private final Set<Channel> connections = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<InetAddress, Integer> connectionsPerIp = new ConcurrentHashMap<>();
    private volatile Channel serverChannel;
    private volatile InetSocketAddress boundAddress;
    private volatile boolean closed;

    NettyListener(NettyTransport transport, String kind, int maxConnectionsPerIp, PipelineFactory pipelines) {
        this.transport = transport;
        this.kind = kind;
        this.maxConnectionsPerIp = maxConnectionsPerIp;
        this.pipelines = pipelines;
    }

    void bound(Channel channel) {
        this.serverChannel = channel;
        this.boundAddress = (InetSocketAddress) channel.localAddress();
    }

    Gate gate() {
        return new Gate();
    }

    ChannelInitializer<Channel> initializer() {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel channel) {
                Long id = channel.attr(ID).get();
                if (closed || transport.isClosing() || id == null) {
                    channel.close(); // the listener closed while this one was on its way to its loop
                    return;
                }
                pipelines.build(channel, id);
            }
        };
    }

    @Override
    public InetSocketAddress localAddress() {
        return boundAddress;
    }

    String kind() {
        return kind;
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
        Channel server = serverChannel;
        if (server != null) {
            server.close();
        }
        for (Channel connection : List.copyOf(connections)) {
            NettyEndpoint endpoint = connection.pipeline().get(NettyEndpoint.class);
            if (endpoint != null) {
                endpoint.close();
            } else if (connection.isRegistered()) {
                connection.close();
            }
        }
        if (server != null && !transport.inAnyLoop()) {
            server.closeFuture().awaitUninterruptibly(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
        }
        transport.listenerClosed(this);
        LOG.info("Stopped listening for {} connections on {}", kind, boundAddress);
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

    private void release(Channel connection, InetAddress ip) {
        if (connections.remove(connection)) {
            connectionsPerIp.computeIfPresent(ip, (address, count) -> count <= 1 ? null : count - 1);
        }
    }

    @Override
    public String toString() {
        return kind + " listener on " + boundAddress;
    }

    /** On the listening channel's pipeline, ahead of Netty's acceptor: sees accepted channels in accept order. */
    final class Gate extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel connection = (Channel) msg;
            InetSocketAddress remote = (InetSocketAddress) connection.remoteAddress();
            if (closed || remote == null) {
                connection.unsafe().closeForcibly(); // not registered with any loop yet
                return;
            }
            InetAddress ip = remote.getAddress();
            if (!acquire(ip)) {
                LOG.warn("Too many connections from {} - max is {}; closing the new one from {}",
                        ip.getHostAddress(), maxConnectionsPerIp, remote);
                connection.unsafe().closeForcibly();
                return;
            }
            connections.add(connection);
            connection.closeFuture().addListener(f -> release(connection, ip));
            connection.attr(ID).set(transport.nextId());
            ctx.fireChannelRead(connection); // Netty's acceptor registers it with an I/O loop
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // accept failures (typically out of file descriptors); Netty's acceptor pauses accepting for a second
            LOG.warn("{}: accept failed: {}", NettyListener.this, cause.toString());
            ctx.fireExceptionCaught(cause);
        }
    }
}
