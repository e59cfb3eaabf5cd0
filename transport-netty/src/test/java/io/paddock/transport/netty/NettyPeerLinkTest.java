package io.paddock.transport.netty;

import static io.paddock.transport.netty.NettyTestSupport.LOOPBACK_ANY_PORT;
import static io.paddock.transport.netty.NettyTestSupport.MAX_FRAME_BYTES;
import static io.paddock.transport.netty.NettyTestSupport.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.paddock.api.transport.ClientListener;
import io.paddock.api.transport.PeerLink;
import io.paddock.api.transport.PeerLinkHandler;
import io.paddock.api.transport.Transport;
import io.paddock.transport.netty.NettyTestSupport.Client;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@Timeout(20)
@ExtendWith(NettyLeaks.class)
class NettyPeerLinkTest {

    /** Records messages and the (single) close of one link. */
    static final class Recorder implements PeerLinkHandler {
        final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        final BlockingQueue<Optional<Throwable>> closes = new LinkedBlockingQueue<>();
        final AtomicInteger closeCalls = new AtomicInteger();
        final Map<PeerLink, AtomicInteger> closeCallsPerLink = new ConcurrentHashMap<>();

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

        String next() throws InterruptedException {
            String message = messages.poll(5, TimeUnit.SECONDS);
            if (message == null) {
                fail("no message within 5 s");
            }
            return message;
        }

        Throwable awaitClose() throws InterruptedException {
            Optional<Throwable> cause = closes.poll(5, TimeUnit.SECONDS);
            if (cause == null) {
                fail("linkClosed not called within 5 s");
            }
            return cause.orElse(null);
        }
    }

    private Transport serverSide;
    private Transport clientSide;
    private final BlockingQueue<PeerLink> accepted = new LinkedBlockingQueue<>();
    private final Recorder acceptedRecorder = new Recorder();
    private ClientListener peerPort;

    @BeforeEach
    void start() throws Exception {
        serverSide = NettyTestSupport.transport();
        clientSide = NettyTestSupport.transport();
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

    private static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
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
    void oversizedMessagesAreRefusedOnSendAndCloseTheLinkOnReceive() throws Exception {
        Recorder dialler = new Recorder();
        PeerLink out = clientSide.connectToPeer(peerPort.localAddress(), 2_000, dialler);
        assertThrows(IllegalArgumentException.class, () -> out.send(ByteBuffer.allocate(MAX_FRAME_BYTES + 1)));
        out.send(ByteBuffer.allocate(MAX_FRAME_BYTES)); // the limit itself is fine
        assertEquals(MAX_FRAME_BYTES, acceptedRecorder.next().length());
        out.close();
        acceptedRecorder.awaitClose();

        // a raw socket claiming too much is cut off, and the handler learns why
        try (Client raw = new Client(peerPort.localAddress())) {
            raw.write(ByteBuffer.allocate(4).putInt(MAX_FRAME_BYTES + 1).array());
            raw.expectClosedWithoutOutput();
        }
        assertInstanceOf(IOException.class, acceptedRecorder.awaitClose());
    }

    @Test
    void connectingToAPortNobodyListensOnFails() throws Exception {
        ClientListener gone = serverSide.listenForPeers(LOOPBACK_ANY_PORT, link -> null);
        InetSocketAddress address = gone.localAddress();
        gone.close();
        NettyTestSupport.await("the port to be released", () -> {
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
