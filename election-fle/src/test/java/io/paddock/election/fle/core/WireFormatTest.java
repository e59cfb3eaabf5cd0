package io.paddock.election.fle.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.paddock.api.PeerId;
import io.paddock.api.Zxid;
import io.paddock.api.election.Notification;
import io.paddock.api.election.PeerState;
import io.paddock.api.election.Vote;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WireFormatTest {

    @Test
    void helloRoundTripsInFifteenBytes() {
        ByteBuffer b = WireFormat.hello(new PeerId(42));
        assertEquals(WireFormat.HELLO_BYTES, b.remaining());
        assertEquals(new WireFormat.Hello(new PeerId(42)), WireFormat.decode(b));
        assertEquals(0, b.position(), "decode leaves the caller's buffer alone");
    }

    @Test
    void everyStateRoundTripsInFiftyBytes() {
        for (PeerState state : PeerState.values()) {
            Notification n = new Notification(new PeerId(3), state,
                    new Vote(new PeerId(7), Zxid.of(4, 11), 9, 4), 0x1_0000_0002L);
            ByteBuffer b = WireFormat.notification(n);
            assertEquals(WireFormat.NOTIFICATION_BYTES, b.remaining());
            assertEquals(new WireFormat.Note(n), WireFormat.decode(b));
        }
    }

    @Test
    void theStateCodesAreFixed() {
        assertEquals(0, WireFormat.stateCode(PeerState.LOOKING));
        assertEquals(1, WireFormat.stateCode(PeerState.FOLLOWING));
        assertEquals(2, WireFormat.stateCode(PeerState.LEADING));
        assertEquals(3, WireFormat.stateCode(PeerState.OBSERVING));
    }

    @Test
    void malformedMessagesAreReportedNotThrown() {
        ByteBuffer hello = WireFormat.hello(new PeerId(1));
        assertMalformed(ByteBuffer.allocate(0));
        assertMalformed(ByteBuffer.wrap(new byte[] {9}));
        assertMalformed(ByteBuffer.wrap(new byte[] {WireFormat.TYPE_HELLO, 1, 2}));
        assertMalformed(patch(hello, 1, (byte) 0)); // magic
        assertMalformed(patch(hello, 6, (byte) 2)); // version 2
        assertMalformed(patch(hello, 7, (byte) 0x80)); // negative sid
        ByteBuffer longer = ByteBuffer.allocate(WireFormat.HELLO_BYTES + 1).put(hello.duplicate()).flip();
        longer.limit(WireFormat.HELLO_BYTES + 1);
        assertMalformed(longer);

        ByteBuffer note = WireFormat.notification(new Notification(new PeerId(1), PeerState.LOOKING,
                new Vote(new PeerId(1), 0, 1, 0), 0));
        assertMalformed(patch(note, 1, (byte) 4)); // unknown state
        assertMalformed(patch(note, 1, (byte) -1));
        assertMalformed(patch(note, 2, (byte) 0x80)); // negative leader
        assertMalformed(patch(note, 10, (byte) 0x80)); // negative zxid
        ByteBuffer shorter = note.duplicate();
        shorter.limit(shorter.limit() - 1);
        assertMalformed(shorter);
    }

    @Test
    void randomBytesNeverThrow() {
        long seed = 20240611L;
        Random random = new Random(seed);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[random.nextInt(64)];
            random.nextBytes(bytes);
            if (bytes.length > 0 && random.nextBoolean()) {
                bytes[0] = (byte) (1 + random.nextInt(2));
            }
            WireFormat.decode(ByteBuffer.wrap(bytes)); // must return, whatever it returns
        }
    }

    private static ByteBuffer patch(ByteBuffer original, int index, byte value) {
        ByteBuffer copy = ByteBuffer.allocate(original.remaining()).put(original.duplicate()).flip();
        copy.put(index, value);
        return copy;
    }

    private static void assertMalformed(ByteBuffer b) {
        assertInstanceOf(WireFormat.Malformed.class, WireFormat.decode(b));
    }
}
