package io.paddock.transport.netty.internal;

import io.netty.channel.Channel;
import io.paddock.api.transport.PeerLink;
import io.paddock.api.transport.PeerLinkAcceptor;
import io.paddock.api.transport.PeerLinkHandler;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A framed link to another server, dialled ({@code acceptor == null}) or accepted. Reading is never paused for
 * output: two servers that both stopped reading while waiting for the other to read would deadlock, so the bound is
 * left to the caller through {@link #pendingOutboundBytes()}.
 */
final class PeerEndpoint extends NettyEndpoint implements PeerLink {

    private static final Logger LOG = LoggerFactory.getLogger(PeerEndpoint.class);
    private static final int HEADER_BYTES = 4;

    private final PeerLinkAcceptor acceptor;
    private final NettyTransport transport;
    private PeerLinkHandler handler; // event loop (set before reading starts)

    /** A dialled link: its owner knows it from the start and hears of its close. */
    static PeerEndpoint dialled(long id, Channel channel, Settings settings, NettyTransport transport,
            PeerLinkHandler handler) {
        return new PeerEndpoint(id, channel, settings, transport, handler, null);
    }

    /** An accepted link; {@code acceptor} picks its handler on the event loop. */
    static PeerEndpoint accepted(long id, Channel channel, Settings settings, NettyTransport transport,
            PeerLinkAcceptor acceptor) {
        return new PeerEndpoint(id, channel, settings, transport, null, acceptor);
    }

    private PeerEndpoint(long id, Channel channel, Settings settings, NettyTransport transport,
            PeerLinkHandler handler, PeerLinkAcceptor acceptor) {
        super(id, channel, settings, transport, false, acceptor == null);
        this.handler = handler;
        this.acceptor = acceptor;
        this.transport = transport;
    }

    /**
     * Copies {@code payload} (position to limit) behind a length prefix and queues it. The caller's buffer is left
     * untouched, so one buffer can be sent to several peers.
     *
     * @throws IllegalArgumentException if the payload is larger than {@code maxFrameBytes}: the other side would
     *                                  drop the link on it
     */
    @Override
    public void send(ByteBuffer payload) {
        int length = payload.remaining();
        if (length > settings.maxFrameBytes()) {
            throw new IllegalArgumentException(
                    "peer message of " + length + " bytes exceeds maxFrameBytes " + settings.maxFrameBytes());
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
        if (acceptor == null) {
            transport.dialledPeerClosed(this);
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
    public String toString() {
        return (acceptor == null ? "peer link #" + id + " to " : "peer link #" + id + " from ") + remoteAddress();
    }
}
