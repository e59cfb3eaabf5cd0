package io.paddock.transport.netty;

import static io.paddock.transport.netty.NettyTestSupport.MAX_FRAME_BYTES;
import static io.paddock.transport.netty.NettyTestSupport.frame;
import static io.paddock.transport.netty.NettyTestSupport.listen;
import static io.paddock.transport.netty.NettyTestSupport.take;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.paddock.api.transport.ClientListener;
import io.paddock.api.transport.Transport;
import io.paddock.transport.netty.NettyTestSupport.Client;
import io.paddock.transport.netty.NettyTestSupport.RecordingHandler;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@Timeout(20)
@ExtendWith(NettyLeaks.class)
class NettyFramingTest {

    private Transport transport;
    private RecordingHandler handler;
    private ClientListener listener;

    @BeforeEach
    void start() throws Exception {
        transport = NettyTestSupport.transport();
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
