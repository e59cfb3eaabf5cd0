package io.paddock.transport.netty.internal;

import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.paddock.transport.netty.core.NettyOptions.EpollMode;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two event loop groups of a transport, native epoll or java.nio, and the matching channel classes. Threads are
 * daemons named {@code paddock-netty-accept} and {@code paddock-netty-io-<n>}, and are started at once, so a broken
 * native library fails here and not on the first connection.
 */
final class EventLoops {
    private static final Logger LOG = LoggerFactory.getLogger(EventLoops.class);

    final EventLoopGroup accept;
    final EventLoopGroup io;
    final boolean epoll;
    final ChannelFactory<ServerChannel> serverChannels;
    final ChannelFactory<SocketChannel> socketChannels;

    EventLoops(EpollMode mode, int ioThreads) {
        this.epoll = useEpoll(mode);
        if (epoll) {
            serverChannels = EpollServerSocketChannel::new;
            socketChannels = EpollSocketChannel::new;
        } else {
            serverChannels = NioServerSocketChannel::new;
            socketChannels = NioSocketChannel::new;
        }
        accept = new MultiThreadIoEventLoopGroup(1, threads("paddock-netty-accept", false), handlers());
        try {
            io = new MultiThreadIoEventLoopGroup(ioThreads, threads("paddock-netty-io-", true), handlers());
        } catch (RuntimeException | Error e) {
            accept.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
        for (EventExecutor loop : accept) {
            loop.execute(() -> { });
        }
        for (EventExecutor loop : io) {
            loop.execute(() -> { });
        }
    }

    private IoHandlerFactory handlers() {
        return epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    private static boolean useEpoll(EpollMode mode) {
        switch (mode) {
            case OFF:
                return false;
            case REQUIRED:
                if (!Epoll.isAvailable()) {
                    throw new IllegalArgumentException("transport.epoll=true, but native epoll is not available here: "
                            + Epoll.unavailabilityCause(), Epoll.unavailabilityCause());
                }
                return true;
            default:
                if (Epoll.isAvailable()) {
                    return true;
                }
                LOG.debug("native epoll not available, using java.nio: {}", String.valueOf(Epoll.unavailabilityCause()));
                return false;
        }
    }

    /** Whether the calling thread is one of these loops (then it must not wait for them). */
    boolean inAnyLoop() {
        for (EventExecutor loop : io) {
            if (loop.inEventLoop()) {
                return true;
            }
        }
        for (EventExecutor loop : accept) {
            if (loop.inEventLoop()) {
                return true;
            }
        }
        return false;
    }

    private static ThreadFactory threads(String name, boolean numbered) {
        AtomicInteger next = new AtomicInteger();
        return task -> {
            // FastThreadLocalThread: Netty's thread-locals (allocator caches) are fast and freed when it ends
            Thread thread = new FastThreadLocalThread(task, numbered ? name + next.getAndIncrement() : name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
