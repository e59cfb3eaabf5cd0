package io.paddock.transport.netty.internal;

import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import io.paddock.api.transport.Connection;
import io.paddock.api.transport.ConnectionHandler;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A connection accepted on a client port (plain or TLS): four-letter words, handshake timeout, output bound. */
final class ClientEndpoint extends NettyEndpoint implements Connection {

    private static final Logger LOG = LoggerFactory.getLogger(ClientEndpoint.class);

    private final ConnectionHandler handler;
    private final boolean secure;

    // event loop only
    private Object attachment;
    private boolean handshakeDone;
    private long handshakeDeadlineNanos;
    private ScheduledFuture<?> handshakeTimer;

    ClientEndpoint(long id, Channel channel, Settings settings, NettyTransport transport, ConnectionHandler handler,
            boolean secure) {
        super(id, channel, settings, transport, true, false);
        this.handler = handler;
        this.secure = secure;
    }

    @Override
    public void send(ByteBuffer frame) {
        enqueue(frame);
    }

    @Override
    boolean onOpened() {
        handshakeDeadlineNanos = settings.ticker().nanoTime()
                + TimeUnit.MILLISECONDS.toNanos(settings.handshakeTimeoutMs());
        handshakeTimer = context().executor().schedule(this::checkHandshake, settings.handshakeTimeoutMs(),
                TimeUnit.MILLISECONDS);
        LOG.debug("{}: accepted", this);
        attachment = handler.connectionOpened(this);
        return true;
    }

    /** A client connection that has not delivered a first frame (or a four-letter word) in time is closed. */
    private void checkHandshake() {
        if (handshakeDone || isFinished()) {
            return;
        }
        long leftNanos = handshakeDeadlineNanos - settings.ticker().nanoTime();
        if (leftNanos <= 0) {
            LOG.warn("Closing {}: no complete first frame within the handshake timeout of {} ms", this,
                    settings.handshakeTimeoutMs());
            requestClose(new SocketTimeoutException("handshake timeout"));
        } else {
            handshakeTimer = context().executor().schedule(this::checkHandshake, recheckDelayMs(leftNanos),
                    TimeUnit.MILLISECONDS);
        }
    }

    private void handshakeDone() {
        if (!handshakeDone) {
            handshakeDone = true;
            if (handshakeTimer != null) {
                handshakeTimer.cancel(false);
                handshakeTimer = null;
            }
        }
    }

    @Override
    void onFrame(ByteBuffer payload) {
        handshakeDone();
        handler.frameReceived(this, attachment, payload);
    }

    @Override
    void onFourLetterWord(String command) {
        handshakeDone();
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
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
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
    int frameBytesMax() {
        return settings.maxFrameBytes();
    }

    @Override
    public String toString() {
        return (secure ? "secure client connection #" : "client connection #") + id + " from " + remoteAddress();
    }
}
