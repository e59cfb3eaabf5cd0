package io.paddock.transport.nio.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {

    private static final int MAX = 1024;

    private final List<String> frames = new ArrayList<>();
    private final FrameDecoder.FrameSink collect = payload -> {
        frames.add(text(payload));
        return true;
    };

    @Test
    void manyFramesInOneBufferComeOutInOrder() {
        FrameDecoder decoder = new FrameDecoder(MAX, true);
        DecodeOutcome outcome = decoder.feed(wrap(frame("one"), frame("two"), frame(""), frame("three")), collect);
        assertSame(DecodeOutcome.NEED_MORE, outcome);
        assertEquals(List.of("one", "two", "", "three"), frames);
        assertEquals(0, decoder.bufferCapacity(), "nothing is held once every frame went out");
    }

    @Test
    void framesFedByteByByteAreReassembled() {
        FrameDecoder decoder = new FrameDecoder(MAX, true);
        byte[] stream = concat(frame("alpha"), frame(""), frame("x".repeat(700)), frame("omega"));
        for (byte b : stream) {
            assertSame(DecodeOutcome.NEED_MORE, decoder.feed(ByteBuffer.wrap(new byte[] {b}), collect));
        }
        assertEquals(List.of("alpha", "", "x".repeat(700), "omega"), frames);
        assertEquals(0, decoder.bufferedBytes());
    }

    @Test
    void frameOfExactlyTheLimitIsAccepted() {
        FrameDecoder decoder = new FrameDecoder(MAX, true);
        decoder.feed(wrap(frame("z".repeat(MAX))), collect);
        assertEquals(1, frames.size());
        assertEquals(MAX, frames.get(0).length());
    }

    @Test
    void claimedLengthOverTheLimitEndsDecodingWithoutHoldingAnything() {
        for (int claimed : new int[] {MAX + 1, Integer.MAX_VALUE, -1, Integer.MIN_VALUE}) {
            FrameDecoder decoder = new FrameDecoder(MAX, false);
            DecodeOutcome outcome = decoder.feed(ByteBuffer.allocate(6).putInt(0, claimed), collect);
            assertEquals(new DecodeOutcome.BadLength(claimed), outcome);
            assertEquals(0, decoder.bufferCapacity());
            assertThrows(IllegalStateException.class, () -> decoder.feed(ByteBuffer.allocate(1), collect));
        }
        assertTrue(frames.isEmpty());
    }

    @Test
    void badLengthSplitAcrossFeedsIsCaughtWhenTheHeaderCompletes() {
        FrameDecoder decoder = new FrameDecoder(MAX, false);
        assertSame(DecodeOutcome.NEED_MORE, decoder.feed(ByteBuffer.wrap(new byte[] {0x7f, (byte) 0xff}), collect));
        assertTrue(decoder.bufferCapacity() <= 4, "only the header bytes are held before the length is checked");
        DecodeOutcome outcome = decoder.feed(ByteBuffer.wrap(new byte[] {(byte) 0xff, (byte) 0xff, 1, 2}), collect);
        assertEquals(new DecodeOutcome.BadLength(Integer.MAX_VALUE), outcome);
    }

    @Test
    void stalledHalfFrameHoldsNoMoreThanWhatArrivedAndNeverMoreThanTheFrame() {
        int max = 1_048_575;
        int length = 1_000_000;
        FrameDecoder decoder = new FrameDecoder(max, false);
        ByteBuffer header = ByteBuffer.allocate(14).putInt(length);
        header.position(0);
        decoder.feed(header, collect);
        assertTrue(decoder.bufferCapacity() <= 256, "a claimed 1 MB frame with 10 bytes sent pins "
                + decoder.bufferCapacity());
        int received = 14;
        byte[] chunk = new byte[10_000];
        while (received + chunk.length < length + 4) {
            decoder.feed(ByteBuffer.wrap(chunk), collect);
            received += chunk.length;
            assertTrue(decoder.bufferCapacity() <= 2 * received, "held " + decoder.bufferCapacity()
                    + " for " + received + " received");
            assertTrue(decoder.bufferCapacity() <= length + 4);
        }
        decoder.feed(ByteBuffer.wrap(new byte[length + 4 - received]), collect);
        assertEquals(1, frames.size());
        assertEquals(length, frames.get(0).length());
        assertEquals(0, decoder.bufferCapacity());
    }

    @Test
    void stoppedSinkKeepsTheRestAndDrainDeliversIt() {
        FrameDecoder decoder = new FrameDecoder(MAX, true);
        boolean[] stop = {true};
        FrameDecoder.FrameSink pausing = payload -> {
            frames.add(text(payload));
            return !stop[0];
        };
        byte[] tail = frame("four");
        ByteBuffer src = wrap(frame("one"), frame("two"), frame("three"), java.util.Arrays.copyOf(tail, 5));
        assertSame(DecodeOutcome.STOPPED, decoder.feed(src, pausing));
        assertEquals(List.of("one"), frames);
        assertEquals(0, src.remaining(), "the caller's buffer is free for reuse");

        assertSame(DecodeOutcome.STOPPED, decoder.drain(pausing));
        assertEquals(List.of("one", "two"), frames);

        stop[0] = false;
        assertSame(DecodeOutcome.NEED_MORE, decoder.drain(pausing));
        assertEquals(List.of("one", "two", "three"), frames);
        assertEquals(5, decoder.bufferedBytes(), "the partial fourth frame is kept");
        assertTrue(decoder.bufferCapacity() <= 256);

        decoder.feed(ByteBuffer.wrap(tail, 5, tail.length - 5), pausing);
        assertEquals(List.of("one", "two", "three", "four"), frames);
    }

    @Test
    void fourLetterWordIsRecognisedBeforeTheFirstFrameEvenWhenSplit() {
        FrameDecoder decoder = new FrameDecoder(MAX, true);
        assertSame(DecodeOutcome.NEED_MORE, decoder.feed(ascii("ru"), collect));
        assertEquals(new DecodeOutcome.FourLetterWord("ruok"), decoder.feed(ascii("ok"), collect));
        assertTrue(frames.isEmpty());
    }

    @Test
    void fourLettersAfterTheFirstFrameAreALength() {
        FrameDecoder decoder = new FrameDecoder(MAX, true);
        DecodeOutcome outcome = decoder.feed(wrap(frame("hello"), "ruok".getBytes(StandardCharsets.US_ASCII)),
                collect);
        assertEquals(List.of("hello"), frames);
        assertEquals(new DecodeOutcome.BadLength(0x72756f6b), outcome);
    }

    @Test
    void onlyLowercaseLettersMakeAFourLetterWord() {
        assertInstanceOf(DecodeOutcome.BadLength.class, new FrameDecoder(MAX, true).feed(ascii("RUOK"), collect));
        assertInstanceOf(DecodeOutcome.BadLength.class, new FrameDecoder(MAX, true).feed(ascii("ru0k"), collect));
        assertInstanceOf(DecodeOutcome.BadLength.class, new FrameDecoder(MAX, false).feed(ascii("ruok"), collect));
    }

    @Test
    void randomSplitsAndPausesNeverLoseReorderOrDuplicateFrames() {
        long seed = new Random().nextLong();
        try {
            Random random = new Random(seed);
            for (int round = 0; round < 200; round++) {
                runRandomRound(random);
            }
        } catch (AssertionError e) {
            throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
        }
    }

    private void runRandomRound(Random random) {
        frames.clear();
        List<String> sent = new ArrayList<>();
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        int count = 1 + random.nextInt(20);
        for (int i = 0; i < count; i++) {
            String payload = i + ":" + "p".repeat(random.nextInt(random.nextBoolean() ? 10 : MAX - 8));
            sent.add(payload);
            stream.writeBytes(frame(payload));
        }
        byte[] bytes = stream.toByteArray();
        FrameDecoder decoder = new FrameDecoder(MAX, true);
        boolean[] paused = {false};
        FrameDecoder.FrameSink sink = payload -> {
            frames.add(text(payload));
            paused[0] = random.nextInt(4) == 0;
            return !paused[0];
        };
        int at = 0;
        while (at < bytes.length || decoder.bufferedBytes() > 0) {
            if (paused[0]) {
                paused[0] = false;
                decoder.drain(sink); // resumeReading: held frames first
                continue;
            }
            if (at == bytes.length) {
                decoder.drain(sink);
                if (!paused[0]) {
                    break;
                }
                continue;
            }
            int n = Math.min(bytes.length - at, 1 + random.nextInt(random.nextBoolean() ? 8 : 3000));
            decoder.feed(ByteBuffer.wrap(bytes, at, n), sink);
            at += n;
        }
        assertEquals(sent, frames);
        assertEquals(0, decoder.bufferedBytes());
    }

    static byte[] frame(String payload) {
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
    }

    private static ByteBuffer wrap(byte[]... parts) {
        return ByteBuffer.wrap(concat(parts));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static String text(ByteBuffer payload) {
        byte[] bytes = new byte[payload.remaining()];
        payload.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
