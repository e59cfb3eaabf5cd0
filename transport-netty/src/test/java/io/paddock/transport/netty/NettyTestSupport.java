package io.paddock.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.paddock.api.transport.ClientListener;
import io.paddock.api.transport.Connection;
import io.paddock.api.transport.ConnectionHandler;
import io.paddock.api.transport.Transport;
import io.paddock.api.transport.TransportConfig;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/** Loopback helpers: a blocking test client, a recording handler, polling with a deadline. Same as transport-nio's. */
final class NettyTestSupport {

    static final Duration WAIT = Duration.ofSeconds(5);
    static final int MAX_FRAME_BYTES = 64 * 1024;
    static final InetSocketAddress LOOPBACK_ANY_PORT;

    static {
        try {
            LOOPBACK_ANY_PORT = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0);
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private NettyTestSupport() {}

    /**
     * {@code epoll} for every transport the tests build: {@code auto} (native where available) unless
     * {@code -Dpaddock.test.epoll} says otherwise; the pom runs the suite once more with {@code false}.
     */
    static final String EPOLL = System.getProperty("paddock.test.epoll", "auto");

    static TransportConfig config(int outboundBytesMax, int handshakeTimeoutMs) {
        return config(2, outboundBytesMax, handshakeTimeoutMs, Map.of());
    }

    static TransportConfig config(int ioThreads, int outboundBytesMax, int handshakeTimeoutMs,
            Map<String, String> extra) {
        Map<String, String> all = new java.util.HashMap<>(extra);
        all.putIfAbsent("epoll", EPOLL);
        return new TransportConfig(ioThreads, MAX_FRAME_BYTES, outboundBytesMax, handshakeTimeoutMs, all);
    }

    static Transport transport(TransportConfig config) {
        return new NettyTransportProvider().create(config, System::nanoTime);
    }

    static Transport transport() {
        return transport(config(1024 * 1024, 5_000));
    }

    static ClientListener listen(Transport transport, ConnectionHandler handler) throws IOException {
        return transport.listenForClients(LOOPBACK_ANY_PORT, 50, 0, handler);
    }

    static byte[] frame(String payload) {
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
    }

    static ByteBuffer frameBuffer(String payload) {
        return ByteBuffer.wrap(frame(payload));
    }

    static String text(ByteBuffer payload) {
        byte[] bytes = new byte[payload.remaining()];
        payload.duplicate().get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Polls {@code condition} until it holds or the deadline passes. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting for: " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    static <T> T take(BlockingQueue<T> queue, String what) throws InterruptedException {
        T value = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (value == null) {
            fail("timed out waiting for " + what);
        }
        return value;
    }

    /** A blocking socket client with a read timeout, so a test never hangs on a read. */
    static final class Client implements AutoCloseable {
        final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;

        Client(InetSocketAddress address) throws IOException {
            this(address, 0);
        }

        Client(InetSocketAddress address, int receiveBufferBytes) throws IOException {
            socket = new Socket();
            if (receiveBufferBytes > 0) {
                socket.setReceiveBufferSize(receiveBufferBytes);
            }
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) WAIT.toMillis());
            socket.connect(address, (int) WAIT.toMillis());
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        void write(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        void writeFrame(String payload) throws IOException {
            write(frame(payload));
        }

        String readFrame() throws IOException {
            int length = in.readInt();
            byte[] payload = new byte[length];
            in.readFully(payload);
            return new String(payload, StandardCharsets.UTF_8);
        }

        byte[] readExactly(int n) throws IOException {
            byte[] bytes = new byte[n];
            in.readFully(bytes);
            return bytes;
        }

        /** Reads until the server closes; returns what came before. Fails if nothing ends within the timeout. */
        byte[] readToEnd() throws IOException {
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            try {
                int n;
                while ((n = in.read(chunk)) >= 0) {
                    all.write(chunk, 0, n);
                }
            } catch (SocketTimeoutException e) {
                fail("the server did not close the connection within " + WAIT);
            } catch (SocketException e) {
                // a reset after unread input also means "closed by the server"
            }
            return all.toByteArray();
        }

        void expectClosedWithoutOutput() throws IOException {
            assertEquals(0, readToEnd().length, "no output before the close");
        }

        /** True once the server closed (EOF or reset); false if still open after {@code millis}. */
        boolean closedWithin(int millis) throws IOException {
            socket.setSoTimeout(millis);
            try {
                return in.read() < 0;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (SocketException e) {
                return true;
            } finally {
                socket.setSoTimeout((int) WAIT.toMillis());
            }
        }

        String roundTrip(String payload) throws IOException {
            writeFrame(payload);
            return readFrame();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Records every callback; can echo frames and answer four-letter words. */
    static final class RecordingHandler implements ConnectionHandler {
        record Frame(Connection connection, String payload) {}

        final BlockingQueue<Connection> opened = new LinkedBlockingQueue<>();
        final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
        final BlockingQueue<Connection> closed = new LinkedBlockingQueue<>();
        final Map<Long, AtomicInteger> closeCalls = new ConcurrentHashMap<>();
        final AtomicInteger framesAfterClose = new AtomicInteger();
        final AtomicInteger wrongAttachments = new AtomicInteger();
        final AtomicInteger overlappingCalls = new AtomicInteger();
        private final Map<Long, AtomicInteger> inCall = new ConcurrentHashMap<>();
        volatile boolean echo;
        volatile BiConsumer<Connection, String> onFrame = (c, p) -> {};
        volatile Function<String, String> fourLetterWords = command -> null;
        volatile java.util.function.Consumer<Connection> onOpen = connection -> {};

        RecordingHandler echoing() {
            echo = true;
            return this;
        }

        @Override
        public Object connectionOpened(Connection connection) {
            onOpen.accept(connection);
            opened.add(connection);
            return "attachment-" + connection.id();
        }

        @Override
        public void frameReceived(Connection connection, Object attachment, ByteBuffer payload) {
            enter(connection);
            try {
                if (!("attachment-" + connection.id()).equals(attachment)) {
                    wrongAttachments.incrementAndGet();
                }
                if (closeCalls.containsKey(connection.id())) {
                    framesAfterClose.incrementAndGet();
                }
                String text = text(payload);
                if (echo) {
                    connection.send(frameBuffer(text));
                }
                onFrame.accept(connection, text);
                frames.add(new Frame(connection, text)); // last, so a test that sees it also sees the hook's effects
            } finally {
                leave(connection);
            }
        }

        @Override
        public void connectionClosed(Connection connection, Object attachment) {
            enter(connection);
            try {
                if (!("attachment-" + connection.id()).equals(attachment)) {
                    wrongAttachments.incrementAndGet();
                }
                closeCalls.computeIfAbsent(connection.id(), id -> new AtomicInteger()).incrementAndGet();
                closed.add(connection);
            } finally {
                leave(connection);
            }
        }

        @Override
        public String fourLetterWord(Connection connection, String command) {
            return fourLetterWords.apply(command);
        }

        private void enter(Connection connection) {
            if (inCall.computeIfAbsent(connection.id(), id -> new AtomicInteger()).incrementAndGet() != 1) {
                overlappingCalls.incrementAndGet();
            }
        }

        private void leave(Connection connection) {
            inCall.get(connection.id()).decrementAndGet();
        }

        /** The promises every test checks at the end. */
        void assertContractKept() {
            assertEquals(0, wrongAttachments.get(), "attachment handed back unchanged");
            assertEquals(0, framesAfterClose.get(), "no frame after connectionClosed");
            assertEquals(0, overlappingCalls.get(), "calls for one connection never overlap");
            closeCalls.forEach((id, calls) -> assertEquals(1, calls.get(), "connectionClosed once for #" + id));
        }

        void assertNoFrameWithin(int millis) throws InterruptedException {
            Frame frame = frames.poll(millis, TimeUnit.MILLISECONDS);
            assertTrue(frame == null, () -> "unexpected frame " + frame.payload());
        }
    }
}
