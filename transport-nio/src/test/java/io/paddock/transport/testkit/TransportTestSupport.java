package io.paddock.transport.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.paddock.api.transport.ClientListener;
import io.paddock.api.transport.Connection;
import io.paddock.api.transport.ConnectionHandler;
import io.paddock.api.transport.Transport;
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

/**
 * Loopback helpers shared by the transport contract kit and each transport's own tests: a blocking test client, a
 * recording handler, polling with a deadline. Nothing here depends on a particular transport.
 */
public final class TransportTestSupport {

    public static final Duration WAIT = Duration.ofSeconds(5);
    public static final int MAX_FRAME_BYTES = 64 * 1024;
    public static final InetSocketAddress LOOPBACK_ANY_PORT;

    static {
        try {
            LOOPBACK_ANY_PORT = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0);
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private TransportTestSupport() {}

    public static ClientListener listen(Transport transport, ConnectionHandler handler) throws IOException {
        return transport.listenForClients(LOOPBACK_ANY_PORT, 50, 0, handler);
    }

    public static byte[] frame(String payload) {
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
    }

    public static ByteBuffer frameBuffer(String payload) {
        return ByteBuffer.wrap(frame(payload));
    }

    public static String text(ByteBuffer payload) {
        byte[] bytes = new byte[payload.remaining()];
        payload.duplicate().get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Polls {@code condition} until it holds or the deadline passes. */
    public static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting for: " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    public static <T> T take(BlockingQueue<T> queue, String what) throws InterruptedException {
        T value = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (value == null) {
            fail("timed out waiting for " + what);
        }
        return value;
    }

    /** A blocking socket client with a read timeout, so a test never hangs on a read. */
    public static final class Client implements AutoCloseable {
        public final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;

        public Client(InetSocketAddress address) throws IOException {
            this(address, 0);
        }

        public Client(InetSocketAddress address, int receiveBufferBytes) throws IOException {
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

        public void write(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        public void writeFrame(String payload) throws IOException {
            write(frame(payload));
        }

        public String readFrame() throws IOException {
            int length = in.readInt();
            byte[] payload = new byte[length];
            in.readFully(payload);
            return new String(payload, StandardCharsets.UTF_8);
        }

        public byte[] readExactly(int n) throws IOException {
            byte[] bytes = new byte[n];
            in.readFully(bytes);
            return bytes;
        }

        /** Reads until the server closes; returns what came before. Fails if nothing ends within the timeout. */
        public byte[] readToEnd() throws IOException {
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

        public void expectClosedWithoutOutput() throws IOException {
            assertEquals(0, readToEnd().length, "no output before the close");
        }

        /** True once the server closed (EOF or reset); false if still open after {@code millis}. */
        public boolean closedWithin(int millis) throws IOException {
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

        public String roundTrip(String payload) throws IOException {
            writeFrame(payload);
            return readFrame();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Records every callback; can echo frames and answer four-letter words. */
    public static final class RecordingHandler implements ConnectionHandler {
        public record Frame(Connection connection, String payload) {}

        public final BlockingQueue<Connection> opened = new LinkedBlockingQueue<>();
        public final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
        public final BlockingQueue<Connection> closed = new LinkedBlockingQueue<>();
        public final Map<Long, AtomicInteger> closeCalls = new ConcurrentHashMap<>();
        public final AtomicInteger framesAfterClose = new AtomicInteger();
        public final AtomicInteger wrongAttachments = new AtomicInteger();
        public final AtomicInteger overlappingCalls = new AtomicInteger();
        private final Map<Long, AtomicInteger> inCall = new ConcurrentHashMap<>();
        public volatile boolean echo;
        public volatile BiConsumer<Connection, String> onFrame = (c, p) -> {};
        public volatile Function<String, String> fourLetterWords = command -> null;
        public volatile java.util.function.Consumer<Connection> onOpen = connection -> {};

        public RecordingHandler echoing() {
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
        public void assertContractKept() {
            assertEquals(0, wrongAttachments.get(), "attachment handed back unchanged");
            assertEquals(0, framesAfterClose.get(), "no frame after connectionClosed");
            assertEquals(0, overlappingCalls.get(), "calls for one connection never overlap");
            closeCalls.forEach((id, calls) -> assertEquals(1, calls.get(), "connectionClosed once for #" + id));
        }

        public void assertNoFrameWithin(int millis) throws InterruptedException {
            Frame frame = frames.poll(millis, TimeUnit.MILLISECONDS);
            assertTrue(frame == null, () -> "unexpected frame " + frame.payload());
        }
    }
}
