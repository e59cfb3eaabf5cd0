package io.paddock.transport.testkit;

import static io.paddock.transport.testkit.TransportTestSupport.LOOPBACK_ANY_PORT;
import static io.paddock.transport.testkit.TransportTestSupport.MAX_FRAME_BYTES;
import static io.paddock.transport.testkit.TransportTestSupport.await;
import static io.paddock.transport.testkit.TransportTestSupport.frame;
import static io.paddock.transport.testkit.TransportTestSupport.frameBuffer;
import static io.paddock.transport.testkit.TransportTestSupport.listen;
import static io.paddock.transport.testkit.TransportTestSupport.take;
import static io.paddock.transport.testkit.TransportTestSupport.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.paddock.api.transport.ClientListener;
import io.paddock.api.transport.Connection;
import io.paddock.api.transport.PeerLink;
import io.paddock.api.transport.PeerLinkHandler;
import io.paddock.api.transport.Transport;
import io.paddock.api.transport.TransportConfig;
import io.paddock.api.transport.TransportProvider;
import io.paddock.transport.testkit.TransportTestSupport.Client;
import io.paddock.transport.testkit.TransportTestSupport.RecordingHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code Transport} contract (package-info of {@code io.paddock.api.transport}, transport-nio's README) as tests
 * every transport runs: extend this class and return the provider. The groups below are JUnit {@code @Nested}
 * classes, so a provider's report lists them as {@code <Provider>TransportContractTest$Framing} and so on.
 *
 * <p>What it assumes beyond the SPI: the transport's threads are named {@code paddock-<name>-accept} and
 * {@code paddock-<name>-io-<n>} (the thread checks of {@link Lifecycle}), and {@link #extra()} is enough to build a
 * working transport from {@code TransportConfig}. Everything runs on 127.0.0.1, port 0, and polls with deadlines.
 *
 * <p>Threads: the {@link Lifecycle} checks count every live thread whose name starts with the transport's prefix, so
 * a provider's test classes must not run in parallel with each other (surefire's default).
 */
@Timeout(20)
public abstract class TransportContractTest {

    /** The provider under test; a fresh one per call is fine (its constructor does no I/O). */
    protected abstract TransportProvider provider();

    /** The config name the provider must report ({@code nio}, {@code netty}). */
    protected abstract String expectedName();

    /** {@code TransportConfig.extra} for every transport the kit builds (netty: which channels to use). */
    protected Map<String, String> extra() {
        return Map.of();
    }

    /** Prefix of every thread the transport starts. */
    protected String threadPrefix() {
        return "paddock-" + expectedName();
    }

    protected final TransportConfig config(int outboundBytesMax, int handshakeTimeoutMs) {
        return config(2, outboundBytesMax, handshakeTimeoutMs, Map.of());
    }

    protected final TransportConfig config(int ioThreads, int outboundBytesMax, int handshakeTimeoutMs,
            Map<String, String> moreExtra) {
        Map<String, String> all = new HashMap<>(extra());
        all.putAll(moreExtra);
        return new TransportConfig(ioThreads, MAX_FRAME_BYTES, outboundBytesMax, handshakeTimeoutMs, all);
    }

    protected final Transport transport(TransportConfig config) {
        return provider().create(config, System::nanoTime);
    }

    protected final Transport transport() {
        return transport(config(1024 * 1024, 5_000));
    }

    /** Records messages and the (single) close of one link. */
    public static final class Recorder implements PeerLinkHandler {
        public final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        public final BlockingQueue<Optional<Throwable>> closes = new LinkedBlockingQueue<>();
        public final AtomicInteger closeCalls = new AtomicInteger();
        public final Map<PeerLink, AtomicInteger> closeCallsPerLink = new ConcurrentHashMap<>();

        @Override
        public void messageReceived(PeerLink link, ByteBuffer payload) {
            if (closeCallsPerLink.containsKey(link)) {
                messages.add("MESSAGE AFTER CLOSE");
            }
            messages.add(text(payload));
        }

        @Override
        public void linkClosed(PeerLink link, Throwable cause) {
            closeCalls.incrementAndGet();
            closeCallsPerLink.computeIfAbsent(link, l -> new AtomicInteger()).incrementAndGet();
            closes.add(Optional.ofNullable(cause));
        }

        public String next() throws InterruptedException {
            String message = messages.poll(5, TimeUnit.SECONDS);
            if (message == null) {
                fail("no message within 5 s");
            }
            return message;
        }

        public Throwable awaitClose() throws InterruptedException {
            Optional<Throwable> cause = closes.poll(5, TimeUnit.SECONDS);
            if (cause == null) {
                fail("linkClosed not called within 5 s");
            }
            return cause.orElse(null);
        }
    }

    /** Ignores every callback; override the one a test listens for. */
    public static class NoopPeerHandler implements PeerLinkHandler {
        @Override
        public void messageReceived(PeerLink link, ByteBuffer payload) {}

        @Override
        public void linkClosed(PeerLink link, Throwable cause) {}
    }

    /** {@code length} ASCII letters starting at {@code first}, cycling through 26, so a shifted copy differs. */
    protected static String patterned(int length, char first) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append((char) ('a' + (first - 'a' + i) % 26));
        }
        return out.toString();
    }

    /** The UTF-8 bytes of {@code s}. */
    protected static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Client connections: length-prefixed frames in both directions and the frame limit. */
    @Nested
    class Framing {
        private Transport transport;
        private RecordingHandler handler;
        private ClientListener listener;

        @BeforeEach
        void start() throws Exception {
            transport = transport();
            handler = new RecordingHandler().echoing();
            listener = listen(transport, handler);
        }

        @AfterEach
        void stop() {
            transport.close();
            handler.assertContractKept();
        }

        @Test
        void echoRoundTripReturnsThePayload() throws Exception {
            try (Client client = new Client(listener.localAddress())) {
                assertEquals("hello", client.roundTrip("hello"));
                assertEquals("", client.roundTrip(""));
                assertEquals("again", client.roundTrip("again"));
            }
        }

        @Test
        void framesSplitByteByByteArriveIntactAndInOrder() throws Exception {
            try (Client client = new Client(listener.localAddress())) {
                List<String> sent = List.of("first", "", "third-" + "x".repeat(300), "fourth");
                for (String payload : sent) {
                    for (byte b : frame(payload)) {
                        client.write(new byte[] {b});
                    }
                }
                for (String payload : sent) {
                    assertEquals(payload, take(handler.frames, payload).payload());
                    assertEquals(payload, client.readFrame());
                }
            }
        }

        @Test
        void manyFramesInOneWriteArriveInOrder() throws Exception {
            try (Client client = new Client(listener.localAddress())) {
                ByteArrayOutputStream batch = new ByteArrayOutputStream();
                List<String> sent = new ArrayList<>();
                for (int i = 0; i < 2000; i++) {
                    String payload = "frame-" + i;
                    sent.add(payload);
                    batch.writeBytes(frame(payload));
                }
                client.write(batch.toByteArray()); // ~24 KB in one write, read by the server in one or a few reads
                for (String payload : sent) {
                    assertEquals(payload, client.readFrame());
                }
                for (String payload : sent) {
                    assertEquals(payload, take(handler.frames, payload).payload());
                }
            }
        }

        @Test
        void largeFramesSpanningManyReadsArriveIntact() throws Exception {
            try (Client client = new Client(listener.localAddress())) {
                String big = "b".repeat(MAX_FRAME_BYTES); // exactly the limit, more than one read buffer
                ByteArrayOutputStream batch = new ByteArrayOutputStream();
                batch.writeBytes(frame("small"));
                batch.writeBytes(frame(big));
                batch.writeBytes(frame("tail"));
                client.write(batch.toByteArray());
                assertEquals("small", client.readFrame());
                assertEquals(big, client.readFrame());
                assertEquals("tail", client.readFrame());
            }
        }

        @Test
        void claimedLengthOfMaxIntClosesThatConnectionWhileAnotherKeepsWorking() throws Exception {
            try (Client good = new Client(listener.localAddress());
                    Client bad = new Client(listener.localAddress())) {
                assertEquals("before", good.roundTrip("before"));
                bad.write(ByteBuffer.allocate(8).putInt(0x7fffffff).array());
                bad.expectClosedWithoutOutput();
                assertEquals("after", good.roundTrip("after"));
            }
        }

        @Test
        void claimedLengthOneOverTheLimitClosesTheConnection() throws Exception {
            try (Client client = new Client(listener.localAddress())) {
                assertEquals("ok", client.roundTrip("ok"));
                client.write(ByteBuffer.allocate(4).putInt(MAX_FRAME_BYTES + 1).array());
                client.expectClosedWithoutOutput();
            }
            take(handler.closed, "connectionClosed");
        }

        @Test
        void negativeLengthClosesTheConnection() throws Exception {
            try (Client client = new Client(listener.localAddress())) {
                client.write(ByteBuffer.allocate(4).putInt(-1).array());
                client.expectClosedWithoutOutput();
            }
            take(handler.closed, "connectionClosed");
        }
    }

    /** Four-letter words before the first frame. */
    @Nested
    class FourLetterWords {
        private final List<String> asked = new CopyOnWriteArrayList<>();
        private Transport transport;
        private RecordingHandler handler;
        private ClientListener listener;

        @BeforeEach
        void start() throws Exception {
            transport = transport();
            handler = new RecordingHandler().echoing();
            handler.fourLetterWords = command -> {
                asked.add(command);
                return command.equals("ruok") ? "imok" : null;
            };
            listener = listen(transport, handler);
        }

        @AfterEach
        void stop() {
            transport.close();
            handler.assertContractKept();
        }

        @Test
        void ruokGetsTheHandlersAnswerThenEndOfStream() throws Exception {
            try (Client client = new Client(listener.localAddress())) {
                client.write("ruok".getBytes(StandardCharsets.US_ASCII));
                client.socket.shutdownOutput(); // what nc and FourLetterWordMain do
                assertEquals("imok", new String(client.readToEnd(), StandardCharsets.UTF_8));
            }
            assertEquals(List.of("ruok"), asked);
            take(handler.closed, "connectionClosed after the answer");
        }

        @Test
        void answerSurvivesTrailingInputLikeEchoPipedIntoNc() throws Exception {
            try (Client client = new Client(listener.localAddress())) {
                client.write("ruok\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("imok", new String(client.readToEnd(), StandardCharsets.UTF_8));
            }
        }

        @Test
        void unknownWordIsClosedWithoutOutput() throws Exception {
            try (Client client = new Client(listener.localAddress())) {
                client.write("abcd".getBytes(StandardCharsets.US_ASCII));
                client.expectClosedWithoutOutput();
            }
            assertEquals(List.of("abcd"), asked);
            take(handler.closed, "connectionClosed");
        }

        @Test
        void fourLettersAfterAFirstFrameAreATooLargeLength() throws Exception {
            try (Client client = new Client(listener.localAddress())) {
                assertEquals("connect", client.roundTrip("connect"));
                client.write("ruok".getBytes(StandardCharsets.US_ASCII));
                client.expectClosedWithoutOutput();
            }
            assertEquals(List.of(), asked);
        }

        @Test
        void aLongAnswerReachesAClientThatHalfClosedFirst() throws Exception {
            String longAnswer = "x".repeat(4 * 1024 * 1024); // far more than the socket buffers hold at once
            handler.fourLetterWords = command -> command.equals("dump") ? longAnswer : null;
            try (Client client = new Client(listener.localAddress())) {
                client.write("dump".getBytes(StandardCharsets.US_ASCII));
                client.socket.shutdownOutput(); // its end of stream arrives while most of the answer is unsent
                assertEquals(longAnswer.length(), client.readToEnd().length);
            }
            take(handler.closed, "connectionClosed after the answer");
        }
    }

    /** pauseReading / resumeReading and the output bound. */
    @Nested
    class FlowControl {
        private Transport transport;
        private final RecordingHandler handler = new RecordingHandler();

        @AfterEach
        void stop() {
            if (transport != null) {
                transport.close();
            }
            handler.assertContractKept();
        }

        @Test
        void pauseInsideFrameReceivedHoldsBufferedFramesUntilResume() throws Exception {
            transport = transport();
            handler.onFrame = (connection, payload) -> {
                if (payload.equals("pause")) {
                    connection.pauseReading(); // as the server does after a ConnectRequest
                }
            };
            ClientListener listener = listen(transport, handler);
            try (Client client = new Client(listener.localAddress())) {
                ByteArrayOutputStream pipelined = new ByteArrayOutputStream();
                pipelined.writeBytes(frame("pause"));
                pipelined.writeBytes(frame("a"));
                pipelined.writeBytes(frame("b"));
                client.write(pipelined.toByteArray()); // one segment: a and b are read together with pause
                Connection connection = take(handler.frames, "pause").connection();
                handler.assertNoFrameWithin(300);

                client.writeFrame("c"); // arrives while paused: stays in the socket
                handler.assertNoFrameWithin(100);

                connection.resumeReading(); // from another thread than the I/O thread
                assertEquals("a", take(handler.frames, "a").payload());
                assertEquals("b", take(handler.frames, "b").payload());
                assertEquals("c", take(handler.frames, "c").payload());
            }
        }

        @Test
        void pauseFromAnotherThreadStopsDelivery() throws Exception {
            transport = transport();
            ClientListener listener = listen(transport, handler);
            try (Client client = new Client(listener.localAddress())) {
                client.writeFrame("one");
                Connection connection = take(handler.frames, "one").connection();
                connection.pauseReading();
                connection.pauseReading(); // idempotent
                client.writeFrame("two");
                handler.assertNoFrameWithin(300);
                connection.resumeReading();
                assertEquals("two", take(handler.frames, "two").payload());
            }
        }

        @Test
        void slowReaderGetsItsReadsPausedUntilItDrains() throws Exception {
            int outboundBytesMax = 256 * 1024;
            transport = transport(config(outboundBytesMax, 5_000));
            ByteBuffer block = ByteBuffer.allocate(256 * 1024);
            int blocks = 64; // 16 MiB: far more than the kernel buffers can swallow
            AtomicLong pendingAfterFlood = new AtomicLong();
            handler.onFrame = (connection, payload) -> {
                if (payload.equals("flood")) {
                    for (int i = 0; i < blocks; i++) {
                        connection.send(block.duplicate()); // unframed bytes: this client just counts them
                    }
                    pendingAfterFlood.set(connection.pendingOutboundBytes());
                }
            };
            ClientListener listener = listen(transport, handler);
            try (Client client = new Client(listener.localAddress(), 8 * 1024)) {
                client.writeFrame("flood");
                Connection connection = take(handler.frames, "flood").connection();
                assertTrue(pendingAfterFlood.get() > outboundBytesMax,
                        "queued " + pendingAfterFlood.get() + " bytes, more than the bound");
                assertTrue(connection.pendingOutboundBytes() <= (long) blocks * block.capacity());

                client.writeFrame("after the flood");
                handler.assertNoFrameWithin(300); // reading is paused: the frame stays in the socket

                long total = (long) blocks * block.capacity();
                for (long read = 0; read < total; read += 64 * 1024) {
                    client.readExactly(64 * 1024);
                }
                assertEquals("after the flood", take(handler.frames, "after the flood").payload());
                await("every write to be accounted", () -> connection.pendingOutboundBytes() == 0);
            }
        }

        @Test
        void pauseFromConnectionOpenedHoldsEvenTheFirstFrame() throws Exception {
            transport = transport();
            RecordingHandler pausing = new RecordingHandler();
            pausing.onOpen = Connection::pauseReading;
            ClientListener listener = listen(transport, pausing);
            try (Client client = new Client(listener.localAddress())) {
                Connection connection = take(pausing.opened, "opened");
                client.writeFrame("first");
                client.writeFrame("second");
                pausing.assertNoFrameWithin(300);
                connection.resumeReading();
                assertEquals("first", take(pausing.frames, "first").payload());
                assertEquals("second", take(pausing.frames, "second").payload());
            }
            pausing.assertContractKept();
        }

        @Test
        void framesHeldWhilePausedAreDeliveredInOrderAcrossManyPauses() throws Exception {
            transport = transport();
            handler.onFrame = (connection, payload) -> connection.pauseReading(); // one frame per resume
            ClientListener listener = listen(transport, handler);
            try (Client client = new Client(listener.localAddress())) {
                ByteArrayOutputStream burst = new ByteArrayOutputStream();
                for (int i = 0; i < 200; i++) {
                    burst.writeBytes(frame("f" + i));
                }
                client.write(burst.toByteArray());
                for (int i = 0; i < 200; i++) {
                    RecordingHandler.Frame frame = take(handler.frames, "f" + i);
                    assertEquals("f" + i, frame.payload());
                    frame.connection().resumeReading();
                }
            }
        }
    }

    /** The handshake timeout and the per-IP cap. */
    @Nested
    class Limits {
        private static final int HANDSHAKE_TIMEOUT_MS = 400;

        private Transport transport;
        private final RecordingHandler handler = new RecordingHandler().echoing();

        @AfterEach
        void stop() {
            if (transport != null) {
                transport.close();
            }
            handler.assertContractKept();
        }

        @Test
        void stalledHalfFrameIsClosedAtTheHandshakeTimeoutWhileOthersAreServed() throws Exception {
            transport = transport(config(1024 * 1024, HANDSHAKE_TIMEOUT_MS));
            ClientListener listener = transport.listenForClients(LOOPBACK_ANY_PORT, 0, 0, handler);
            try (Client greeted = new Client(listener.localAddress())) {
                assertEquals("hello", greeted.roundTrip("hello"));

                long start = System.nanoTime();
                try (Client stalled = new Client(listener.localAddress())) {
                    stalled.write(Arrays.copyOf(frame("never finished"), 7)); // header and 3 of 14 payload bytes
                    // still open well inside the timeout, and the server keeps serving others meanwhile
                    assertEquals("meanwhile", greeted.roundTrip("meanwhile"));
                    assertFalse(stalled.closedWithin(HANDSHAKE_TIMEOUT_MS / 4));
                    stalled.expectClosedWithoutOutput();
                    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    assertTrue(elapsedMs >= HANDSHAKE_TIMEOUT_MS, "closed after " + elapsedMs + " ms");
                }
                // a connection that completed its first frame is not subject to the timeout
                assertEquals("still here", greeted.roundTrip("still here"));
            }
            assertEquals("hello", take(handler.frames, "hello").payload());
        }

        @Test
        void silentConnectionIsClosedAtTheHandshakeTimeout() throws Exception {
            transport = transport(config(1024 * 1024, HANDSHAKE_TIMEOUT_MS));
            ClientListener listener = transport.listenForClients(LOOPBACK_ANY_PORT, 0, 0, handler);
            try (Client silent = new Client(listener.localAddress())) {
                silent.expectClosedWithoutOutput();
            }
            take(handler.closed, "connectionClosed");
        }

        @Test
        void connectionsPerIpAreCappedAndFreedOnClose() throws Exception {
            transport = transport();
            ClientListener listener = transport.listenForClients(LOOPBACK_ANY_PORT, 0, 2, handler);
            Client first = new Client(listener.localAddress());
            try (Client second = new Client(listener.localAddress())) {
                assertEquals("1", first.roundTrip("1"));
                assertEquals("2", second.roundTrip("2"));
                try (Client third = new Client(listener.localAddress())) {
                    third.writeFrame("3");
                    third.expectClosedWithoutOutput();
                }
                take(handler.opened, "first opened");
                take(handler.opened, "second opened");
                assertNull(handler.opened.poll(), "the third was refused before the handler heard of it");
                assertEquals(2, listener.connectionCount());

                first.close();
                await("the server to notice the closed connection", () -> listener.connectionCount() == 1);
                try (Client fourth = new Client(listener.localAddress())) {
                    assertEquals("4", fourth.roundTrip("4"));
                    assertEquals("2 again", second.roundTrip("2 again"));
                }
            } finally {
                first.close();
            }
        }

        @Test
        void handshakeTimeoutFollowsTheInjectedTicker() throws Exception {
            AtomicLong now = new AtomicLong();
            transport = provider().create(config(1024 * 1024, HANDSHAKE_TIMEOUT_MS), now::get);
            ClientListener listener = transport.listenForClients(LOOPBACK_ANY_PORT, 0, 0, handler);
            try (Client silent = new Client(listener.localAddress())) {
                take(handler.opened, "opened");
                // real time passes the timeout, the transport's clock does not: still open
                assertFalse(silent.closedWithin(3 * HANDSHAKE_TIMEOUT_MS));
                now.addAndGet(TimeUnit.MILLISECONDS.toNanos(HANDSHAKE_TIMEOUT_MS));
                silent.expectClosedWithoutOutput();
            }
            take(handler.closed, "connectionClosed");
        }
    }

    /** Output: order across threads, closeAfterFlush, close, ids. */
    @Nested
    class Sends {
        private Transport transport;
        private final RecordingHandler handler = new RecordingHandler();
        private ClientListener listener;

        @BeforeEach
        void start() throws Exception {
            transport = transport();
            listener = listen(transport, handler);
        }

        @AfterEach
        void stop() {
            transport.close();
            handler.assertContractKept();
        }

        @Test
        void sendsFromManyThreadsKeepEachThreadsOrder() throws Exception {
            int threads = 8;
            int perThread = 3000;
            try (Client client = new Client(listener.localAddress())) {
                Connection connection = take(handler.opened, "opened");
                CountDownLatch go = new CountDownLatch(1);
                List<Thread> senders = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int sender = t;
                    Thread thread = new Thread(() -> {
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            return;
                        }
                        for (int i = 0; i < perThread; i++) {
                            connection.send(ByteBuffer.allocate(12).putInt(8).putInt(sender).putInt(i).flip());
                        }
                    }, "sender-" + t);
                    thread.start();
                    senders.add(thread);
                }
                go.countDown();
                int[] next = new int[threads];
                for (int n = 0; n < threads * perThread; n++) {
                    ByteBuffer frame = ByteBuffer.wrap(client.readExactly(12));
                    assertEquals(8, frame.getInt(), "frames are never interleaved");
                    int sender = frame.getInt();
                    assertEquals(next[sender]++, frame.getInt(), "order of sender " + sender);
                }
                for (Thread thread : senders) {
                    thread.join(TimeUnit.SECONDS.toMillis(5));
                }
                // a transport may account a write a moment after its bytes left (Netty does, on completion)
                await("every write to be accounted", () -> connection.pendingOutboundBytes() == 0);
            }
        }

        @Test
        void closeAfterFlushDeliversEverythingThenEndOfStream() throws Exception {
            try (Client client = new Client(listener.localAddress())) {
                Connection connection = take(handler.opened, "opened");
                ByteArrayOutputStream expected = new ByteArrayOutputStream();
                for (int i = 0; i < 64; i++) {
                    byte[] block = new byte[64 * 1024];
                    java.util.Arrays.fill(block, (byte) i);
                    connection.send(ByteBuffer.wrap(block));
                    expected.writeBytes(block);
                }
                connection.closeAfterFlush();
                connection.send(frameBuffer("dropped: sent after closeAfterFlush"));
                assertArrayEquals(expected.toByteArray(), client.readToEnd());
                assertSame(connection, take(handler.closed, "connectionClosed"));
                assertFalse(connection.isOpen());
            }
        }

        @Test
        void serverCloseCallsConnectionClosedOnceAndDropsLaterSends() throws Exception {
            try (Client client = new Client(listener.localAddress())) {
                client.writeFrame("one");
                Connection connection = take(handler.frames, "one").connection();
                connection.close();
                connection.close();
                assertFalse(connection.isOpen());
                connection.send(frameBuffer("dropped"));
                assertEquals(0, connection.pendingOutboundBytes());
                client.expectClosedWithoutOutput();
                assertSame(connection, take(handler.closed, "connectionClosed"));
                connection.closeAfterFlush(); // harmless after close
            }
            assertTrue(handler.closed.isEmpty());
        }

        @Test
        void clientDisconnectCallsConnectionClosedOnce() throws Exception {
            Connection connection;
            try (Client client = new Client(listener.localAddress())) {
                client.writeFrame("bye");
                connection = take(handler.frames, "bye").connection();
            }
            assertSame(connection, take(handler.closed, "connectionClosed"));
            await("isOpen to turn false", () -> !connection.isOpen());
            assertEquals(0, listener.connectionCount());
        }

        @Test
        void connectionIdsAreUniqueAndIncreaseInAcceptOrder() throws Exception {
            List<Client> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 6; i++) {
                    clients.add(new Client(listener.localAddress())); // connected one after the other
                }
                List<Connection> opened = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    opened.add(take(handler.opened, "opened")); // two I/O threads: any order
                }
                opened.sort(java.util.Comparator.comparingLong(Connection::id));
                Set<Long> ids = new HashSet<>();
                for (int i = 0; i < 6; i++) {
                    Connection connection = opened.get(i);
                    assertTrue(ids.add(connection.id()));
                    assertEquals(listener.localAddress(), connection.localAddress());
                    assertEquals(clients.get(i).socket.getLocalPort(), connection.remoteAddress().getPort(),
                            "ids follow the accept order");
                }
            } finally {
                for (Client client : clients) {
                    client.close();
                }
            }
        }
    }

    /** Peer links: framing, close reporting, the peer frame limit ({@code TransportConfig.peerFrameBytesMax()}). */
    @Nested
    class PeerLinks {
        private Transport serverSide;
        private Transport clientSide;
        private final BlockingQueue<PeerLink> accepted = new LinkedBlockingQueue<>();
        private final Recorder acceptedRecorder = new Recorder();
        private ClientListener peerPort;

        @BeforeEach
        void start() throws Exception {
            serverSide = transport();
            clientSide = transport();
            peerPort = serverSide.listenForPeers(LOOPBACK_ANY_PORT, link -> {
                accepted.add(link);
                return acceptedRecorder;
            });
        }

        @AfterEach
        void stop() {
            clientSide.close();
            serverSide.close();
            acceptedRecorder.closeCallsPerLink.forEach(
                    (link, calls) -> assertEquals(1, calls.get(), "linkClosed once per link"));
        }

        @Test
        void peersExchangeMessagesBothWaysInOrder() throws Exception {
            Recorder dialler = new Recorder();
            PeerLink out = clientSide.connectToPeer(peerPort.localAddress(), 2_000, dialler);
            assertEquals(peerPort.localAddress(), out.remoteAddress());
            for (int i = 0; i < 500; i++) {
                out.send(utf8("to-server-" + i));
            }
            PeerLink in = accepted.poll(5, TimeUnit.SECONDS);
            assertTrue(in != null && in.isOpen());
            for (int i = 0; i < 500; i++) {
                in.send(utf8("to-client-" + i));
            }
            for (int i = 0; i < 500; i++) {
                assertEquals("to-server-" + i, acceptedRecorder.next());
                assertEquals("to-client-" + i, dialler.next());
            }
            out.send(utf8("")); // empty messages are messages too
            assertEquals("", acceptedRecorder.next());
            assertEquals(1, peerPort.connectionCount());
        }

        @Test
        void closingOneSideReportsANormalCloseOnBothSides() throws Exception {
            Recorder dialler = new Recorder();
            PeerLink out = clientSide.connectToPeer(peerPort.localAddress(), 2_000, dialler);
            out.send(utf8("hi"));
            assertEquals("hi", acceptedRecorder.next());
            out.close();
            assertFalse(out.isOpen());
            assertNull(dialler.awaitClose(), "closed locally: no cause");
            assertNull(acceptedRecorder.awaitClose(), "closed cleanly by the other side: no cause");
            assertEquals(1, dialler.closeCalls.get());
            out.send(utf8("dropped after close"));
            assertEquals(0, out.pendingOutboundBytes());
        }

        @Test
        void dialledLinkClosedBeforeItsLoopPicksItUpStillReportsLinkClosed() throws Exception {
            for (int i = 0; i < 20; i++) {
                Recorder dialler = new Recorder();
                PeerLink out = clientSide.connectToPeer(peerPort.localAddress(), 2_000, dialler);
                out.close(); // usually before the I/O thread registered the socket
                assertNull(dialler.awaitClose());
                assertEquals(1, dialler.closeCalls.get());
            }
        }

        @Test
        void sendLeavesTheCallersBufferUntouchedForBroadcast() throws Exception {
            Recorder first = new Recorder();
            Recorder second = new Recorder();
            PeerLink a = clientSide.connectToPeer(peerPort.localAddress(), 2_000, first);
            PeerLink b = clientSide.connectToPeer(peerPort.localAddress(), 2_000, second);
            PeerLink inA = accepted.poll(5, TimeUnit.SECONDS);
            PeerLink inB = accepted.poll(5, TimeUnit.SECONDS);
            assertTrue(inA != null && inB != null);
            ByteBuffer proposal = utf8("proposal");
            inA.send(proposal);
            inB.send(proposal);
            assertEquals(8, proposal.remaining());
            assertEquals("proposal", first.next());
            assertEquals("proposal", second.next());
            a.close();
            b.close();
        }

        @Test
        void acceptorReturningNullClosesTheLink() throws Exception {
            ClientListener refusing = serverSide.listenForPeers(LOOPBACK_ANY_PORT, link -> null);
            Recorder dialler = new Recorder();
            clientSide.connectToPeer(refusing.localAddress(), 2_000, dialler);
            assertNull(dialler.awaitClose());
        }

        @Test
        void peerLimitIsTwiceTheClientLimitPlusHeadroomWithAFloorAndACeiling() {
            assertEquals(256 * 1024, new TransportConfig(1, 1, 1, 1, Map.of()).peerFrameBytesMax());
            assertEquals(256 * 1024, new TransportConfig(1, 96 * 1024, 1, 1, Map.of()).peerFrameBytesMax());
            assertEquals(2 * 0xfffff + 64 * 1024,
                    new TransportConfig(1, TransportConfig.JUTE_MAXBUFFER_DEFAULT, 1, 1, Map.of())
                            .peerFrameBytesMax());
            assertEquals(Integer.MAX_VALUE - 8,
                    new TransportConfig(1, Integer.MAX_VALUE / 2, 1, 1, Map.of()).peerFrameBytesMax());
            assertEquals(Integer.MAX_VALUE - 8,
                    new TransportConfig(1, Integer.MAX_VALUE, 1, 1, Map.of()).peerFrameBytesMax());
        }

        @Test
        void messagesAboveTheClientLimitUpToThePeerLimitCrossPeerLinksBothWays() throws Exception {
            int peerMax = config(1024 * 1024, 5_000).peerFrameBytesMax();
            assertTrue(peerMax > MAX_FRAME_BYTES + 1, "the kit's limits leave room to test: " + peerMax);
            Recorder dialler = new Recorder();
            PeerLink out = clientSide.connectToPeer(peerPort.localAddress(), 2_000, dialler);
            PeerLink in = accepted.poll(5, TimeUnit.SECONDS);
            assertTrue(in != null && in.isOpen());
            String justOver = patterned(MAX_FRAME_BYTES + 1, 'a');
            String atLimit = patterned(peerMax, 'k');
            out.send(utf8(justOver));
            out.send(utf8(atLimit));
            out.send(utf8("after"));
            in.send(utf8(atLimit));
            in.send(utf8(justOver));
            assertEquals(justOver, acceptedRecorder.next());
            assertEquals(atLimit, acceptedRecorder.next());
            assertEquals("after", acceptedRecorder.next());
            assertEquals(atLimit, dialler.next());
            assertEquals(justOver, dialler.next());
            assertTrue(out.isOpen() && in.isOpen());
        }

        @Test
        void oversizedMessagesAreRefusedOnSendAndCloseTheLinkOnReceive() throws Exception {
            int peerMax = config(1024 * 1024, 5_000).peerFrameBytesMax();
            Recorder dialler = new Recorder();
            PeerLink out = clientSide.connectToPeer(peerPort.localAddress(), 2_000, dialler);
            assertThrows(IllegalArgumentException.class, () -> out.send(ByteBuffer.allocate(peerMax + 1)));
            PeerLink in = accepted.poll(5, TimeUnit.SECONDS);
            assertTrue(in != null);
            assertThrows(IllegalArgumentException.class, () -> in.send(ByteBuffer.allocate(peerMax + 1)));
            out.send(utf8("still open")); // a refused send leaves the link usable
            assertEquals("still open", acceptedRecorder.next());
            out.close();
            acceptedRecorder.awaitClose();

            // a raw socket claiming one byte more than the peer limit is cut off, and the handler learns why
            try (Client raw = new Client(peerPort.localAddress())) {
                raw.write(ByteBuffer.allocate(4).putInt(peerMax + 1).array());
                raw.expectClosedWithoutOutput();
            }
            assertInstanceOf(IOException.class, acceptedRecorder.awaitClose());
        }

        @Test
        void aClientConnectionOfTheSameTransportStillRefusesOneByteOverTheClientLimit() throws Exception {
            RecordingHandler handler = new RecordingHandler().echoing();
            ClientListener clients = listen(serverSide, handler);
            try (Client client = new Client(clients.localAddress())) {
                assertEquals("ok", client.roundTrip("ok"));
                client.write(ByteBuffer.allocate(4).putInt(MAX_FRAME_BYTES + 1).array());
                client.expectClosedWithoutOutput();
            }
            take(handler.closed, "connectionClosed");
            handler.assertContractKept();
        }

        @Test
        void connectingToAPortNobodyListensOnFails() throws Exception {
            ClientListener gone = serverSide.listenForPeers(LOOPBACK_ANY_PORT, link -> null);
            InetSocketAddress address = gone.localAddress();
            gone.close();
            await("the port to be released", () -> {
                try (java.net.Socket probe = new java.net.Socket()) {
                    probe.connect(address, 1_000);
                    return false;
                } catch (IOException refused) {
                    return true;
                }
            });
            assertThrows(IOException.class, () -> clientSide.connectToPeer(address, 1_000, new Recorder()));
        }

        @Test
        void endOfStreamInsideAMessageIsReportedWithACause() throws Exception {
            try (Client raw = new Client(peerPort.localAddress())) {
                raw.write(java.util.Arrays.copyOf(ByteBuffer.allocate(4).putInt(100).array(), 10)); // 6 of 100 bytes
                accepted.poll(5, TimeUnit.SECONDS);
            }
            assertInstanceOf(java.io.EOFException.class, acceptedRecorder.awaitClose());
        }

        @Test
        void manyThreadsSendingOnOneLinkKeepEachThreadsOrder() throws Exception {
            Recorder dialler = new Recorder();
            PeerLink out = clientSide.connectToPeer(peerPort.localAddress(), 2_000, dialler);
            int threads = 4;
            int perThread = 2_000;
            java.util.List<Thread> senders = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int sender = t;
                senders.add(new Thread(() -> {
                    for (int i = 0; i < perThread; i++) {
                        out.send(utf8(sender + ":" + i));
                    }
                }));
            }
            senders.forEach(Thread::start);
            int[] next = new int[threads];
            for (int n = 0; n < threads * perThread; n++) {
                String[] message = acceptedRecorder.next().split(":");
                int sender = Integer.parseInt(message[0]);
                assertEquals(next[sender]++, Integer.parseInt(message[1]), "order of sender " + sender);
            }
            for (Thread sender : senders) {
                sender.join(5_000);
            }
        }
    }

    /** Listeners, threads and closing the transport. */
    @Nested
    class Lifecycle {
        private List<String> transportThreads() {
            return Thread.getAllStackTraces().keySet().stream()
                    .filter(Thread::isAlive)
                    .map(Thread::getName)
                    .filter(name -> name.startsWith(threadPrefix() + "-"))
                    .sorted()
                    .collect(Collectors.toList());
        }

        private static Set<Thread> liveThreads() {
            return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).collect(Collectors.toSet());
        }

        @Test
        void providerHasItsConfigName() {
            assertEquals(expectedName(), provider().name());
        }

        @Test
        void aTakenPortIsABindException() throws Exception {
            try (Transport transport = transport()) {
                InetSocketAddress bound = listen(transport, new RecordingHandler()).localAddress();
                assertThrows(java.net.BindException.class,
                        () -> transport.listenForClients(bound, 0, 0, new RecordingHandler()));
                InetSocketAddress peers = transport.listenForPeers(LOOPBACK_ANY_PORT, link -> null).localAddress();
                assertThrows(java.net.BindException.class, () -> transport.listenForPeers(peers, link -> null));
            }
        }

        @Test
        void listenerReportsTheRealPort() throws Exception {
            try (Transport transport = transport()) {
                ClientListener listener = listen(transport, new RecordingHandler());
                InetSocketAddress bound = listener.localAddress();
                assertNotEquals(0, bound.getPort());
                assertEquals("127.0.0.1", bound.getAddress().getHostAddress());
                assertEquals(0, listener.connectionCount());
                assertThrows(IOException.class, () -> transport.listenForClients(bound, 0, 0, new RecordingHandler()),
                        "the port is really taken");
            }
        }

        @Test
        void closingTheListenerClosesItsConnections() throws Exception {
            RecordingHandler handler = new RecordingHandler().echoing();
            try (Transport transport = transport()) {
                ClientListener listener = listen(transport, handler);
                try (Client a = new Client(listener.localAddress());
                        Client b = new Client(listener.localAddress())) {
                    assertEquals("a", a.roundTrip("a"));
                    assertEquals("b", b.roundTrip("b"));
                    assertEquals(2, listener.connectionCount());
                    listener.close();
                    a.expectClosedWithoutOutput();
                    b.expectClosedWithoutOutput();
                }
                take(handler.closed, "first connectionClosed");
                take(handler.closed, "second connectionClosed");
                await("the listener to forget its connections", () -> listener.connectionCount() == 0);
            }
            handler.assertContractKept();
        }

        @Test
        void closingTheTransportClosesEverythingAndStopsEveryThread() throws Exception {
            Set<Thread> before = liveThreads();
            RecordingHandler handler = new RecordingHandler().echoing();
            Transport transport = transport(config(3, 4096, 5_000, Map.of()));
            assertTrue(transportThreads().containsAll(List.of(threadPrefix() + "-accept", threadPrefix() + "-io-0",
                    threadPrefix() + "-io-1", threadPrefix() + "-io-2")), transportThreads()::toString);
            ClientListener listener = listen(transport, handler);
            ClientListener peerPort = transport.listenForPeers(LOOPBACK_ANY_PORT, link -> new NoopPeerHandler());
            CountDownLatch linkClosed = new CountDownLatch(1);
            PeerLink link = transport.connectToPeer(peerPort.localAddress(), 2_000, new NoopPeerHandler() {
                @Override
                public void linkClosed(PeerLink l, Throwable cause) {
                    linkClosed.countDown();
                }
            });
            try (Client client = new Client(listener.localAddress())) {
                assertEquals("x", client.roundTrip("x"));
                transport.close();
                client.expectClosedWithoutOutput();
            }
            // close() waits for the loops, so the callbacks have run by now
            assertEquals(1, handler.closed.size());
            assertTrue(linkClosed.await(0, TimeUnit.SECONDS));
            assertFalse(link.isOpen());
            await("every " + threadPrefix() + " thread to end", () -> transportThreads().isEmpty());
            // and no helper thread of the transport or its library (Netty's GlobalEventExecutor, ...) outlives it
            await("no thread left behind", () -> {
                Set<Thread> extra = liveThreads();
                extra.removeAll(before);
                return extra.isEmpty();
            });
            assertThrows(IOException.class, () -> listen(transport, handler));
            transport.close(); // idempotent
            handler.assertContractKept();
        }

        @Test
        void zeroIoThreadsMeansOnePerCore() throws Exception {
            Transport transport = transport(config(0, 4096, 5_000, Map.of()));
            try {
                long io = transportThreads().stream().filter(name -> name.startsWith(threadPrefix() + "-io-")).count();
                assertEquals(Math.max(1, Runtime.getRuntime().availableProcessors()), io);
            } finally {
                transport.close();
            }
            await("every " + threadPrefix() + " thread to end", () -> transportThreads().isEmpty());
        }
    }
}
