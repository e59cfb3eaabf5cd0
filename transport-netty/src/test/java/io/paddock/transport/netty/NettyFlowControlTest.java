package io.paddock.transport.netty;

import static io.paddock.transport.netty.NettyTestSupport.await;
import static io.paddock.transport.netty.NettyTestSupport.config;
import static io.paddock.transport.netty.NettyTestSupport.frame;
import static io.paddock.transport.netty.NettyTestSupport.listen;
import static io.paddock.transport.netty.NettyTestSupport.take;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.api.transport.ClientListener;
import io.paddock.api.transport.Connection;
import io.paddock.api.transport.Transport;
import io.paddock.transport.netty.NettyTestSupport.Client;
import io.paddock.transport.netty.NettyTestSupport.RecordingHandler;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@Timeout(20)
@ExtendWith(NettyLeaks.class)
class NettyFlowControlTest {

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
        transport = NettyTestSupport.transport();
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
        transport = NettyTestSupport.transport();
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
        transport = NettyTestSupport.transport(config(outboundBytesMax, 5_000));
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
        transport = NettyTestSupport.transport();
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
        transport = NettyTestSupport.transport();
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
