package io.paddock.transport.nio.internal;

import io.paddock.api.transport.Connection;
import io.paddock.api.transport.ConnectionHandler;
import io.paddock.transport.nio.core.FrameDecoder;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A connection accepted on a client port: four-letter words, handshake timeout, output bound. */
final class ClientConnection extends NioEndpoint implements Connection {

    private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);

    private final ConnectionHandler handler;
    private final NioListener listener;
    private final int maxFrameBytes;
    private final int handshakeTimeoutMs;

    // loop thread only
    private Object attachment;
    private boolean handshakeDone;
    private long handshakeDeadlineNanos;

    ClientConnection(long id, IoLoop loop, SocketChannel channel, InetSocketAddress remoteAddress,
            InetSocketAddress localAddress, NioTransport.Settings settings, ConnectionHandler handler,
            NioListener listener) {
        super(id, loop, channel, remoteAddress, localAddress, new FrameDecoder(settings.maxFrameBytes(), true),
                settings.outboundBytesMax(), settings.handshakeTimeoutMs(), false);
        this.handler = handler;
        this.listener = listener;
        this.maxFrameBytes = settings.maxFrameBytes();
        this.handshakeTimeoutMs = settings.handshakeTimeoutMs();
    }

    @Override
    public void send(ByteBuffer frame) {
        enqueue(frame);
    }

    @Override
    boolean onOpened() {
        handshakeDeadlineNanos = loop.nanoTime() + TimeUnit.MILLISECONDS.toNanos(handshakeTimeoutMs);
        LOG.debug("{}: accepted", this);
        attachment = handler.connectionOpened(this);
        return true;
    }

    @Override
    void onFrame(ByteBuffer payload) {
        handshakeDone = true;
        handler.frameReceived(this, attachment, payload);
    }

    @Override
    void onFourLetterWord(String command) {
        handshakeDone = true;
        String answer;
        try {
            answer = handler.fourLetterWord(this, command);
        } catch (RuntimeException e) {
            LOG.warn("{}: four-letter word '{}' failed; closing", this, command, e);
            close();
            return;
        }
        if (answer == null) {
            LOG.debug("{}: '{}' is not a four-letter word the server knows; closing", this, command);
            close();
            return;
        }
        LOG.debug("{}: four-letter word '{}'", this, command);
        enqueue(ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)));
        closeAfterFlush();
    }

    @Override
    void onClosed(boolean opened, Throwable cause) {
        listener.removed(this);
        if (opened) {
            try {
                handler.connectionClosed(this, attachment);
            } catch (RuntimeException e) {
                LOG.warn("{}: connectionClosed handler failed", this, e);
            }
        }
        attachment = null;
    }

    @Override
    boolean pausesOnOutputBound() {
        return true;
    }

    @Override
    int maxFrameBytes() {
        return maxFrameBytes;
    }

    @Override
    public void tick(long nowNanos) {
        super.tick(nowNanos);
        if (!handshakeDone && !isClosed() && nowNanos - handshakeDeadlineNanos >= 0) {
            LOG.warn("Closing {}: no complete first frame within the handshake timeout of {} ms", this,
                    handshakeTimeoutMs);
            finishClose(new SocketTimeoutException("handshake timeout"));
        }
    }

    @Override
    public String toString() {
        return "client connection #" + id + " from " + remoteAddress;
    }
}
