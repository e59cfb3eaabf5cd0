package io.paddock.transport.netty;

import static io.paddock.transport.testkit.TransportTestSupport.LOOPBACK_ANY_PORT;
import static io.paddock.transport.testkit.TransportTestSupport.MAX_FRAME_BYTES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.paddock.api.transport.ClientListener;
import io.paddock.api.transport.PeerLink;
import io.paddock.api.transport.Transport;
import io.paddock.api.transport.TransportConfig;
import io.paddock.transport.nio.NioTransportProvider;
import io.paddock.transport.testkit.TransportContractTest.Recorder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An ensemble may mix transports: a nio peer and a netty peer speak the same framing on a plain TCP peer link, each
 * way round. (With {@code sslQuorum} it cannot mix: transport-nio refuses to start.)
 */
@Timeout(20)
@ExtendWith(NettyLeaks.class)
class MixedTransportPeerLinkTest {

    private Transport nio;
    private Transport netty;

    @BeforeEach
    void start() {
        nio = new NioTransportProvider().create(new TransportConfig(1, MAX_FRAME_BYTES, 1 << 20, 5_000, Map.of()),
                System::nanoTime);
        netty = NettyTestSupport.transport(NettyTestSupport.config(1, 1 << 20, 5_000, Map.of()));
    }

    @AfterEach
    void stop() {
        nio.close();
        netty.close();
    }

    @Test
    void aNioPeerDialsANettyPeerAndFramesFlowBothWays() throws Exception {
        exchange(nio, netty);
    }

    @Test
    void aNettyPeerDialsANioPeerAndFramesFlowBothWays() throws Exception {
        exchange(netty, nio);
    }

    private static void exchange(Transport dialler, Transport listener) throws Exception {
        BlockingQueue<PeerLink> accepted = new LinkedBlockingQueue<>();
        Recorder listenerSide = new Recorder();
        ClientListener peerPort = listener.listenForPeers(LOOPBACK_ANY_PORT, link -> {
            accepted.add(link);
            return listenerSide;
        });
        Recorder diallerSide = new Recorder();
        PeerLink out = dialler.connectToPeer(peerPort.localAddress(), 2_000, diallerSide);
        for (int i = 0; i < 300; i++) {
            out.send(utf8("out-" + i));
        }
        out.send(utf8("")); // an empty message is a 4-byte frame on both
        out.send(ByteBuffer.allocate(MAX_FRAME_BYTES)); // the limit, over many reads on either side
        PeerLink in = accepted.poll(5, TimeUnit.SECONDS);
        assertNotNull(in);
        for (int i = 0; i < 300; i++) {
            in.send(utf8("back-" + i));
        }
        in.send(ByteBuffer.allocate(MAX_FRAME_BYTES));
        for (int i = 0; i < 300; i++) {
            assertEquals("out-" + i, listenerSide.next());
            assertEquals("back-" + i, diallerSide.next());
        }
        assertEquals("", listenerSide.next());
        assertEquals(MAX_FRAME_BYTES, listenerSide.next().length());
        assertEquals(MAX_FRAME_BYTES, diallerSide.next().length());
        in.close();
        assertNull(listenerSide.awaitClose(), "closed here: no cause");
        assertNull(diallerSide.awaitClose(), "a clean end of stream from the other transport: no cause");
    }

    private static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }
}
