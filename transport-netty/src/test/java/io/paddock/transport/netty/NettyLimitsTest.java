package io.paddock.transport.netty;

import java.util.concurrent.atomic.AtomicLong;
import static io.paddock.transport.netty.NettyTestSupport.LOOPBACK_ANY_PORT;
import static io.paddock.transport.netty.NettyTestSupport.await;
import static io.paddock.transport.netty.NettyTestSupport.config;
import static io.paddock.transport.netty.NettyTestSupport.frame;
import static io.paddock.transport.netty.NettyTestSupport.take;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.api.transport.ClientListener;
import io.paddock.api.transport.Transport;
import io.paddock.transport.netty.NettyTestSupport.Client;
import io.paddock.transport.netty.NettyTestSupport.RecordingHandler;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@Timeout(20)
@ExtendWith(NettyLeaks.class)
class NettyLimitsTest {

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
        transport = NettyTestSupport.transport(config(1024 * 1024, HANDSHAKE_TIMEOUT_MS));
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
        transport = NettyTestSupport.transport(config(1024 * 1024, HANDSHAKE_TIMEOUT_MS));
        ClientListener listener = transport.listenForClients(LOOPBACK_ANY_PORT, 0, 0, handler);
        try (Client silent = new Client(listener.localAddress())) {
            silent.expectClosedWithoutOutput();
        }
        take(handler.closed, "connectionClosed");
    }

    @Test
    void connectionsPerIpAreCappedAndFreedOnClose() throws Exception {
        transport = NettyTestSupport.transport();
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
        transport = new NettyTransportProvider().create(config(1024 * 1024, HANDSHAKE_TIMEOUT_MS), now::get);
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
