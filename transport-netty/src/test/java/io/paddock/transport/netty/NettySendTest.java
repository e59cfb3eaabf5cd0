package io.paddock.transport.netty;

import static io.paddock.transport.netty.NettyTestSupport.await;
import static io.paddock.transport.netty.NettyTestSupport.frameBuffer;
import static io.paddock.transport.netty.NettyTestSupport.listen;
import static io.paddock.transport.netty.NettyTestSupport.take;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.api.transport.ClientListener;
import io.paddock.api.transport.Connection;
import io.paddock.api.transport.Transport;
import io.paddock.transport.netty.NettyTestSupport.Client;
import io.paddock.transport.netty.NettyTestSupport.RecordingHandler;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@Timeout(20)
@ExtendWith(NettyLeaks.class)
class NettySendTest {

    private Transport transport;
    private final RecordingHandler handler = new RecordingHandler();
    private ClientListener listener;

    @BeforeEach
    void start() throws Exception {
        transport = NettyTestSupport.transport();
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
            // a write is accounted once Netty completes it, a moment after the bytes left (and maybe arrived)
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
