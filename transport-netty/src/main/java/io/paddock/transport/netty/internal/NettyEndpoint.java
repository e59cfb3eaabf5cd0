package io.paddock.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connected channel: framing in, queued output, read pausing and the close protocol. It is the last handler of
 * the channel's pipeline (after the {@code SslHandler} on a secure port).
 *
 * <p>Threads: everything that touches the pipeline, the cumulation buffer or calls the owner runs on the channel's
 * event loop. {@link #enqueue}, {@link #pauseReading}, {@link #resumeReading}, {@link #close} and
 * {@link #closeAfterFlush} may be called from any thread; they change flags and post to the loop.
 *
 * <p>Output: callers add buffers to a per-connection queue in the order of their calls; the loop moves the whole
 * queue into the pipeline with one flush. A caller on the loop itself drains the queue at once, which still writes
 * whatever other threads queued before it first, so the order of calls is the order on the wire. Answers written
 * while a read burst is being delivered (requests answered on the I/O thread) are flushed once, when the burst ends.
 * Netty copies heap buffers into pooled direct ones when it writes them.
 *
 * <p>Input: reads are cumulated in one pooled buffer that grows by doubling as bytes arrive, never because of a claimed
 * length, which is checked as soon as its four bytes are there. Complete frames are handed over as views of that
 * buffer. While reading is paused, frames already read stay in it and go out, in order, before anything new is read.
 * Once everything is delivered the buffer is released, so an idle connection holds none.
 *
 * <p>Reading (Netty's auto-read) is off while the owner paused it, while output is over its bound (client connections
 * only), or once a close was requested. After {@link #closeAfterFlush} (and after a four-letter word) input is read and
 * dropped, up to {@link #DRAIN_BYTES_MAX}, so that unread bytes do not turn the close into a reset that would destroy
 * the reply in the client's receive buffer.
 */
abstract class NettyEndpoint extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(NettyEndpoint.class);
    private static final int HEADER_BYTES = 4;
    /** Input dropped while a closing connection drains; past this, reading stops. */
    static final int DRAIN_BYTES_MAX = 256 * 1024;
    private static final Object FLUSH_THEN_CLOSE_MARK = new Object();

    private static final int OPEN = 0;
    private static final int FLUSH_THEN_CLOSE = 1;
    private static final int CLOSING = 2;

    final long id;
    final Channel channel;
    // a dialled channel has no addresses until it is connected: read from the channel once, then kept past the close
    private volatile InetSocketAddress remoteAddress;
    private volatile InetSocketAddress localAddress;
    final Settings settings;
    private final NettyTransport transport;
    private final boolean fourLetterWords;

    private final Queue<Object> outbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drain;
    private final AtomicLong pendingBytes = new AtomicLong();
    private final AtomicInteger state = new AtomicInteger(OPEN);
    private volatile boolean userPaused;
    private volatile Throwable closeCause;

    // event loop only
    private ChannelHandlerContext ctx;
    private ByteBuf cumulation;
    private boolean frameDelivered;
    private boolean inputDone;
    private boolean inputShutdown;
    private boolean outputPaused;
    private boolean opened; // the owner knows this endpoint, so it must hear of the close
    private boolean awaitingTls; // opens on the TLS handshake's success, not on channelActive
    private boolean finished;
    private boolean delivering;
    private boolean draining;
    private boolean drainAgain; // a send arrived while draining (from a callback the writes set off)
    private boolean inRead; // between channelRead and channelReadComplete
    private boolean flushPending; // written during a read burst, flushed once it ends
    private final Runnable flushIfPending = this::flushIfPending;
    private boolean flushCloseStarted;
    private long discardedBytes;
    private long lingerDeadlineNanos;
    private ScheduledFuture<?> lingerTimer;

    NettyEndpoint(long id, Channel channel, Settings settings, NettyTransport transport, boolean fourLetterWords,
            boolean ownerKnowsAlready) {
        this(id, channel, settings, transport, fourLetterWords, ownerKnowsAlready, false);
    }

    /**
     * @param openAfterTls the endpoint opens (tells its owner, delivers frames) only once the {@code SslHandler} in
     *                     front of it reports a successful handshake; a failed handshake closes it without any
     *                     callback (TLS peer links: an unauthenticated peer is never seen by the owner)
     */
    NettyEndpoint(long id, Channel channel, Settings settings, NettyTransport transport, boolean fourLetterWords,
            boolean ownerKnowsAlready, boolean openAfterTls) {
        this.awaitingTls = openAfterTls;
        this.id = id;
        this.channel = channel;
        remoteAddress();
        localAddress();
        this.settings = settings;
        this.transport = transport;
        this.fourLetterWords = fourLetterWords;
        this.opened = ownerKnowsAlready;
    }

    // ---- hooks --------------------------------------------------------------------------------------------------

    /**
     * The channel is active: tell the owner (unless it made this endpoint itself, like a dialled peer link). Returns
     * {@code false} to close without any close callback (an acceptor that refused the link).
     */
    abstract boolean onOpened();

    /** One payload, valid only during the call; exceptions close the endpoint. */
    abstract void onFrame(ByteBuffer payload);

    /** The first four bytes were lowercase letters (client connections only). */
    void onFourLetterWord(String command) {
        throw new IllegalStateException("four-letter word on " + this);
    }

    /** Closed; tell the owner if {@code opened}. Called once, on the loop. */
    abstract void onClosed(boolean opened, Throwable cause);

    /** Whether unsent output over the bound pauses reading (client connections). */
    abstract boolean pausesOnOutputBound();

    /** The frame limit of this endpoint: {@code maxFrameBytes} for clients, {@code peerFrameBytesMax} for peers. */
    abstract int frameBytesMax();

    // ---- any thread ---------------------------------------------------------------------------------------------

    /** Queues bytes as they are (the caller framed them); never blocks; dropped once closing. */
    final void enqueue(ByteBuffer bytes) {
        Objects.requireNonNull(bytes, "frame");
        if (!bytes.hasRemaining()) {
            return;
        }
        if (state.get() != OPEN) {
            LOG.trace("{}: dropping {} bytes sent after close", this, bytes.remaining());
            return;
        }
        pendingBytes.addAndGet(bytes.remaining());
        outbox.add(bytes);
        scheduleDrain();
    }

    public final long pendingOutboundBytes() {
        return state.get() == CLOSING ? 0 : Math.max(0, pendingBytes.get());
    }

    public final void pauseReading() {
        userPaused = true;
        onLoop(this::updateAutoRead);
    }

    public final void resumeReading() {
        userPaused = false;
        onLoop(this::resumeDelivery);
    }

    public final void closeAfterFlush() {
        if (state.compareAndSet(OPEN, FLUSH_THEN_CLOSE)) {
            outbox.add(FLUSH_THEN_CLOSE_MARK);
            scheduleDrain();
        }
    }

    public final void close() {
        requestClose(null);
    }

    public final boolean isOpen() {
        return state.get() != CLOSING && channel.isActive();
    }

    public final long id() {
        return id;
    }

    public final InetSocketAddress remoteAddress() {
        InetSocketAddress address = remoteAddress;
        if (address == null) {
            address = (InetSocketAddress) channel.remoteAddress();
            remoteAddress = address;
        }
        return address;
    }

    public final InetSocketAddress localAddress() {
        InetSocketAddress address = localAddress;
        if (address == null) {
            address = (InetSocketAddress) channel.localAddress();
            localAddress = address;
        }
        return address;
    }

    /** Closes at once with {@code cause} (handed to peer handlers), dropping queued output. */
    final void requestClose(Throwable cause) {
        if (cause != null && closeCause == null) {
            closeCause = cause;
        }
        if (state.getAndSet(CLOSING) == CLOSING) {
            return;
        }
        channel.close(); // thread-safe; Netty fails (drops) whatever was not written yet
    }

    private void scheduleDrain() {
        if (channel.eventLoop().inEventLoop()) {
            drain();
        } else if (drainScheduled.compareAndSet(false, true)) {
            try {
                channel.eventLoop().execute(drainTask);
            } catch (RejectedExecutionException e) {
                outbox.clear(); // the transport is shut down; so is the channel
            }
        }
    }

    private void onLoop(Runnable task) {
        try {
            channel.eventLoop().execute(task);
        } catch (RejectedExecutionException e) {
            LOG.trace("{}: loop already stopped", this);
        }
    }

    // ---- event loop ---------------------------------------------------------------------------------------------

    /** Moves the queue into the pipeline, in order, and flushes once. */
    private void drain() {
        drainScheduled.set(false);
        if (ctx == null) {
            return; // unreachable: the context is set before the owner can see this endpoint
        }
        if (draining) {
            drainAgain = true; // the drain further up this stack goes round once more
            return;
        }
        draining = true;
        try {
            do {
                drainAgain = false;
                drainOnce();
            } while (drainAgain);
        } finally {
            draining = false;
        }
    }

    private void drainOnce() {
        boolean wrote = false;
        // one completion per batch: Netty completes writes in order, so when the last one is done, so are the rest
        long batchBytes = 0;
        ByteBuf last = null;
        Object item;
        while ((item = outbox.poll()) != null) {
            if (item == FLUSH_THEN_CLOSE_MARK) {
                if (state.get() == FLUSH_THEN_CLOSE && !flushCloseStarted) {
                    if (last != null) {
                        writeLast(last, batchBytes);
                        last = null;
                        batchBytes = 0;
                    }
                    startFlushThenClose();
                    wrote = false; // flushed with it
                }
                continue;
            }
            ByteBuffer bytes = (ByteBuffer) item;
            int size = bytes.remaining();
            if (state.get() == CLOSING || flushCloseStarted || finished) {
                pendingBytes.addAndGet(-size); // sent after a close: dropped
                continue;
            }
            if (last != null) {
                ctx.write(last, ctx.voidPromise()); // a failure reaches exceptionCaught, which closes
            }
            last = Unpooled.wrappedBuffer(bytes); // a view: nothing to release
            batchBytes += size;
            wrote = true;
        }
        if (last != null) {
            writeLast(last, batchBytes);
        }
        if (!wrote) {
            return;
        }
        if (inRead) {
            // answers to a burst of pipelined requests go out in one write when the burst is done
            if (!flushPending) {
                flushPending = true;
                try {
                    ctx.executor().execute(flushIfPending); // in case no channelReadComplete follows
                } catch (RejectedExecutionException e) {
                    flushIfPending(); // the loop is shutting down
                }
            }
        } else {
            ctx.flush();
        }
    }

    private void writeLast(ByteBuf last, long batchBytes) {
        ctx.write(last, ctx.newPromise().addListener(f -> pendingBytes.addAndGet(-batchBytes)));
    }

    private void flushIfPending() {
        if (flushPending) {
            flushPending = false;
            ctx.flush();
        }
    }

    private void startFlushThenClose() {
        flushCloseStarted = true;
        inputDone = true;
        releaseCumulation();
        lingerDeadlineNanos = settings.ticker().nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.handshakeTimeoutMs());
        lingerTimer = ctx.executor().schedule(this::checkLinger, settings.handshakeTimeoutMs(), TimeUnit.MILLISECONDS);
        // completes once everything written before it is on the wire
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
            if (state.get() != CLOSING) {
                LOG.debug("{}: output flushed; closing", this);
                requestClose(null);
            }
        });
        updateAutoRead();
    }

    private void checkLinger() {
        if (finished || state.get() == CLOSING) {
            return;
        }
        long leftNanos = lingerDeadlineNanos - settings.ticker().nanoTime();
        if (leftNanos <= 0) {
            LOG.debug("{}: output not drained within the linger time; closing", this);
            requestClose(new IOException("output not drained before close"));
        } else {
            lingerTimer = ctx.executor().schedule(this::checkLinger, recheckDelayMs(leftNanos), TimeUnit.MILLISECONDS);
        }
    }

    /** Delay before re-checking a deadline the ticker says is {@code leftNanos} away. */
    final long recheckDelayMs(long leftNanos) {
        return Math.max(1, Math.min(settings.tickMs(), TimeUnit.NANOSECONDS.toMillis(leftNanos) + 1));
    }

    @Override
    public final void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
    }

    @Override
    public final void channelActive(ChannelHandlerContext context) {
        if (state.get() == CLOSING) {
            context.close(); // closed before it became active; channelInactive reports it
            return;
        }
        remoteAddress();
        localAddress();
        if (!awaitingTls) {
            open();
        }
        context.fireChannelActive();
    }

    /** Tells the owner (or asks the acceptor) and starts reading for it. */
    private void open() {
        boolean keep;
        try {
            keep = onOpened();
        } catch (RuntimeException e) {
            LOG.warn("{}: opening handler failed; closing", this, e);
            opened = false; // the owner never took it, so no close callback either
            requestClose(e);
            return;
        }
        if (!keep) {
            opened = false;
            requestClose(null);
            return;
        }
        opened = true;
        onReady();
        if (cumulation != null) {
            deliver(); // bytes that came with the end of the TLS handshake
        }
        updateAutoRead();
    }

    /** The endpoint is open and its owner knows it (after {@link #onOpened}); on the loop. */
    void onReady() {}

    @Override
    public final void channelRead(ChannelHandlerContext context, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        inRead = true;
        if (inputDone || finished || state.get() != OPEN) {
            discardedBytes += in.readableBytes();
            in.release();
            if (discardedBytes > DRAIN_BYTES_MAX) {
                updateAutoRead();
            }
            return;
        }
        cumulate(in);
        deliver();
        updateAutoRead();
    }

    @Override
    public final void channelReadComplete(ChannelHandlerContext context) {
        inRead = false;
        flushIfPending();
        context.fireChannelReadComplete();
    }

    @Override
    public final void channelWritabilityChanged(ChannelHandlerContext context) {
        if (pausesOnOutputBound()) {
            boolean paused = !channel.isWritable();
            if (paused != outputPaused) {
                outputPaused = paused;
                if (paused) {
                    LOG.debug("{}: {} bytes unsent, over the bound of {}; reading paused", this,
                            pendingOutboundBytes(), settings.outboundBytesMax());
                    updateAutoRead();
                } else {
                    LOG.debug("{}: output drained to {} bytes; reading resumed", this, pendingOutboundBytes());
                    resumeDelivery();
                }
            }
        }
        context.fireChannelWritabilityChanged();
    }

    @Override
    public final void userEventTriggered(ChannelHandlerContext context, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            inputShutdown = true;
            if (state.get() == OPEN) {
                // the remote end of stream closes the connection at once, as ZooKeeper does; a half-closed client
                // waiting for a four-letter word's answer or a close-after-flush keeps its output until it is sent
                LOG.debug("{}: closed by the remote side", this);
                remoteClosed();
            } else {
                updateAutoRead();
            }
        } else if (event instanceof SslHandshakeCompletionEvent handshake) {
            if (!handshake.isSuccess()) {
                LOG.debug("{}: TLS handshake failed: {}", this, String.valueOf(handshake.cause()));
                requestClose(handshake.cause());
            } else if (awaitingTls) {
                awaitingTls = false;
                if (state.get() == OPEN) {
                    open();
                }
            }
        }
        context.fireUserEventTriggered(event);
    }

    @Override
    public final void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        if (!(cause instanceof SSLException) && cause.getCause() instanceof SSLException tls) {
            cause = tls; // the SslHandler wraps it in a DecoderException; the refused certificate is the useful part
        }
        LOG.debug("{}: {}", this, cause.toString());
        requestClose(cause);
    }

    @Override
    public final void channelInactive(ChannelHandlerContext context) {
        finish();
        context.fireChannelInactive();
    }

    @Override
    public final void handlerRemoved(ChannelHandlerContext context) {
        releaseCumulation();
    }

    /** Sets Netty's auto-read to what the state allows. */
    final void updateAutoRead() {
        if (finished) {
            return;
        }
        boolean want;
        if (state.get() == CLOSING) {
            want = false;
        } else if (inputDone || state.get() == FLUSH_THEN_CLOSE) {
            want = !inputShutdown && discardedBytes <= DRAIN_BYTES_MAX; // read and drop, see the class comment
        } else {
            want = readAllowed();
        }
        if (channel.config().isAutoRead() != want) {
            channel.config().setAutoRead(want);
        }
    }

    private boolean readAllowed() {
        return !userPaused && !outputPaused && state.get() == OPEN && !inputDone && !finished;
    }

    /** Delivers frames held while reading was paused, then reads again. */
    private void resumeDelivery() {
        if (finished) {
            return;
        }
        if (readAllowed() && cumulation != null) {
            deliver();
        }
        updateAutoRead();
    }

    private void cumulate(ByteBuf in) {
        if (cumulation == null) {
            cumulation = in;
            return;
        }
        try {
            int incoming = in.readableBytes();
            if (cumulation.writableBytes() < incoming) {
                // move the unread rest into a buffer that fits it and the new bytes; growth doubles, so a peer that
                // claims a large frame and sends slowly holds at most about twice what it really sent
                int held = cumulation.readableBytes();
                int capacity = ctx.alloc().calculateNewCapacity(held + incoming, Integer.MAX_VALUE);
                ByteBuf bigger = ctx.alloc().buffer(capacity);
                bigger.writeBytes(cumulation, cumulation.readerIndex(), held);
                cumulation.release();
                cumulation = bigger;
            }
            cumulation.writeBytes(in);
        } finally {
            in.release();
        }
    }

    /** Hands every complete frame to the owner while reading is allowed. */
    private void deliver() {
        if (delivering) {
            return; // the owner resumed from inside a frame callback; the outer loop carries on
        }
        delivering = true;
        try {
            while (cumulation != null && readAllowed() && !awaitingTls) {
                int readable = cumulation.readableBytes();
                if (readable < HEADER_BYTES) {
                    break;
                }
                int at = cumulation.readerIndex();
                if (fourLetterWords && !frameDelivered && isFourLetterWord(cumulation, at)) {
                    String command = cumulation.toString(at, HEADER_BYTES, StandardCharsets.US_ASCII);
                    inputDone = true;
                    frameDelivered = true;
                    releaseCumulation();
                    onFourLetterWord(command);
                    return;
                }
                int length = cumulation.getInt(at);
                if (length < 0 || length > frameBytesMax()) {
                    LOG.warn("Closing {}: frame length {} is outside 0..{} (the limit derived from jute.maxbuffer)",
                            this, length, frameBytesMax());
                    inputDone = true;
                    releaseCumulation();
                    requestClose(new IOException("frame length " + length + " out of range"));
                    return;
                }
                if (readable - HEADER_BYTES < length) {
                    break;
                }
                ByteBuffer payload = cumulation.nioBuffer(at + HEADER_BYTES, length);
                cumulation.readerIndex(at + HEADER_BYTES + length);
                frameDelivered = true;
                try {
                    onFrame(payload);
                } catch (RuntimeException e) {
                    LOG.warn("{}: handler failed on a frame; closing", this, e);
                    requestClose(e);
                    return;
                }
            }
        } finally {
            delivering = false;
            if (cumulation != null && !cumulation.isReadable()) {
                releaseCumulation();
            }
        }
    }

    private static boolean isFourLetterWord(ByteBuf buf, int at) {
        for (int i = 0; i < HEADER_BYTES; i++) {
            byte b = buf.getByte(at + i);
            if (b < 'a' || b > 'z') {
                return false;
            }
        }
        return true;
    }

    final boolean frameDelivered() {
        return frameDelivered;
    }

    /** The remote side ended its stream while the connection was open. */
    private void remoteClosed() {
        Throwable cause = null;
        if (cumulation != null && cumulation.isReadable()) {
            cause = new EOFException("connection closed inside a frame (" + cumulation.readableBytes()
                    + " bytes held)");
        }
        requestClose(cause);
    }

    private void releaseCumulation() {
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
    }

    /** The channel is closed: release everything and tell the owner once. */
    private void finish() {
        if (finished) {
            return;
        }
        boolean remoteEnd = state.getAndSet(CLOSING) == OPEN && closeCause == null && !transport.isClosing();
        if (remoteEnd && cumulation != null && cumulation.isReadable()) {
            // the channel closed without our asking: an end of stream (or reset) inside a frame
            closeCause = new EOFException("connection closed inside a frame (" + cumulation.readableBytes()
                    + " bytes held)");
        }
        finished = true;
        releaseCumulation();
        if (lingerTimer != null) {
            lingerTimer.cancel(false);
        }
        outbox.clear();
        Throwable cause = closeCause;
        if (cause instanceof ClosedChannelException) {
            cause = null;
        }
        if (cause == null) {
            LOG.debug("{}: closed", this);
        } else {
            LOG.debug("{}: closed: {}", this, cause.toString());
        }
        boolean toldOwner = opened;
        opened = false;
        onClosed(toldOwner, cause);
    }

    final boolean isFinished() {
        return finished;
    }

    final ChannelHandlerContext context() {
        return ctx;
    }
}
