package io.paddock.server;

import io.paddock.api.transport.Connection;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** A transport connection in memory: frames the server sends are queued for the test to read. */
final class FakeConnection implements Connection {
    private static final AtomicLong IDS = new AtomicLong();
    final BlockingQueue<ByteBuffer> sent = new LinkedBlockingQueue<>();
    final AtomicBoolean open = new AtomicBoolean(true);
    final AtomicBoolean closeAfterFlush = new AtomicBoolean();
    volatile boolean paused;
    private final long id = IDS.incrementAndGet();

    @Override
    public long id() {
        return id;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return new InetSocketAddress("127.0.0.1", 40000 + (int) id);
    }

    @Override
    public InetSocketAddress localAddress() {
        return new InetSocketAddress("127.0.0.1", 2181);
    }

    @Override
    public void send(ByteBuffer frame) {
        if (open.get()) {
            sent.add(frame);
        }
    }

    @Override
    public void pauseReading() {
        paused = true;
    }

    @Override
    public void resumeReading() {
        paused = false;
    }

    @Override
    public long pendingOutboundBytes() {
        return 0;
    }

    @Override
    public void closeAfterFlush() {
        closeAfterFlush.set(true);
    }

    @Override
    public void close() {
        open.set(false);
    }

    @Override
    public boolean isOpen() {
        return open.get() && !closeAfterFlush.get();
    }

    /** The next frame's payload (length prefix checked and stripped). */
    ByteBuffer next() throws InterruptedException {
        ByteBuffer f = sent.poll(5, TimeUnit.SECONDS);
        if (f == null) {
            throw new AssertionError("no frame from the server within 5 s");
        }
        f = f.slice();
        int len = f.getInt();
        if (len != f.remaining()) {
            throw new AssertionError("frame length " + len + " but " + f.remaining() + " bytes follow");
        }
        return f.slice();
    }
}
