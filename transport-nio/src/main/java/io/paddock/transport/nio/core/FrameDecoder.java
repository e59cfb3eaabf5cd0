package io.paddock.transport.nio.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Splits a byte stream into {@code int length + payload} frames. Thread-unsafe and free of I/O: the caller reads
 * from the socket into a buffer of its own (shared by many connections) and feeds it here.
 *
 * <p>Frames that lie completely inside the fed buffer are handed to the sink as slices of it, without copying. Only
 * the bytes that cannot be delivered yet are copied into a private stash:
 * <ul>
 *   <li>the start of a frame whose rest has not arrived; the stash grows by doubling as bytes arrive, and never past
 *       that frame's own size, which is checked against {@code maxFrameBytes} before anything beyond the 4-byte
 *       header is held. A peer that claims a big frame and stalls pins only what it really sent (at most twice);</li>
 *   <li>what was left when the sink said stop (the caller paused reading); that is at most one fed buffer, and
 *       {@link #drain} delivers it later.</li>
 * </ul>
 * When the stash empties it is released, so an idle connection holds no buffer at all.
 *
 * <p>Four-letter words: when enabled and no frame has been delivered yet, a first int made of four bytes in
 * {@code 'a'..'z'} ends decoding with {@link DecodeOutcome.FourLetterWord} instead of being taken as a length.
 */
public final class FrameDecoder {

    /** Receives complete payloads, valid only during the call. */
    @FunctionalInterface
    public interface FrameSink {
        /** Returns {@code true} to receive the next frame now, {@code false} to stop until {@link #drain}. */
        boolean frame(ByteBuffer payload);
    }

    private static final int HEADER_BYTES = 4;
    private static final int MIN_GROWTH_BYTES = 256;

    private final int maxFrameBytes;
    private final boolean fourLetterWords;
    private boolean frameDelivered;
    private boolean finished;
    /** Undelivered bytes at {@code [0, position)}, write mode; {@code null} when there are none. */
    private ByteBuffer stash;

    public FrameDecoder(int maxFrameBytes, boolean fourLetterWords) {
        if (maxFrameBytes < 0) {
            throw new IllegalArgumentException("maxFrameBytes < 0: " + maxFrameBytes);
        }
        this.maxFrameBytes = maxFrameBytes;
        this.fourLetterWords = fourLetterWords;
    }

    /**
     * Delivers every complete frame from the stash and then from {@code src} (read mode), keeping what cannot be
     * delivered. {@code src} is fully consumed unless the outcome ends decoding. Call it only when the sink is ready
     * to take frames; a decoder fed while stopped keeps everything it is given.
     */
    public DecodeOutcome feed(ByteBuffer src, FrameSink sink) {
        checkNotFinished();
        if (stash != null) {
            DecodeOutcome outcome = drainStash(sink);
            if (outcome == DecodeOutcome.NEED_MORE && stash != null) {
                // the stash now holds the start of exactly one frame: complete it from src
                outcome = completeStashedFrame(src, sink);
                if (outcome == DecodeOutcome.NEED_MORE && stash != null) {
                    return outcome; // src was used up and the frame is still incomplete
                }
            }
            if (outcome != DecodeOutcome.NEED_MORE) {
                return keepRestIfStopped(outcome, src);
            }
        }
        return keepRestIfStopped(deliver(src, sink), src);
    }

    /** Delivers complete frames that are already held (after the sink had stopped). */
    public DecodeOutcome drain(FrameSink sink) {
        checkNotFinished();
        return stash == null ? DecodeOutcome.NEED_MORE : drainStash(sink);
    }

    /** Bytes held but not delivered yet. */
    public int bufferedBytes() {
        return stash == null ? 0 : stash.position();
    }

    /** Capacity of the private buffer, 0 when none is held; lets tests check the memory bound. */
    public int bufferCapacity() {
        return stash == null ? 0 : stash.capacity();
    }

    /** Whether any frame was delivered yet. */
    public boolean frameDelivered() {
        return frameDelivered;
    }

    /** Drops what is held; the decoder must not be used afterwards. */
    public void release() {
        stash = null;
        finished = true;
    }

    private DecodeOutcome keepRestIfStopped(DecodeOutcome outcome, ByteBuffer src) {
        if (outcome == DecodeOutcome.NEED_MORE || outcome == DecodeOutcome.STOPPED) {
            int rest = src.remaining();
            if (rest > 0) {
                append(src, rest, bufferedBytes() + rest);
            }
        }
        return outcome;
    }

    /** Delivers the complete frames of {@code buf} (read mode) from its position on. */
    private DecodeOutcome deliver(ByteBuffer buf, FrameSink sink) {
        while (buf.remaining() >= HEADER_BYTES) {
            int at = buf.position();
            DecodeOutcome bad = checkHeader(buf, at);
            if (bad != null) {
                return bad;
            }
            int length = buf.getInt(at);
            if (buf.remaining() - HEADER_BYTES < length) {
                return DecodeOutcome.NEED_MORE;
            }
            ByteBuffer payload = buf.slice(at + HEADER_BYTES, length);
            buf.position(at + HEADER_BYTES + length);
            frameDelivered = true;
            if (!sink.frame(payload)) {
                return DecodeOutcome.STOPPED;
            }
        }
        return DecodeOutcome.NEED_MORE;
    }

    private DecodeOutcome drainStash(FrameSink sink) {
        ByteBuffer held = stash;
        held.flip();
        DecodeOutcome outcome = deliver(held, sink);
        if (finished) {
            return outcome;
        }
        if (!held.hasRemaining()) {
            stash = null;
        } else if (held.position() == 0) {
            // nothing delivered: back to write mode, keep the buffer as it is
            held.position(held.limit()).limit(held.capacity());
        } else {
            // some frames went out: keep only the rest, in a buffer of its size
            stash = null;
            append(held, held.remaining(), held.remaining());
        }
        return outcome;
    }

    /** The stash holds the first bytes of one frame; moves from {@code src} just the bytes that frame still needs. */
    private DecodeOutcome completeStashedFrame(ByteBuffer src, FrameSink sink) {
        int held = stash.position();
        if (held < HEADER_BYTES) {
            int take = Math.min(HEADER_BYTES - held, src.remaining());
            append(src, take, HEADER_BYTES);
            if (stash.position() < HEADER_BYTES) {
                return DecodeOutcome.NEED_MORE;
            }
        }
        DecodeOutcome bad = checkHeader(stash, 0);
        if (bad != null) {
            return bad;
        }
        int length = stash.getInt(0);
        int total = HEADER_BYTES + length;
        int take = Math.min(total - stash.position(), src.remaining());
        append(src, take, total);
        if (stash.position() < total) {
            return DecodeOutcome.NEED_MORE;
        }
        ByteBuffer frame = stash;
        stash = null;
        frameDelivered = true;
        return sink.frame(frame.slice(HEADER_BYTES, length)) ? DecodeOutcome.NEED_MORE : DecodeOutcome.STOPPED;
    }

    /** Returns {@code null} when the int at {@code index} is a valid length, else the outcome that ends decoding. */
    private DecodeOutcome checkHeader(ByteBuffer buf, int index) {
        if (fourLetterWords && !frameDelivered && isLowerAscii(buf.get(index)) && isLowerAscii(buf.get(index + 1))
                && isLowerAscii(buf.get(index + 2)) && isLowerAscii(buf.get(index + 3))) {
            byte[] word = new byte[HEADER_BYTES];
            buf.get(index, word);
            release();
            return new DecodeOutcome.FourLetterWord(new String(word, StandardCharsets.US_ASCII));
        }
        int length = buf.getInt(index);
        if (length < 0 || length > maxFrameBytes) {
            release();
            return new DecodeOutcome.BadLength(length);
        }
        return null;
    }

    private static boolean isLowerAscii(byte b) {
        return b >= 'a' && b <= 'z';
    }

    /** Copies {@code count} bytes from {@code src} into the stash, which may grow up to {@code capacityMax}. */
    private void append(ByteBuffer src, int count, int capacityMax) {
        int needed = bufferedBytes() + count;
        if (stash == null) {
            stash = ByteBuffer.allocate(Math.min(capacityMax, Math.max(needed, MIN_GROWTH_BYTES)));
        } else if (stash.capacity() < needed) {
            int grown = Math.min(capacityMax, Math.max(needed, 2 * stash.capacity()));
            ByteBuffer bigger = ByteBuffer.allocate(grown);
            stash.flip();
            bigger.put(stash);
            stash = bigger;
        }
        int from = src.position();
        stash.put(stash.position(), src, from, count);
        stash.position(stash.position() + count);
        src.position(from + count);
    }

    private void checkNotFinished() {
        if (finished) {
            throw new IllegalStateException("decoder finished (four-letter word, bad length or released)");
        }
    }
}
