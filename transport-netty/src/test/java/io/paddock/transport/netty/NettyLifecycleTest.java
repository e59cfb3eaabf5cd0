package io.paddock.transport.netty;

import static io.paddock.transport.netty.NettyTestSupport.LOOPBACK_ANY_PORT;
import static io.paddock.transport.netty.NettyTestSupport.await;
import static io.paddock.transport.netty.NettyTestSupport.config;
import static io.paddock.transport.netty.NettyTestSupport.listen;
import static io.paddock.transport.netty.NettyTestSupport.take;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.epoll.Epoll;
import io.paddock.api.transport.ClientListener;
import io.paddock.api.transport.PeerLink;
import io.paddock.api.transport.PeerLinkHandler;
import io.paddock.api.transport.Transport;
import io.paddock.transport.netty.NettyTestSupport.Client;
import io.paddock.transport.netty.NettyTestSupport.RecordingHandler;
import io.paddock.transport.netty.internal.NettyTransport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@Timeout(20)
@ExtendWith(NettyLeaks.class)
class NettyLifecycleTest {

    private static List<String> nettyThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith("paddock-netty"))
                .sorted()
                .collect(Collectors.toList());
    }

    private static Set<Thread> liveThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).collect(Collectors.toSet());
    }

    @Test
    void providerIsNamedNetty() {
        assertEquals("netty", new NettyTransportProvider().name());
    }

    @Test
    void listenerReportsTheRealPort() throws Exception {
        try (Transport transport = NettyTestSupport.transport()) {
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
        try (Transport transport = NettyTestSupport.transport()) {
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
        Transport transport = NettyTestSupport.transport(config(3, 4096, 5_000, Map.of()));
        assertTrue(nettyThreads().containsAll(List.of("paddock-netty-accept", "paddock-netty-io-0",
                "paddock-netty-io-1", "paddock-netty-io-2")), nettyThreads()::toString);
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
        await("every paddock-netty thread to end", () -> nettyThreads().isEmpty());
        // and Netty started no helper thread of its own (GlobalEventExecutor, ObjectCleaner, ...) that outlives it
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
        Transport transport = NettyTestSupport.transport(config(0, 4096, 5_000, Map.of()));
        try {
            long io = nettyThreads().stream().filter(name -> name.startsWith("paddock-netty-io-")).count();
            assertEquals(Math.max(1, Runtime.getRuntime().availableProcessors()), io);
        } finally {
            transport.close();
        }
        await("every paddock-netty thread to end", () -> nettyThreads().isEmpty());
    }

    @Test
    void epollIsUsedWhereAvailableUnlessTurnedOff() throws Exception {
        try (Transport auto = NettyTestSupport.transport(config(1, 4096, 5_000, Map.of("epoll", "auto")));
                Transport off = NettyTestSupport.transport(config(1, 4096, 5_000, Map.of("epoll", "false")))) {
            assertEquals(Epoll.isAvailable(), ((NettyTransport) auto).usesEpoll(),
                    () -> "epoll unavailable: " + Epoll.unavailabilityCause());
            assertFalse(((NettyTransport) off).usesEpoll());
        }
        if (!Epoll.isAvailable()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NettyTestSupport.transport(config(1, 4096, 5_000, Map.of("epoll", "true"))));
            assertTrue(e.getMessage().contains("transport.epoll"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class,
                () -> NettyTestSupport.transport(config(1, 4096, 5_000, Map.of("epoll", "maybe"))));
        await("every paddock-netty thread to end", () -> nettyThreads().isEmpty());
    }

    static class NoopPeerHandler implements PeerLinkHandler {
        @Override
        public void messageReceived(PeerLink link, ByteBuffer payload) {}

        @Override
        public void linkClosed(PeerLink link, Throwable cause) {}
    }
}
