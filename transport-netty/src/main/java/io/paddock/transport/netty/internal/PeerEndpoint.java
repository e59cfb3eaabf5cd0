package io.paddock.transport.netty.internal;

import io.netty.channel.Channel;
import io.paddock.api.transport.PeerLink;
import io.paddock.api.transport.PeerLinkAcceptor;
import io.paddock.api.transport.PeerLinkHandler;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A framed link to another server, dialled ({@code acceptor == null}) or accepted. Reading is never paused for
 * output: two servers that both stopped reading while waiting for the other to read would deadlock, so the bound is
 * left to the caller through {@link #pendingOutboundBytes()}.
 *
 * <p>With TLS ({@code sslQuorum}) a link opens only once the handshake, with both certificates checked, succeeded: the
 * acceptor never hears of a peer that failed it, and {@code connectToPeer} waits for {@link #ready()}.
 */
final class PeerEndpoint extends NettyEndpoint implements PeerLink {

    private static final Logger LOG = LoggerFactory.getLogger(PeerEndpoint.class);
    private static final int HEADER_BYTES = 4;

    private final PeerLinkAcceptor acceptor;
    private final NettyTransport transport;
    private PeerLinkHandler handler; // event loop (set before reading starts)
    private final CompletableFuture<Void> ready = new CompletableFuture<>();

    /** A dialled link: its owner knows it from the start and hears of its close. */
    static PeerEndpoint dialled(long id, Channel channel, Settings settings, NettyTransport transport,
            PeerLinkHandler handler, boolean tls) {
        return new PeerEndpoint(id, channel, settings, transport, handler, null, tls);
    }

    /** An accepted link; {@code acceptor} picks its handler on the event loop. */
    static PeerEndpoint accepted(long id, Channel channel, Settings settings, NettyTransport transport,
            PeerLinkAcceptor acceptor, boolean tls) {
        return new PeerEndpoint(id, channel, settings, transport, null, acceptor, tls);
    }

    private PeerEndpoint(long id, Channel channel, Settings settings, NettyTransport transport,
            PeerLinkHandler handler, PeerLinkAcceptor acceptor, boolean tls) {
        // a dialled TLS link is the caller's only once the handshake succeeded (connectToPeer waits for it)
        super(id, channel, settings, transport, false, acceptor == null && !tls, tls);
        this.handler = handler;
        this.acceptor = acceptor;
        this.transport = transport;
    }

    /**
     * Copies {@code payload} (position to limit) behind a length prefix and queues it. The caller's buffer is left
     * untouched, so one buffer can be sent to several peers.
     *
     * @throws IllegalArgumentException if the payload is larger than {@code peerFrameBytesMax}: the other side
     *                                  would drop the link on it
     */
    @Override
    public void send(ByteBuffer payload) {
        int length = payload.remaining();
        if (length > settings.peerFrameBytesMax()) {
            throw new IllegalArgumentException("peer message of " + length + " bytes exceeds peerFrameBytesMax "
                    + settings.peerFrameBytesMax());
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

    /**
     * Completes when the link is open (after the TLS handshake, if any); fails with the reason if it closed before,
     * for example with the {@code SSLException} of a refused certificate.
     */
    CompletableFuture<Void> ready() {
        return ready;
    }

    @Override
    void onReady() {
        ready.complete(null);
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
        if (!ready.isDone()) {
            ready.completeExceptionally(cause != null ? cause : new ClosedChannelException());
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
    int frameBytesMax() {
        return settings.peerFrameBytesMax();
    }

    @Override
    public String toString() {
        return (acceptor == null ? "peer link #" + id + " to " : "peer link #" + id + " from ") + remoteAddress();
    }
}
