package io.paddock.zab.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.paddock.api.replication.ForwardedRequest;
import io.paddock.zab.core.ZabMessage;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ZabCodecTest {
    private static final byte[] TXN = {1, 2, 3, 4};

    private static ZabMessage roundTrip(ZabMessage m) {
        ByteBuffer b = ZabCodec.encode(m);
        ZabMessage back = ZabCodec.decode(b);
        assertEquals(ZabMessage.describe(m), ZabMessage.describe(back));
        return back;
    }

    @Test
    void everyMessageSurvivesARoundTrip() {
        List<ZabMessage> all = List.of(new ZabMessage.LearnerInfo(3, 7, 0x700000005L), new ZabMessage.LeaderInfo(8),
                new ZabMessage.AckEpoch(6, 42, true), new ZabMessage.AckEpoch(6, 42, false), new ZabMessage.Diff(9),
                new ZabMessage.Trunc(10), new ZabMessage.NewLeader(8, 11), new ZabMessage.AckNewLeader(8, 11),
                new ZabMessage.UpToDate(12), new ZabMessage.Ack(13), new ZabMessage.Commit(14),
                new ZabMessage.Sync(15), new ZabMessage.SyncReply(15, 16));
        for (ZabMessage m : all) {
            assertEquals(m, roundTrip(m));
        }
        assertArrayEquals(TXN, assertInstanceOf(ZabMessage.Proposal.class,
                roundTrip(new ZabMessage.Proposal(5, 4, TXN))).txn());
        assertArrayEquals(TXN, assertInstanceOf(ZabMessage.Inform.class,
                roundTrip(new ZabMessage.Inform(5, 4, TXN))).txn());
        assertArrayEquals(TXN, assertInstanceOf(ZabMessage.Snap.class, roundTrip(new ZabMessage.Snap(5, TXN)))
                .snapshot());
        assertArrayEquals(new long[] {1, 2}, assertInstanceOf(ZabMessage.Ping.class,
                roundTrip(new ZabMessage.Ping(new long[] {1, 2}))).touchedSessions());
        ForwardedRequest r = new ForwardedRequest(2, 0x55L, 9, 1, TXN, new String[] {"ip:127.0.0.1", "digest:u"});
        ForwardedRequest back = assertInstanceOf(ZabMessage.Request.class,
                ZabCodec.decode(ZabCodec.encode(new ZabMessage.Request(r)))).request();
        assertEquals(List.of(r.origin(), r.sessionId(), (long) r.cxid(), (long) r.opCode()),
                List.of(back.origin(), back.sessionId(), (long) back.cxid(), (long) back.opCode()));
        assertArrayEquals(r.body(), back.body());
        assertArrayEquals(r.authIds(), back.authIds());
    }

    @Test
    void aForwardedRequestKeepsEveryAuthIdOfItsSessionAndALyingCountIsRefused() {
        // ZooKeeper puts no cap on a session's identities; only the frame size bounds them.
        String[] ids = new String[1000];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = "digest:user" + i;
        }
        ForwardedRequest r = new ForwardedRequest(2, 0x55L, 9, 1, TXN, ids);
        ByteBuffer frame = ZabCodec.encode(new ZabMessage.Request(r));
        assertArrayEquals(ids, assertInstanceOf(ZabMessage.Request.class, ZabCodec.decode(frame.duplicate()))
                .request().authIds());
        // The id count sits right after the body; claim more ids than the remaining bytes could hold.
        int countAt = 1 + 8 + 8 + 4 + 4 + 4 + TXN.length;
        frame.putInt(frame.position() + countAt, Integer.MAX_VALUE / 2);
        assertNull(ZabCodec.decode(frame));
    }

    @Test
    void helloCarriesTheSidAndAnythingElseIsNotAHello() {
        assertEquals(7, ZabCodec.readHello(ZabCodec.hello(7)));
        assertEquals(-1, ZabCodec.readHello(ByteBuffer.wrap(new byte[13])));
        assertEquals(-1, ZabCodec.readHello(ZabCodec.encode(new ZabMessage.Ack(1))));
        assertNull(ZabCodec.decode(ZabCodec.hello(7)));
    }

    @Test
    void truncatedTrailingOrRandomBytesDecodeToNullAndNeverThrow() {
        ByteBuffer p = ZabCodec.encode(new ZabMessage.Proposal(5, 4, TXN));
        for (int len = 0; len < p.remaining(); len++) {
            assertNull(ZabCodec.decode(ByteBuffer.wrap(p.array(), 0, len)), "cut at " + len);
        }
        ByteBuffer longer = ByteBuffer.allocate(p.remaining() + 1).put(p.duplicate()).put((byte) 0).flip();
        assertNull(ZabCodec.decode(longer));
        assertNull(ZabCodec.decode(ByteBuffer.wrap(new byte[] {6, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, -1, -1, -1})));
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[random.nextInt(40)];
            random.nextBytes(b);
            if (b.length > 0) {
                b[0] = (byte) random.nextInt(20);
            }
            ZabCodec.decode(ByteBuffer.wrap(b));
        }
    }

    @Test
    void snapshotStreamFramesRoundTripAndMalformedOnesDecodeToNull() {
        ByteBuffer begin = ZabCodec.snapBegin(0x300000007L);
        assertEquals(new ZabCodec.SnapBegin(0x300000007L), ZabCodec.decodeSnapFrame(begin));
        byte[] data = new byte[ZabCodec.SNAP_CHUNK_BYTES];
        new Random(7).nextBytes(data);
        ByteBuffer chunk = ZabCodec.snapChunk(data, data.length);
        assertEquals(ZabCodec.SNAP_CHUNK_BYTES + 5, chunk.remaining(), "a full chunk frame");
        assertArrayEquals(data, assertInstanceOf(ZabCodec.SnapChunk.class, ZabCodec.decodeSnapFrame(chunk)).bytes());
        assertEquals(new ZabCodec.SnapEnd(123, -5), ZabCodec.decodeSnapFrame(ZabCodec.snapEnd(123, -5)));
        for (ByteBuffer f : List.of(begin, chunk, ZabCodec.snapEnd(1, 2))) {
            assertEquals(true, ZabCodec.isSnapFrame(f));
            assertNull(ZabCodec.decode(f), "snapshot frames are not core messages");
        }
        assertEquals(false, ZabCodec.isSnapFrame(ZabCodec.encode(new ZabMessage.Ack(1))));
        assertNull(ZabCodec.decodeSnapFrame(ZabCodec.encode(new ZabMessage.Ack(1))));
        // cut, padded, a length that lies, an empty chunk, a negative total
        assertNull(ZabCodec.decodeSnapFrame(ByteBuffer.wrap(new byte[] {18, 0, 0})));
        assertNull(ZabCodec.decodeSnapFrame(ByteBuffer.allocate(10).put((byte) 18).flip().limit(10)));
        assertNull(ZabCodec.decodeSnapFrame(ByteBuffer.allocate(9).put((byte) 19).putInt(100).flip().limit(9)));
        assertNull(ZabCodec.decodeSnapFrame(ByteBuffer.allocate(5).put((byte) 19).putInt(0).flip()));
        assertNull(ZabCodec.decodeSnapFrame(ByteBuffer.allocate(13).put((byte) 20).putLong(-1).putInt(0).flip()));
        Random r = new Random(11);
        for (int i = 0; i < 5_000; i++) {
            byte[] junk = new byte[r.nextInt(40)];
            r.nextBytes(junk);
            if (junk.length > 0) {
                junk[0] = (byte) (18 + r.nextInt(3));
            }
            ZabCodec.decodeSnapFrame(ByteBuffer.wrap(junk)); // never throws
        }
    }
}
