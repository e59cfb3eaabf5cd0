package io.paddock.compat;

import static io.paddock.compat.fixture.JuteWriter.body;
import static io.paddock.compat.fixture.RawClient.OP_ADD_WATCH;
import static io.paddock.compat.fixture.RawClient.OP_CHECK_WATCHES;
import static io.paddock.compat.fixture.RawClient.OP_CLOSE_SESSION;
import static io.paddock.compat.fixture.RawClient.OP_CREATE;
import static io.paddock.compat.fixture.RawClient.OP_EXISTS;
import static io.paddock.compat.fixture.RawClient.OP_GET_DATA;
import static io.paddock.compat.fixture.RawClient.OP_MULTI;
import static io.paddock.compat.fixture.RawClient.OP_PING;
import static io.paddock.compat.fixture.RawClient.OP_RECONFIG;
import static io.paddock.compat.fixture.RawClient.OP_REMOVE_WATCHES;
import static io.paddock.compat.fixture.RawClient.OP_SET_DATA;
import static io.paddock.compat.fixture.RawClient.OP_SYNC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.compat.fixture.Clients;
import io.paddock.compat.fixture.RawClient;
import io.paddock.compat.fixture.RawClient.ConnectResponse;
import io.paddock.compat.fixture.RawClient.Reply;
import io.paddock.compat.fixture.ServerUnderTest;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hand-built frames for what the official client never sends or hides (WIRE-PROTOCOL §1-§6, §10). The server runs
 * with the default session bounds, 2 and 20 ticks of 100 ms. Raw sessions ask for 2 s and each test finishes well
 * within that, so no test needs pings to keep its session.
 */
class RawProtocolIT {

    private static final int TIMEOUT_MS = 2_000;
    private static final int MAX_BUFFER = 0xfffff;

    private static ServerUnderTest server;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> cfg = ServerUnderTest.defaultConfig();
        cfg.remove("maxSessionTimeout");
        server = ServerUnderTest.start(cfg);
        port = server.port();
    }

    @AfterAll
    static void stop() {
        Clients.closeQuietly(server);
    }

    private static RawClient session() throws IOException {
        return RawClient.session(port, TIMEOUT_MS);
    }

    private static Reply create(RawClient c, int xid, String path, byte[] data, int flags) throws IOException {
        return c.call(xid, OP_CREATE, body().createRequest(path, data, flags).bytes());
    }

    private static byte[] pathAndWatch(String path, boolean watch) {
        return body().string(path).bool(watch).bytes();
    }

    /** A new session on a fresh connection must still work: the server survived whatever a test did. */
    private static void assertServerStillServes() throws IOException {
        try (RawClient c = session()) {
            Reply r = c.call(1, OP_EXISTS, pathAndWatch("/", false));
            assertEquals(0, r.err());
        }
    }

    // ---- handshake (§2)

    @Test
    void connectResponseIs41BytesWithASixteenBytePasswordAndTheReadOnlyByte() throws Exception {
        try (RawClient c = RawClient.open(port)) {
            ConnectResponse r = c.connect(TIMEOUT_MS, 0L, new byte[16]);

            assertEquals(37, r.frameLength(), "4 + 37 = 41 bytes on the wire; the C client reads exactly that");
            assertEquals(0, r.protocolVersion());
            assertEquals(TIMEOUT_MS, r.timeOut());
            assertNotEquals(0L, r.sessionId());
            assertEquals(16, r.passwd().length);
            assertEquals(Boolean.FALSE, r.readOnly());
        }
    }

    @ParameterizedTest(name = "asked {0} ms, granted {1} ms")
    @CsvSource({"1, 200", "0, 200", "-5, 200", "199, 200", "200, 200", "1234, 1234", "2000, 2000", "2001, 2000",
            "60000, 2000"})
    void negotiatedTimeoutIsClampedBetweenTwoAndTwentyTicks(int requested, int granted) throws Exception {
        try (RawClient c = RawClient.open(port)) {
            assertEquals(granted, c.connect(requested, 0L, new byte[16]).timeOut());
        }
    }

    @Test
    void aConnectRequestWithoutTheReadOnlyByteGetsAResponseWithoutIt() throws Exception {
        try (RawClient c = RawClient.open(port)) {
            c.writeFrame(RawClient.connectRequest(TIMEOUT_MS, 0L, new byte[16], false));
            ConnectResponse r = c.readConnectResponse();
            assertEquals(36, r.frameLength());
            assertNull(r.readOnly());
            assertNotEquals(0L, r.sessionId());
            assertEquals(0, c.call(1, OP_EXISTS, pathAndWatch("/", false)).err(), "the session works");
        }
    }

    @Test
    void resumingWithTheRightPasswordKeepsTheSessionAndClosesTheOlderConnection() throws Exception {
        try (RawClient first = RawClient.open(port); RawClient second = RawClient.open(port)) {
            ConnectResponse original = first.connect(TIMEOUT_MS, 0L, new byte[16]);
            assertEquals(0, create(first, 1, "/raw-resume", null, 1).err());

            ConnectResponse resumed = second.connect(1_000, original.sessionId(), original.passwd());

            assertEquals(original.sessionId(), resumed.sessionId());
            assertArrayEquals(original.passwd(), resumed.passwd());
            assertEquals(1_000, resumed.timeOut(), "the timeout is renegotiated on resume");
            assertTrue(first.closedByServerWithoutMoreBytes(), "one connection per session");
            Reply r = second.call(7, OP_EXISTS, pathAndWatch("/raw-resume", false));
            assertEquals(0, r.err(), "the ephemeral survived the move");
            DataInputStream stat = r.bodyIn();
            stat.skipNBytes(8 * 4 + 4 * 3);
            assertEquals(original.sessionId(), stat.readLong(), "ephemeralOwner");
        }
    }

    @Test
    void resumingWithAWrongPasswordGetsTheInvalidResponseAndThenAClose() throws Exception {
        try (RawClient owner = RawClient.open(port); RawClient intruder = RawClient.open(port)) {
            ConnectResponse original = owner.connect(TIMEOUT_MS, 0L, new byte[16]);
            byte[] wrong = original.passwd().clone();
            wrong[15] ^= 1;

            ConnectResponse r = intruder.connect(TIMEOUT_MS, original.sessionId(), wrong);

            assertInvalidSessionResponse(r);
            assertTrue(intruder.closedByServerWithoutMoreBytes());
        }
    }

    @Test
    void resumingAnUnknownSessionGetsTheInvalidResponseAndThenAClose() throws Exception {
        try (RawClient c = RawClient.open(port)) {
            ConnectResponse r = c.connect(TIMEOUT_MS, 0x0123_4567_89AB_CDEFL, new byte[16]);
            assertInvalidSessionResponse(r);
            assertTrue(c.closedByServerWithoutMoreBytes());
        }
    }

    @Test
    void resumingAClosedSessionGetsTheInvalidResponse() throws Exception {
        ConnectResponse original;
        try (RawClient c = RawClient.open(port)) {
            original = c.connect(TIMEOUT_MS, 0L, new byte[16]);
            assertEquals(0, c.call(1, OP_CLOSE_SESSION, new byte[0]).err());
        }
        try (RawClient c = RawClient.open(port)) {
            assertInvalidSessionResponse(c.connect(TIMEOUT_MS, original.sessionId(), original.passwd()));
            assertTrue(c.closedByServerWithoutMoreBytes());
        }
    }

    private static void assertInvalidSessionResponse(ConnectResponse r) {
        assertEquals(37, r.frameLength());
        assertEquals(0, r.protocolVersion());
        assertEquals(0, r.timeOut(), "timeOut 0 means expired/invalid");
        assertEquals(0L, r.sessionId());
        assertArrayEquals(new byte[16], r.passwd());
        assertEquals(Boolean.FALSE, r.readOnly());
    }

    @Test
    void requestsPipelinedBehindTheConnectRequestAreAnsweredInOrder() throws Exception {
        try (RawClient c = RawClient.open(port)) {
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            burst.write(RawClient.frame(RawClient.connectRequest(TIMEOUT_MS, 0L, new byte[16], true)));
            burst.write(RawClient.request(1, OP_CREATE, body().createRequest("/raw-pipe", "p".getBytes(), 1).bytes()));
            burst.write(RawClient.request(2, OP_GET_DATA, pathAndWatch("/raw-pipe", false)));
            burst.write(RawClient.request(3, OP_SET_DATA, body().string("/raw-pipe").buffer("q".getBytes()).i32(0)
                    .bytes()));
            burst.write(RawClient.request(4, OP_GET_DATA, pathAndWatch("/raw-pipe", false)));
            burst.write(RawClient.request(-2, OP_PING, new byte[0]));
            burst.write(RawClient.request(5, OP_CLOSE_SESSION, new byte[0]));
            c.write(burst.toByteArray());

            assertNotEquals(0L, c.readConnectResponse().sessionId());
            Reply created = c.readReply();
            assertEquals(1, created.xid());
            assertEquals(0, created.err());
            assertEquals("/raw-pipe", RawClient.readString(created.bodyIn()));
            Reply read = c.readReply();
            assertEquals(2, read.xid());
            assertEquals(0, read.err(), "a read pipelined behind the handshake runs in the new session");
            assertEquals("p", RawClient.readString(read.bodyIn()));
            Reply set = c.readReply();
            assertEquals(3, set.xid());
            assertEquals(0, set.err());
            Reply reread = c.readReply();
            assertEquals(4, reread.xid());
            assertEquals(0, reread.err());
            assertEquals("q", RawClient.readString(reread.bodyIn()), "a read sees the session's earlier write");
            assertEquals(-2, c.readReply().xid());
            Reply closed = c.readReply();
            assertEquals(5, closed.xid());
            assertEquals(0, closed.err());
            assertTrue(c.closedByServerWithoutMoreBytes());
        }
    }

    @Test
    void aTruncatedConnectRequestClosesTheConnection() throws Exception {
        try (RawClient c = RawClient.open(port)) {
            c.writeFrame(Arrays.copyOf(RawClient.connectRequest(TIMEOUT_MS, 0L, new byte[16], true), 10));
            assertTrue(c.closedByServerWithoutMoreBytes());
        }
        assertServerStillServes();
    }

    // ---- headers, xids, pings (§3)

    @Test
    void pingIsAnsweredWithXidMinusTwoAndTheLastZxid() throws Exception {
        try (RawClient c = session()) {
            Reply created = create(c, 1, "/raw-ping", null, 1);
            assertEquals(0, created.err());

            Reply pong = c.call(-2, OP_PING, new byte[0]);

            assertEquals(0, pong.err());
            assertEquals(0, pong.body().length);
            assertTrue(pong.zxid() >= created.zxid(), "the last zxid, not 0: " + pong);
        }
    }

    @Test
    void aPingIsAnsweredWithXidMinusTwoWhateverXidItCarried() throws Exception {
        try (RawClient c = session()) {
            c.send(41, OP_PING, new byte[0]);
            Reply pong = c.readReply();
            assertEquals(-2, pong.xid());
            assertEquals(0, pong.err());
        }
    }

    @Test
    void repliesEchoArbitraryXidsInRequestOrder() throws Exception {
        int[] xids = {1000, 7, 99_999, 3, Integer.MAX_VALUE, 0};
        try (RawClient c = session()) {
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            for (int xid : xids) {
                burst.write(RawClient.request(xid, OP_EXISTS, pathAndWatch("/zookeeper", false)));
            }
            c.write(burst.toByteArray());
            for (int xid : xids) {
                Reply r = c.readReply();
                assertEquals(xid, r.xid());
                assertEquals(0, r.err());
                assertEquals(68, r.body().length, "exists returns exactly one Stat");
            }
        }
    }

    @Test
    void aNotificationUsesXidMinusOneCarriesTheWritesZxidAndPrecedesTheWritersReply() throws Exception {
        try (RawClient c = session()) {
            assertEquals(0, create(c, 1, "/raw-notify", "a".getBytes(), 0).err());
            assertEquals(0, c.call(2, OP_GET_DATA, pathAndWatch("/raw-notify", true)).err());

            c.send(3, OP_SET_DATA, body().string("/raw-notify").buffer("b".getBytes()).i32(-1).bytes());

            Reply event = c.readReply();
            Reply reply = c.readReply();
            assertEquals(-1, event.xid(), "the notification comes first");
            assertEquals(0, event.err());
            assertEquals(3, reply.xid());
            assertEquals(reply.zxid(), event.zxid(), "the notification carries the setData's zxid");
            DataInputStream e = event.bodyIn();
            assertEquals(3, e.readInt(), "NodeDataChanged");
            assertEquals(3, e.readInt(), "SyncConnected");
            assertEquals("/raw-notify", RawClient.readString(e));
            assertEquals(0, e.available());
        }
    }

    // ---- opcodes and bodies the server must refuse (§4, §10.10)

    @ParameterizedTest(name = "opcode {0}")
    @ValueSource(ints = {999, 0, 10, 13, 23, -1, 1000})
    void invalidOpcodesAreAnsweredWithUnimplementedAndTheConnectionIsClosed(int op) throws Exception {
        try (RawClient c = session()) {
            byte[] checkBody = body().string("/").i32(-1).bytes();
            Reply r = c.call(9, op, checkBody);
            assertEquals(-6, r.err());
            assertEquals(0, r.body().length);
            assertTrue(c.closedByServerWithoutMoreBytes());
        }
        assertServerStillServes();
    }

    @Test
    void theSessionOutlivesTheConnectionClosedForAnInvalidOpcode() throws Exception {
        ConnectResponse original;
        try (RawClient c = RawClient.open(port)) {
            original = c.connect(TIMEOUT_MS, 0L, new byte[16]);
            assertEquals(-6, c.call(1, 999, new byte[0]).err());
            assertTrue(c.closedByServerWithoutMoreBytes());
        }
        try (RawClient c = RawClient.open(port)) {
            ConnectResponse resumed = c.connect(TIMEOUT_MS, original.sessionId(), original.passwd());
            assertEquals(original.sessionId(), resumed.sessionId());
        }
    }

    @Test
    void aTruncatedCreateBodyGetsMarshallingErrorAndTheConnectionStaysUsable() throws Exception {
        try (RawClient c = session()) {
            byte[] full = body().createRequest("/raw-truncated", null, 0).bytes();
            Reply r = c.call(1, OP_CREATE, Arrays.copyOf(full, 9));
            assertEquals(-5, r.err());
            assertEquals(0, r.body().length);

            assertEquals(0, c.call(2, OP_EXISTS, pathAndWatch("/", false)).err());
            assertEquals(-101, c.call(3, OP_EXISTS, pathAndWatch("/raw-truncated", false)).err());
        }
    }

    @Test
    void aTruncatedReadBodyGetsMarshallingError() throws Exception {
        try (RawClient c = session()) {
            Reply r = c.call(1, OP_GET_DATA, body().i32(40).raw("/short".getBytes()).bytes());
            assertEquals(-5, r.err());
            assertEquals(0, c.call(2, OP_EXISTS, pathAndWatch("/", false)).err());
        }
    }

    @Test
    void garbageAfterAValidHeaderGetsMarshallingError() throws Exception {
        try (RawClient c = session()) {
            byte[] garbage = {(byte) 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3};
            assertEquals(-5, c.call(1, OP_SET_DATA, garbage).err(), "a string length far past jute.maxbuffer");
            assertEquals(-5, c.call(2, OP_EXISTS, new byte[] {(byte) 0xde, (byte) 0xad}).err());
            assertEquals(0, c.call(3, OP_EXISTS, pathAndWatch("/", false)).err());
        }
    }

    @Test
    void bytesAfterACompleteRecordAreIgnored() throws Exception {
        try (RawClient c = session()) {
            byte[] padded = body().raw(pathAndWatch("/zookeeper", false)).raw(new byte[] {9, 9, 9, 9, 9}).bytes();
            Reply r = c.call(1, OP_EXISTS, padded);
            assertEquals(0, r.err());
            assertEquals(68, r.body().length);
        }
    }

    // ---- paths (§10.3, §10.5)

    @ParameterizedTest(name = "create \"{0}\"")
    @ValueSource(strings = {"a", "", "/raw-paths/", "/raw-paths/.", "/raw-paths/..", "/raw-paths/x\u0000y",
            "/raw-paths/x\u0001y", "/raw-paths/x\u007fy", "/raw-paths/x\u009fy", "/raw-paths/x\ue000y",
            "/raw-paths/x\ufff5y", "/raw-paths/\ud83d\ude00"})
    void createOfAnInvalidPathGetsBadArguments(String path) throws Exception {
        try (RawClient c = session()) {
            create(c, 1, "/raw-paths", null, 0);
            Reply r = create(c, 2, path, null, 0);
            assertEquals(-8, r.err(), "create " + path);
        }
    }

    /** The parent is looked up before the full path is validated, so a malformed parent part is just missing. */
    @ParameterizedTest(name = "create \"{0}\"")
    @ValueSource(strings = {"/raw-paths//b", "/raw-paths/./b", "/raw-paths/../b", "/raw-missing/b"})
    void createWhoseParentPartIsMalformedOrMissingGetsNoNode(String path) throws Exception {
        try (RawClient c = session()) {
            create(c, 1, "/raw-paths", null, 0);
            assertEquals(-101, create(c, 2, path, null, 0).err(), "create " + path);
        }
    }

    @ParameterizedTest(name = "setData \"{0}\"")
    @ValueSource(strings = {"a", "/raw-paths/", "/raw-paths//b", "/raw-paths/./b", "/raw-paths/x\u0001y"})
    void setDataOfAnInvalidPathGetsBadArguments(String path) throws Exception {
        try (RawClient c = session()) {
            Reply r = c.call(1, OP_SET_DATA, body().string(path).buffer(null).i32(-1).bytes());
            assertEquals(-8, r.err(), "setData " + path);
        }
    }

    @ParameterizedTest(name = "getData \"{0}\"")
    @ValueSource(strings = {"a", "/zookeeper/", "//zookeeper", "/./zookeeper"})
    void readsDoNotValidatePathsSoAMalformedPathIsJustMissing(String path) throws Exception {
        try (RawClient c = session()) {
            assertEquals(-101, c.call(1, OP_GET_DATA, pathAndWatch(path, false)).err(), "getData " + path);
            assertEquals(-101, c.call(2, OP_EXISTS, pathAndWatch(path, false)).err(), "exists " + path);
        }
    }

    // ---- reads and watches on the wire (§5, §7)

    @Test
    void existsOnAMissingNodeRepliesNoNodeWithoutABodyAndStillSetsTheWatch() throws Exception {
        try (RawClient watcher = session(); RawClient writer = session()) {
            Reply r = watcher.call(1, OP_EXISTS, pathAndWatch("/raw-later", true));
            assertEquals(-101, r.err());
            assertEquals(0, r.body().length);

            assertEquals(0, create(writer, 1, "/raw-later", null, 0).err());

            Reply event = watcher.readReply();
            assertEquals(-1, event.xid());
            DataInputStream e = event.bodyIn();
            assertEquals(1, e.readInt(), "NodeCreated");
            assertEquals(3, e.readInt());
            assertEquals("/raw-later", RawClient.readString(e));
        }
    }

    @Test
    void nullDataTravelsAsBufferLengthMinusOne() throws Exception {
        try (RawClient c = session()) {
            create(c, 1, "/raw-null", null, 1);
            create(c, 2, "/raw-empty", new byte[0], 1);

            DataInputStream nul = c.call(3, OP_GET_DATA, pathAndWatch("/raw-null", false)).bodyIn();
            assertEquals(-1, nul.readInt());
            assertEquals(68, nul.available(), "then the Stat");
            DataInputStream empty = c.call(4, OP_GET_DATA, pathAndWatch("/raw-empty", false)).bodyIn();
            assertEquals(0, empty.readInt());
        }
    }

    @Test
    void addWatchRepliesWithAFourByteZeroBody() throws Exception {
        try (RawClient c = session()) {
            Reply r = c.call(1, OP_ADD_WATCH, body().string("/raw-not-yet").i32(1).bytes());
            assertEquals(0, r.err());
            assertArrayEquals(new byte[4], r.body());
        }
    }

    @Test
    void checkAndRemoveWatchesReportNoWatcherUnlessThisConnectionHasTheWatch() throws Exception {
        try (RawClient c = session()) {
            create(c, 1, "/raw-w", null, 1);
            byte[] dataWatch = body().string("/raw-w").i32(2).bytes();
            assertEquals(-121, c.call(2, OP_CHECK_WATCHES, dataWatch).err());
            assertEquals(-121, c.call(3, OP_REMOVE_WATCHES, dataWatch).err());

            assertEquals(0, c.call(4, OP_GET_DATA, pathAndWatch("/raw-w", true)).err());
            assertEquals(0, c.call(5, OP_CHECK_WATCHES, dataWatch).err());
            assertEquals(-121, c.call(6, OP_CHECK_WATCHES, body().string("/raw-w").i32(1).bytes()).err(),
                    "no child watch was set");
            assertEquals(0, c.call(7, OP_REMOVE_WATCHES, dataWatch).err());
            assertEquals(-121, c.call(8, OP_CHECK_WATCHES, dataWatch).err());
        }
    }

    @Test
    void aFailedMultiHasOuterErrZeroAndOneErrorResultPerOp() throws Exception {
        try (RawClient c = session()) {
            byte[] multi = body()
                    .i32(OP_CREATE).bool(false).i32(-1).createRequest("/raw-multi", null, 0)
                    .i32(OP_SET_DATA).bool(false).i32(-1).string("/raw-multi-missing").buffer(null).i32(-1)
                    .i32(OP_CREATE).bool(false).i32(-1).createRequest("/raw-multi-2", null, 0)
                    .i32(-1).bool(true).i32(-1)
                    .bytes();

            Reply r = c.call(1, OP_MULTI, multi);

            assertEquals(0, r.err(), "the failure is only in the body");
            DataInputStream d = r.bodyIn();
            for (int expected : new int[] {0, -101, -2}) {
                assertEquals(-1, d.readInt(), "result type error");
                assertFalse(d.readBoolean());
                assertEquals(expected, d.readInt(), "header err");
                assertEquals(expected, d.readInt(), "ErrorResponse err");
            }
            assertEquals(-1, d.readInt());
            assertTrue(d.readBoolean(), "terminator done=true");
            assertEquals(-1, d.readInt());
            assertEquals(0, d.available());
            assertEquals(-101, c.call(2, OP_EXISTS, pathAndWatch("/raw-multi", false)).err(), "nothing applied");
        }
    }

    @Test
    void anEmptyMultiOnTheWireSucceedsWithOnlyTheTerminator() throws Exception {
        try (RawClient c = session()) {
            Reply r = c.call(1, OP_MULTI, body().i32(-1).bool(true).i32(-1).bytes());
            assertEquals(0, r.err());
            assertArrayEquals(body().i32(-1).bool(true).i32(-1).bytes(), r.body());
        }
    }

    @Test
    void aMultiWithAReadSubOpGetsMarshallingError() throws Exception {
        try (RawClient c = session()) {
            byte[] multi = body()
                    .i32(OP_GET_DATA).bool(false).i32(-1).string("/").bool(false)
                    .i32(-1).bool(true).i32(-1)
                    .bytes();
            assertEquals(-5, c.call(1, OP_MULTI, multi).err());
            assertEquals(0, c.call(2, OP_EXISTS, pathAndWatch("/", false)).err(), "the connection stays usable");
        }
    }

    @Test
    void syncEchoesThePathItWasGiven() throws Exception {
        try (RawClient c = session()) {
            Reply r = c.call(1, OP_SYNC, body().string("/not/even/there").bytes());
            assertEquals(0, r.err());
            assertEquals("/not/even/there", RawClient.readString(r.bodyIn()));
        }
    }

    /** Real 3.9.4 answers -123 (ReconfigDisabled, the default), not -6, on a standalone server. */
    @Test
    void reconfigOnAStandaloneServerIsRefusedAsDisabled() throws Exception {
        try (RawClient c = session()) {
            byte[] reconfig = body().string(null).string(null).string(null).i64(-1).bytes();
            assertEquals(-123, c.call(1, OP_RECONFIG, reconfig).err());
            assertEquals(0, c.call(2, OP_EXISTS, pathAndWatch("/", false)).err());
        }
    }

    @Test
    void closeSessionRepliesThenClosesAndRemovesTheEphemerals() throws Exception {
        try (ZooKeeper observer = Clients.connect(server.connectString()); RawClient c = session()) {
            create(c, 1, "/raw-bye", null, 1);
            Reply r = c.call(2, OP_CLOSE_SESSION, new byte[0]);
            assertEquals(0, r.err());
            assertEquals(0, r.body().length);
            assertTrue(c.closedByServerWithoutMoreBytes());
            assertNull(observer.exists("/raw-bye", false));
        }
    }

    // ---- framing abuse (§1.3, §10.10)

    @ParameterizedTest(name = "length {0}")
    @ValueSource(ints = {MAX_BUFFER + 1, 16 * 1024 * 1024, -1, Integer.MIN_VALUE})
    void anOutOfRangeFrameLengthClosesTheConnectionWithoutAReply(int length) throws Exception {
        try (RawClient bystander = session(); RawClient c = session()) {
            c.write(body().i32(length).i32(1).i32(OP_EXISTS).bytes());
            assertTrue(c.closedByServerWithoutMoreBytes());
            assertEquals(0, bystander.call(1, OP_EXISTS, pathAndWatch("/", false)).err(), "others are still served");
        }
        assertServerStillServes();
    }

    @ParameterizedTest(name = "length {0}")
    @ValueSource(ints = {MAX_BUFFER + 1, -1})
    void anOutOfRangeLengthBeforeTheHandshakeClosesTheConnection(int length) throws Exception {
        try (RawClient c = RawClient.open(port)) {
            c.write(body().i32(length).bytes());
            assertTrue(c.closedByServerWithoutMoreBytes());
        }
        assertServerStillServes();
    }

    @Test
    void aTruncatedFrameFollowedByACloseDoesNotDisturbTheServer() throws Exception {
        try (RawClient c = session()) {
            c.write(body().i32(100).i32(1).i32(OP_CREATE).raw("/raw-cut".getBytes()).bytes());
        }
        try (RawClient c = RawClient.open(port)) {
            c.write(body().i32(45).raw(new byte[12]).bytes());
        }
        assertServerStillServes();
    }

    @Test
    void halfAFrameThenAStallDoesNotHoldUpOtherClientsAndTheRestIsStillAccepted() throws Exception {
        try (RawClient staller = session(); RawClient other = session()) {
            byte[] request = RawClient.request(1, OP_EXISTS, pathAndWatch("/zookeeper", false));
            staller.write(Arrays.copyOf(request, 7));

            for (int i = 1; i <= 3; i++) {
                assertEquals(0, other.call(i, OP_EXISTS, pathAndWatch("/", false)).err());
            }
            try (RawClient newcomer = session()) {
                assertEquals(0, newcomer.call(1, OP_EXISTS, pathAndWatch("/", false)).err());
            }

            staller.write(Arrays.copyOfRange(request, 7, request.length));
            Reply r = staller.readReply();
            assertEquals(1, r.xid());
            assertEquals(0, r.err());
        }
    }

    @Test
    void aFrameSplitIntoSingleBytesIsReassembled() throws Exception {
        try (RawClient c = session()) {
            byte[] request = RawClient.request(5, OP_EXISTS, pathAndWatch("/zookeeper", false));
            for (byte b : request) {
                c.write(new byte[] {b});
            }
            Reply r = c.readReply();
            assertEquals(5, r.xid());
            assertEquals(0, r.err());
        }
    }
}
