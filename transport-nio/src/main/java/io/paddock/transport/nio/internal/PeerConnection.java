package io.paddock.transport.nio.internal;

import io.paddock.api.transport.PeerLink;
import io.paddock.api.transport.PeerLinkAcceptor;
import io.paddock.api.transport.PeerLinkHandler;
import io.paddock.transport.nio.core.FrameDecoder;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A framed link to another server, dialled ({@code acceptor == null}) or accepted. Reading is never paused for
 * output: two servers that both stopped reading while waiting for the other to read would deadlock, so the bound is
 * left to the caller through {@link #pendingOutboundBytes()}.
 */
final class PeerConnection extends NioEndpoint implements PeerLink {

    private static final Logger LOG = LoggerFactory.getLogger(PeerConnection.class);
    private static final int HEADER_BYTES = 4;

    private final PeerLinkAcceptor acceptor;
    private final NioListener listener;
    private final NioTransport transport;
    private final int maxFrameBytes; // TransportConfig.peerFrameBytesMax()
    private PeerLinkHandler handler; // loop thread (set before reading starts)

    /** A dialled link. */
    PeerConnection(long id, IoLoop loop, SocketChannel channel, InetSocketAddress remoteAddress,
            InetSocketAddress localAddress, NioTransport.Settings settings, PeerLinkHandler handler,
            NioTransport transport) {
        this(id, loop, channel, remoteAddress, localAddress, settings, handler, null, null, transport);
    }

    /** An accepted link; {@code acceptor} picks its handler on the loop thread. */
    PeerConnection(long id, IoLoop loop, SocketChannel channel, InetSocketAddress remoteAddress,
            InetSocketAddress localAddress, NioTransport.Settings settings, PeerLinkAcceptor acceptor,
            NioListener listener) {
        this(id, loop, channel, remoteAddress, localAddress, settings, null, acceptor, listener, null);
    }

    private PeerConnection(long id, IoLoop loop, SocketChannel channel, InetSocketAddress remoteAddress,
            InetSocketAddress localAddress, NioTransport.Settings settings, PeerLinkHandler handler,
            PeerLinkAcceptor acceptor, NioListener listener, NioTransport transport) {
        super(id, loop, channel, remoteAddress, localAddress,
                new FrameDecoder(settings.peerFrameBytesMax(), false), settings.outboundBytesMax(),
                settings.handshakeTimeoutMs(), acceptor == null);
        this.handler = handler;
        this.acceptor = acceptor;
        this.listener = listener;
        this.transport = transport;
        this.maxFrameBytes = settings.peerFrameBytesMax();
    }

    /**
     * Copies {@code payload} (position to limit) behind a length prefix and queues it. The caller's buffer is left
     * untouched, so one buffer can be sent to several peers.
     *
     * @throws IllegalArgumentException if the payload is larger than {@code peerFrameBytesMax}: the other side would
     *                                  drop the link on it
     */
    @Override
    public void send(ByteBuffer payload) {
        int length = payload.remaining();
        if (length > maxFrameBytes) {
            throw new IllegalArgumentException(
                    "peer message of " + length + " bytes exceeds peerFrameBytesMax " + maxFrameBytes);
        }
        ByteBuffer framed = ByteBuffer.allocate(HEADER_BYTES + length);
        framed.putInt(length).put(payload.duplicate()).flip();
        enqueue(framed);
    }

    @Override
    boolean onOpened() {
        if (acceptor != null) {
            PeerLinkHandler chosen = acceptor.accepted(this);
            if (chosen == null) {
                LOG.debug("{}: refused by the acceptor", this);
                finishClose(null);
                return false;
            }
            handler = chosen;
        }
        LOG.debug("{}: open", this);
        return true;
    }

    @Override
    void onFrame(ByteBuffer payload) {
        handler.messageReceived(this, payload);
    }

    @Override
    void onClosed(boolean opened, Throwable cause) {
        if (listener != null) {
            listener.removed(this);
        } else {
            transport.peerClosed(this);
        }
        if (opened && handler != null) {
            try {
                handler.linkClosed(this, cause);
            } catch (RuntimeException e) {
                LOG.warn("{}: linkClosed handler failed", this, e);
            }
        }
    }

    @Override
    boolean pausesOnOutputBound() {
        return false;
    }

    @Override
    int maxFrameBytes() {
        return maxFrameBytes;
    }

    @Override
    public String toString() {
        return (acceptor == null ? "peer link #" + id + " to " : "peer link #" + id + " from ") + remoteAddress;
    }
}
