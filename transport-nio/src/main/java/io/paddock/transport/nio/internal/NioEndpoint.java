package io.paddock.transport.nio.internal;

import io.paddock.transport.nio.core.DecodeOutcome;
import io.paddock.transport.nio.core.FrameDecoder;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connected socket on one {@link IoLoop}: framing in, queued output, read pausing and the close protocol.
 *
 * <p>Threads: everything that touches the selection key, the decoder or calls the handler runs on the loop thread.
 * {@link #enqueue}, {@link #pauseReading}, {@link #resumeReading}, {@link #close} and {@link #closeAfterFlush} may be
 * called from any thread; they change flags and post a task to the loop.
 *
 * <p>Output: a caller that finds the queue empty writes straight to the socket under {@code outLock} (no loop
 * round trip for the common small reply); whatever the socket does not take is queued and written by the loop on
 * {@code OP_WRITE}, many queued frames per system call, coalesced in the loop's direct write buffer. All writes happen
 * under {@code outLock}, which keeps the order of calls. Heap buffers larger than
 * {@link #DIRECT_WRITE_HEAP_BYTES_MAX} are always left to the loop, so that no caller thread gets a large temporary
 * direct buffer cached by the JDK.
 *
 * <p>Reading stops while any of these holds: the owner paused it, the output is over its bound (client connections
 * only), a close was requested, or input is finished (four-letter word). Frames already read stay in the decoder and
 * are delivered as soon as reading is allowed again.
 */
abstract class NioEndpoint implements LoopMember, FrameDecoder.FrameSink {

    private static final Logger LOG = LoggerFactory.getLogger(NioEndpoint.class);
    /** Reads per readiness event, so that one busy connection cannot starve the others of its loop. */
    private static final int READS_PER_EVENT_MAX = 8;
    /** Largest heap buffer a caller thread writes itself (see the class comment). */
    private static final int DIRECT_WRITE_HEAP_BYTES_MAX = 64 * 1024;

    final long id;
    final IoLoop loop;
    final SocketChannel channel;
    final InetSocketAddress remoteAddress;
    final InetSocketAddress localAddress;
    private final FrameDecoder decoder;
    private final long outboundBytesMax;
    private final long lingerNanos;

    private final Object outLock = new Object();
    private final ArrayDeque<ByteBuffer> outbound = new ArrayDeque<>(); // guarded by outLock
    private volatile long pendingBytes; // written under outLock
    private volatile boolean flushThenClose; // written under outLock
    private volatile boolean closeRequested; // written under outLock
    private volatile boolean userPaused;
    private volatile boolean outputPaused;

    // loop thread only
    private SelectionKey key;
    private boolean opened; // the owner knows this endpoint, so it must hear of the close
    private boolean closed;
    private boolean inputDone;
    private long lingerDeadlineNanos;
    private volatile boolean open = true; // for isOpen() from other threads

    NioEndpoint(long id, IoLoop loop, SocketChannel channel, InetSocketAddress remoteAddress,
            InetSocketAddress localAddress, FrameDecoder decoder, long outboundBytesMax, long lingerMs,
            boolean ownerKnowsAlready) {
        this.id = id;
        this.opened = ownerKnowsAlready;
        this.loop = loop;
        this.channel = channel;
        this.remoteAddress = remoteAddress;
        this.localAddress = localAddress;
        this.decoder = decoder;
        this.outboundBytesMax = outboundBytesMax;
        this.lingerNanos = TimeUnit.MILLISECONDS.toNanos(lingerMs);
    }

    // ---- hooks --------------------------------------------------------------------------------------------------

    /**
     * Registered and about to be read: tell the owner (unless it made this endpoint itself, like a dialled peer
     * link). Returns {@code false} if the endpoint closed itself.
     */
    abstract boolean onOpened();

    /** One payload; exceptions close the endpoint. */
    abstract void onFrame(ByteBuffer payload);

    /** The decoder saw a four-letter word (client connections only). */
    void onFourLetterWord(String command) {
        throw new IllegalStateException("four-letter word on " + this);
    }

    /**
     * The socket is closed; release bookkeeping and, if {@code opened} (the owner knows this endpoint), tell the
     * owner. Called once.
     */
    abstract void onClosed(boolean opened, Throwable cause);

    /** Whether output over its bound pauses reading. */
    abstract boolean pausesOnOutputBound();

    // ---- any thread ---------------------------------------------------------------------------------------------

    /**
     * Queues bytes as they are; the caller has framed them. Never waits for the socket (at most for another
     * thread's non-blocking write of this endpoint); dropped once closing.
     */
    final void enqueue(ByteBuffer bytes) {
        Objects.requireNonNull(bytes, "frame");
        if (!bytes.hasRemaining()) {
            return;
        }
        boolean poke = false;
        IOException failure = null;
        synchronized (outLock) {
            if (closeRequested || flushThenClose) {
                LOG.trace("{}: dropping {} bytes sent after close", this, bytes.remaining());
                return;
            }
            if (outbound.isEmpty() && (bytes.isDirect() || bytes.remaining() <= DIRECT_WRITE_HEAP_BYTES_MAX)) {
                try {
                    channel.write(bytes);
                } catch (IOException e) {
                    failure = e;
                }
                if (failure == null && !bytes.hasRemaining()) {
                    return;
                }
            }
            if (outbound.isEmpty()) {
                poke = true; // the loop must start watching OP_WRITE
            }
            if (failure == null) {
                outbound.addLast(bytes);
                pendingBytes += bytes.remaining();
                if (pendingBytes > outboundBytesMax && !outputPaused && pausesOnOutputBound()) {
                    outputPaused = true;
                    poke = true;
                    LOG.debug("{}: {} bytes unsent, over the bound of {}; reading paused", this, pendingBytes,
                            outboundBytesMax);
                }
            }
        }
        if (failure != null) {
            requestClose(failure);
        } else if (poke) {
            loop.execute(this::updateInterest);
        }
    }

    public final long pendingOutboundBytes() {
        return pendingBytes;
    }

    public final void pauseReading() {
        userPaused = true;
        loop.execute(this::updateInterest);
    }

    public final void resumeReading() {
        userPaused = false;
        loop.execute(this::resumeDelivery);
    }

    public final void closeAfterFlush() {
        synchronized (outLock) {
            if (closeRequested || flushThenClose) {
                return;
            }
            flushThenClose = true;
        }
        loop.execute(() -> {
            if (closed) {
                return;
            }
            lingerDeadlineNanos = loop.nanoTime() + lingerNanos;
            if (pendingBytes == 0) {
                closeFlushed();
            } else {
                updateInterest();
            }
        });
    }

    public final void close() {
        requestClose(null);
    }

    public final boolean isOpen() {
        return open && !closeRequested;
    }

    public final long id() {
        return id;
    }

    public final InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    public final InetSocketAddress localAddress() {
        return localAddress;
    }

    /** Closes with {@code cause} (handed to peer handlers), dropping queued output. */
    final void requestClose(Throwable cause) {
        synchronized (outLock) {
            if (closeRequested) {
                return;
            }
            closeRequested = true;
            outbound.clear();
            pendingBytes = 0;
        }
        loop.execute(() -> finishClose(cause));
    }

    /**
     * Closes an endpoint that never reached its loop (the loop had stopped). Caller's thread; no owner callback.
     */
    final void abandon() {
        synchronized (outLock) {
            closeRequested = true;
            outbound.clear();
            pendingBytes = 0;
        }
        open = false;
        closeQuietly();
        onClosed(false, null);
    }

    // ---- loop thread --------------------------------------------------------------------------------------------

    /** Registers with the loop's selector; posted through {@link IoLoop#executeIfRunning}. */
    final void register() {
        if (!loop.isRunning() || closeRequested) {
            finishClose(null);
            return;
        }
        try {
            key = channel.register(loop.selector(), 0, this);
        } catch (IOException e) {
            LOG.debug("{}: register failed", this, e);
            finishClose(e);
            return;
        }
        loop.addMember(this);
        opened = true;
        boolean stillOpen;
        try {
            stillOpen = onOpened();
        } catch (RuntimeException e) {
            LOG.warn("{}: opening handler failed; closing", this, e);
            opened = false; // the owner never took it, so no close callback either
            finishClose(e);
            return;
        }
        if (stillOpen && !closed) {
            updateInterest();
        }
    }

    @Override
    public final void ready(SelectionKey selected) {
        if (closed) {
            return;
        }
        int ready = selected.readyOps();
        if ((ready & SelectionKey.OP_WRITE) != 0) {
            flush();
        }
        if (!closed && (ready & SelectionKey.OP_READ) != 0) {
            read();
        }
    }

    @Override
    public void tick(long nowNanos) {
        if (flushThenClose && !closed && lingerDeadlineNanos != 0 && nowNanos - lingerDeadlineNanos >= 0) {
            LOG.debug("{}: output not drained within the linger time; closing", this);
            finishClose(new IOException("output not drained before close"));
        }
    }

    @Override
    public final void failed(Throwable cause) {
        finishClose(cause);
    }

    @Override
    public final void shutdown() {
        finishClose(null);
    }

    /** Sink of the decoder: hands one payload over, then says whether to continue. */
    @Override
    public final boolean frame(ByteBuffer payload) {
        try {
            onFrame(payload);
        } catch (RuntimeException e) {
            LOG.warn("{}: handler failed on a frame; closing", this, e);
            requestClose(e);
            return false;
        }
        return readAllowed();
    }

    private boolean readAllowed() {
        return !userPaused && !outputPaused && !closeRequested && !flushThenClose && !inputDone;
    }

    private void read() {
        ByteBuffer scratch = loop.scratch();
        for (int i = 0; i < READS_PER_EVENT_MAX && readAllowed(); i++) {
            scratch.clear();
            int n;
            try {
                n = channel.read(scratch);
            } catch (IOException e) {
                LOG.debug("{}: read failed: {}", this, e.toString());
                finishClose(e);
                return;
            }
            if (n < 0) {
                endOfStream();
                return;
            }
            if (n == 0) {
                break;
            }
            scratch.flip();
            if (!handle(decoder.feed(scratch, this))) {
                return;
            }
            if (n < scratch.capacity()) {
                break; // the socket is very likely empty now
            }
        }
        updateInterest();
    }

    private void endOfStream() {
        int partial = decoder.bufferedBytes();
        if (partial == 0) {
            LOG.debug("{}: closed by the remote side", this);
            finishClose(null);
        } else {
            LOG.debug("{}: closed by the remote side inside a frame ({} bytes held)", this, partial);
            finishClose(new EOFException("connection closed inside a frame"));
        }
    }

    /** Acts on a decoder outcome; returns {@code false} when reading is over for good. */
    private boolean handle(DecodeOutcome outcome) {
        if (outcome instanceof DecodeOutcome.FourLetterWord word) {
            inputDone = true;
            onFourLetterWord(word.command());
            if (!closed) {
                updateInterest();
            }
            return false;
        }
        if (outcome instanceof DecodeOutcome.BadLength bad) {
            LOG.warn("Closing {}: frame length {} is outside 0..{} (the limit derived from jute.maxbuffer)", this,
                    bad.length(), maxFrameBytes());
            finishClose(new IOException("frame length " + bad.length() + " out of range"));
            return false;
        }
        return !closed;
    }

    /** The frame limit of this endpoint: {@code maxFrameBytes} for clients, {@code peerFrameBytesMax} for peers. */
    abstract int maxFrameBytes();

    /** Delivers frames held while reading was paused, then watches the socket again. */
    private void resumeDelivery() {
        if (closed || key == null) {
            return;
        }
        if (readAllowed() && decoder.bufferedBytes() > 0 && !inputDone) {
            if (!handle(decoder.drain(this))) {
                return;
            }
        }
        updateInterest();
    }

    final void updateInterest() {
        if (closed || key == null || !key.isValid()) {
            return;
        }
        int ops = readAllowed() ? SelectionKey.OP_READ : 0;
        if (pendingBytes > 0) {
            ops |= SelectionKey.OP_WRITE;
        }
        if (key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }

    private void flush() {
        boolean resume = false;
        boolean drained;
        IOException failure = null;
        synchronized (outLock) {
            try {
                while (!outbound.isEmpty()) {
                    if (!writeSome()) {
                        break; // the socket buffer is full; wait for OP_WRITE
                    }
                }
            } catch (IOException e) {
                failure = e;
            }
            if (outputPaused && pendingBytes <= outboundBytesMax / 2) {
                outputPaused = false;
                resume = true;
                LOG.debug("{}: output drained to {} bytes; reading resumed", this, pendingBytes);
            }
            drained = outbound.isEmpty();
        }
        if (failure != null) {
            LOG.debug("{}: write failed: {}", this, failure.toString());
            finishClose(failure);
        } else if (drained && flushThenClose) {
            closeFlushed();
        } else if (resume) {
            resumeDelivery();
        } else {
            updateInterest();
        }
    }

    /**
     * One write system call from the head of the queue (under {@code outLock}, loop thread). Returns whether the
     * socket took everything offered.
     */
    private boolean writeSome() throws IOException {
        ByteBuffer head = outbound.peekFirst();
        ByteBuffer out = loop.writeBuffer();
        long offered;
        long written;
        if (head.isDirect() && head.remaining() >= out.capacity()) {
            offered = head.remaining(); // big and already direct: no copy
            written = channel.write(head);
            head.position(head.position() - (int) written); // consumed below, like the coalesced case
        } else {
            out.clear();
            for (ByteBuffer queued : outbound) {
                int n = Math.min(queued.remaining(), out.remaining());
                out.put(out.position(), queued, queued.position(), n);
                out.position(out.position() + n);
                if (!out.hasRemaining()) {
                    break;
                }
            }
            out.flip();
            offered = out.remaining();
            written = channel.write(out);
        }
        pendingBytes -= written;
        for (long left = written; left > 0; ) {
            ByteBuffer queued = outbound.peekFirst();
            int n = (int) Math.min(left, queued.remaining());
            queued.position(queued.position() + n);
            left -= n;
            if (!queued.hasRemaining()) {
                outbound.pollFirst();
            }
        }
        return written == offered;
    }

    /** Everything was written after {@link #closeAfterFlush}: close without an RST where we can help it. */
    private void closeFlushed() {
        if (closed) {
            return;
        }
        // Unread input (say the "\n" of `echo ruok | nc`) would make the kernel answer with an RST, which may
        // destroy the reply in the client's receive buffer. Swallow a bounded amount of it first.
        ByteBuffer scratch = loop.scratch();
        try {
            for (int i = 0; i < 4; i++) {
                scratch.clear();
                if (channel.read(scratch) <= 0) {
                    break;
                }
            }
        } catch (IOException e) {
            LOG.trace("{}: read before close failed", this, e);
        }
        finishClose(null);
    }

    /** Closes the socket and tells the owner; idempotent. */
    final void finishClose(Throwable cause) {
        if (closed) {
            return;
        }
        closed = true;
        open = false;
        synchronized (outLock) {
            closeRequested = true;
            outbound.clear();
            pendingBytes = 0;
        }
        decoder.release();
        if (key != null) {
            key.cancel();
        }
        closeQuietly();
        loop.removeMember(this);
        boolean toldOwner = opened;
        opened = false;
        if (cause == null || cause instanceof ClosedChannelException) {
            LOG.debug("{}: closed", this);
        } else {
            LOG.debug("{}: closed: {}", this, cause.toString());
        }
        onClosed(toldOwner, cause);
    }

    private void closeQuietly() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.trace("{}: close failed", this, e);
        }
    }

    /** Loop thread only. */
    final boolean isClosed() {
        return closed;
    }
}
