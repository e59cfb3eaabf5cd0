package io.paddock.transport.nio;

import static io.paddock.transport.nio.NioTestSupport.LOOPBACK_ANY_PORT;
import static io.paddock.transport.nio.NioTestSupport.await;
import static io.paddock.transport.nio.NioTestSupport.listen;
import static io.paddock.transport.nio.NioTestSupport.take;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.api.transport.ClientListener;
import io.paddock.api.transport.PeerLink;
import io.paddock.api.transport.PeerLinkHandler;
import io.paddock.api.transport.Transport;
import io.paddock.api.transport.TransportConfig;
import io.paddock.transport.nio.NioTestSupport.Client;
import io.paddock.transport.nio.NioTestSupport.RecordingHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class NioLifecycleTest {

    private static List<String> nioThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith("paddock-nio"))
                .sorted()
                .collect(Collectors.toList());
    }

    @Test
    void providerIsNamedNio() {
        assertEquals("nio", new NioTransportProvider().name());
    }

    @Test
    void aTakenPortIsABindException() throws Exception {
        try (Transport transport = NioTestSupport.transport()) {
            InetSocketAddress bound = listen(transport, new RecordingHandler()).localAddress();
            assertThrows(java.net.BindException.class,
                    () -> transport.listenForClients(bound, 0, 0, new RecordingHandler()));
        }
    }

    @Test
    void secureClientPortIsRefusedWithAMessageNamingTheTransport() throws Exception {
        try (Transport transport = NioTestSupport.transport()) {
            IOException e = assertThrows(IOException.class,
                    () -> transport.listenForSecureClients(LOOPBACK_ANY_PORT, 0, 0, new RecordingHandler()));
            assertTrue(e.getMessage().contains("transport nio has no TLS"), e.getMessage());
            assertTrue(e.getMessage().contains("transport=netty"), e.getMessage());
        }
    }

    @Test
    void listenerReportsTheRealPort() throws Exception {
        try (Transport transport = NioTestSupport.transport()) {
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
        try (Transport transport = NioTestSupport.transport()) {
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
        RecordingHandler handler = new RecordingHandler().echoing();
        Transport transport = NioTestSupport.transport(new TransportConfig(3, 1024, 4096, 5_000, Map.of()));
        assertTrue(nioThreads().containsAll(
                List.of("paddock-nio-accept", "paddock-nio-io-0", "paddock-nio-io-1", "paddock-nio-io-2")),
                nioThreads()::toString);
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
        assertTrue(!link.isOpen());
        await("every paddock-nio thread to end", () -> nioThreads().isEmpty());
        assertThrows(IOException.class, () -> listen(transport, handler));
        transport.close(); // idempotent
        handler.assertContractKept();
    }

    @Test
    void zeroIoThreadsMeansOnePerCore() throws Exception {
        Transport transport = NioTestSupport.transport(new TransportConfig(0, 1024, 4096, 5_000, Map.of()));
        try {
            long io = nioThreads().stream().filter(name -> name.startsWith("paddock-nio-io-")).count();
            assertEquals(Math.max(1, Runtime.getRuntime().availableProcessors()), io);
        } finally {
            transport.close();
        }
        await("every paddock-nio thread to end", () -> nioThreads().isEmpty());
    }

    static class NoopPeerHandler implements PeerLinkHandler {
        @Override
        public void messageReceived(PeerLink link, ByteBuffer payload) {}

        @Override
        public void linkClosed(PeerLink link, Throwable cause) {}
    }
}
