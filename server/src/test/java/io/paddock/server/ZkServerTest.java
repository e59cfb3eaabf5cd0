package io.paddock.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.api.Acl;
import io.paddock.api.Id;
import io.paddock.api.Stat;
import io.paddock.protocol.CheckVersionRequest;
import io.paddock.protocol.ConnectResponse;
import io.paddock.protocol.Create2Response;
import io.paddock.protocol.CreateRequest;
import io.paddock.protocol.CreateResponse;
import io.paddock.protocol.DeleteRequest;
import io.paddock.protocol.ErrorCode;
import io.paddock.protocol.EventType;
import io.paddock.protocol.ExistsRequest;
import io.paddock.protocol.GetChildren2Request;
import io.paddock.protocol.GetChildren2Response;
import io.paddock.protocol.GetDataRequest;
import io.paddock.protocol.GetDataResponse;
import io.paddock.protocol.MultiOp;
import io.paddock.protocol.MultiRequest;
import io.paddock.protocol.MultiResponse;
import io.paddock.protocol.OpCode;
import io.paddock.protocol.SetDataRequest;
import io.paddock.protocol.SetDataResponse;
import io.paddock.protocol.SyncRequest;
import io.paddock.protocol.SyncResponse;
import io.paddock.protocol.WatcherEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The server core through its ConnectionHandler, with an in-memory transport and a stepped ticker. */
class ZkServerTest {
    private static final List<Acl> OPEN = Acl.OPEN_ACL_UNSAFE;
    private final AtomicLong nowMs = new AtomicLong(1_000_000);
    private ZkServer server;
    private StandaloneReplicator replicator;

    @BeforeEach
    void start() throws Exception {
        ServerConfig config = new ServerConfig(1, 10, 20, 200, Set.of("ruok", "srvr"), 0xfffff, 100, false,
                Map.of(), true, 50);
        server = new ZkServer(config, () -> 1_700_000_000_000L, () -> nowMs.get() * 1_000_000L, List.of());
        replicator = new StandaloneReplicator(server.stateMachine(), 1000);
        server.start(replicator);
        replicator.start();
    }

    @AfterEach
    void stop() {
        server.close();
        replicator.close();
    }

    private TestClient client() throws InterruptedException {
        TestClient c = new TestClient(server);
        ConnectResponse r = c.connect(100);
        assertEquals(100, r.timeOut());
        assertEquals(16, r.passwd().length);
        return c;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.onSpinWait();
        }
    }

    private static int exists(TestClient c, String path) {
        try {
            return c.call(OpCode.EXISTS, new ExistsRequest(path, false)).header().err();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void negotiatedTimeoutIsClampedToTheConfiguredRange() throws Exception {
        TestClient low = new TestClient(server);
        assertEquals(20, low.connect(1).timeOut());
        TestClient high = new TestClient(server);
        assertEquals(200, high.connect(1_000_000).timeOut());
        assertNotEquals(low.sessionId, high.sessionId);
    }

    @Test
    void createSetDataAndDeleteFollowZooKeeperStatRules() throws Exception {
        TestClient c = client();
        TestClient.Reply created = c.call(OpCode.CREATE2, new CreateRequest("/a", bytes("x"), OPEN, 0));
        assertEquals(0, created.header().err());
        Create2Response cr = Create2Response.read(created.body());
        assertEquals("/a", cr.path());
        Stat s = cr.stat();
        assertEquals(created.header().zxid(), s.czxid());
        assertEquals(s.czxid(), s.mzxid());
        assertEquals(s.czxid(), s.pzxid());
        assertEquals(0, s.version());
        assertEquals(1, s.dataLength());

        c.call(OpCode.CREATE, new CreateRequest("/a/b", null, OPEN, 0));
        c.call(OpCode.CREATE, new CreateRequest("/a/c", null, OPEN, 0));
        assertEquals(0, c.call(OpCode.DELETE, new DeleteRequest("/a/b", -1)).header().err());
        GetChildren2Response kids = GetChildren2Response.read(
                c.call(OpCode.GET_CHILDREN2, new GetChildren2Request("/a", false)).body());
        assertEquals(List.of("c"), kids.children());
        assertEquals(3, kids.stat().cversion(), "two creates plus one delete");
        assertEquals(1, kids.stat().numChildren());
        assertEquals(s.mzxid(), kids.stat().mzxid(), "child changes do not touch mzxid");
        assertTrue(kids.stat().pzxid() > s.pzxid());

        TestClient.Reply set = c.call(OpCode.SET_DATA, new SetDataRequest("/a", bytes("yy"), 0));
        Stat after = SetDataResponse.read(set.body()).stat();
        assertEquals(1, after.version());
        assertEquals(set.header().zxid(), after.mzxid());
        assertEquals(ErrorCode.BAD_VERSION,
                c.call(OpCode.SET_DATA, new SetDataRequest("/a", bytes("z"), 0)).header().err());
        assertEquals(ErrorCode.NOT_EMPTY, c.call(OpCode.DELETE, new DeleteRequest("/a", -1)).header().err());
        assertEquals(ErrorCode.NO_NODE,
                c.call(OpCode.CREATE, new CreateRequest("/missing/x", null, OPEN, 0)).header().err());
        assertEquals(ErrorCode.NODE_EXISTS,
                c.call(OpCode.CREATE, new CreateRequest("/a", null, OPEN, 0)).header().err());
        assertEquals(ErrorCode.BAD_ARGUMENTS,
                c.call(OpCode.DELETE, new DeleteRequest("/zookeeper", -1)).header().err());
    }

    @Test
    void sequentialSuffixComesFromTheCreateCounterAndIsNeverReused() throws Exception {
        TestClient c = client();
        c.call(OpCode.CREATE, new CreateRequest("/q", null, OPEN, 0));
        String first = CreateResponse.read(c.call(OpCode.CREATE, new CreateRequest("/q/n-", null, OPEN, 2)).body()).path();
        assertEquals("/q/n-0000000000", first);
        c.call(OpCode.DELETE, new DeleteRequest(first, -1));
        String second = CreateResponse.read(c.call(OpCode.CREATE, new CreateRequest("/q/n-", null, OPEN, 2)).body()).path();
        assertEquals("/q/n-0000000001", second);
    }

    @Test
    void ephemeralsDisappearWhenTheSessionCloses() throws Exception {
        TestClient owner = client();
        TestClient observer = client();
        owner.call(OpCode.CREATE, new CreateRequest("/e", null, OPEN, 1));
        assertEquals(ErrorCode.NO_CHILDREN_FOR_EPHEMERALS,
                owner.call(OpCode.CREATE, new CreateRequest("/e/x", null, OPEN, 0)).header().err());
        assertEquals(0, observer.call(OpCode.EXISTS, new ExistsRequest("/e", true)).header().err());
        TestClient.Reply closed = owner.call(OpCode.CLOSE_SESSION, null);
        assertEquals(0, closed.header().err());
        await(() -> owner.conn.closeAfterFlush.get(), "connection closed after the closeSession reply");
        assertEquals(ErrorCode.NO_NODE, observer.call(OpCode.EXISTS, new ExistsRequest("/e", false)).header().err());
        assertEquals(List.of(new WatcherEvent(EventType.NODE_DELETED, 3, "/e")), observer.events);
    }

    @Test
    void expiredSessionLosesItsEphemeralsAndCannotReconnect() throws Exception {
        TestClient owner = client();
        owner.call(OpCode.CREATE, new CreateRequest("/gone", null, OPEN, 1));
        TestClient observer = client();
        nowMs.addAndGet(10_000); // far past both sessions' deadlines
        await(() -> !owner.conn.open.get(), "owner's connection closed on expiry");
        TestClient again = new TestClient(server);
        ConnectResponse r = again.connect(100, owner.sessionId, owner.password);
        assertEquals(0, r.timeOut());
        assertEquals(0, r.sessionId());
        assertArrayEquals(new byte[16], r.passwd());
        TestClient fresh = client();
        await(() -> exists(fresh, "/gone") == ErrorCode.NO_NODE, "ephemeral of the expired session deleted");
        assertFalse(observer.conn.open.get(), "the idle observer expired too");
    }

    @Test
    void reconnectWithTheRightPasswordKeepsTheSessionAndClosesTheOldConnection() throws Exception {
        TestClient first = client();
        first.call(OpCode.CREATE, new CreateRequest("/mine", null, OPEN, 1));
        TestClient second = new TestClient(server);
        ConnectResponse r = second.connect(100, first.sessionId, first.password);
        assertEquals(first.sessionId, r.sessionId());
        assertArrayEquals(first.password, r.passwd());
        assertFalse(first.conn.open.get(), "one connection per session");
        assertEquals(0, second.call(OpCode.EXISTS, new ExistsRequest("/mine", false)).header().err());
        TestClient wrong = new TestClient(server);
        byte[] bad = first.password.clone();
        bad[0] ^= 1;
        assertEquals(0, wrong.connect(100, first.sessionId, bad).timeOut());
    }

    @Test
    void watchEventReachesTheWriterBeforeItsOwnReply() throws Exception {
        TestClient c = client();
        c.call(OpCode.CREATE, new CreateRequest("/w", bytes("1"), OPEN, 0));
        c.call(OpCode.GET_DATA, new GetDataRequest("/w", true));
        c.call(OpCode.SET_DATA, new SetDataRequest("/w", bytes("2"), -1));
        assertEquals(List.of(new WatcherEvent(EventType.NODE_DATA_CHANGED, 3, "/w")), c.events);
        c.call(OpCode.SET_DATA, new SetDataRequest("/w", bytes("3"), -1));
        assertEquals(1, c.events.size(), "a one-shot watch fires once");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderAndReadsSeeEarlierWrites() throws Exception {
        TestClient c = client();
        int create = c.send(OpCode.CREATE, new CreateRequest("/p", bytes("v1"), OPEN, 0));
        int read = c.send(OpCode.GET_DATA, new GetDataRequest("/p", false));
        int set = c.send(OpCode.SET_DATA, new SetDataRequest("/p", bytes("v2"), 0));
        int read2 = c.send(OpCode.GET_DATA, new GetDataRequest("/p", false));
        int sync = c.send(OpCode.SYNC, new SyncRequest("/p"));
        assertEquals(create, c.reply().header().xid());
        TestClient.Reply r1 = c.reply();
        assertEquals(read, r1.header().xid());
        assertArrayEquals(bytes("v1"), GetDataResponse.read(r1.body()).data());
        assertEquals(set, c.reply().header().xid());
        TestClient.Reply r2 = c.reply();
        assertEquals(read2, r2.header().xid());
        assertArrayEquals(bytes("v2"), GetDataResponse.read(r2.body()).data());
        TestClient.Reply s = c.reply();
        assertEquals(sync, s.header().xid());
        assertEquals("/p", SyncResponse.read(s.body()).path());
    }

    @Test
    void failedMultiChangesNothingAndReportsEachOp() throws Exception {
        TestClient c = client();
        c.call(OpCode.CREATE, new CreateRequest("/m", null, OPEN, 0));
        MultiRequest bad = new MultiRequest(List.of(
                new MultiOp(OpCode.CREATE, new CreateRequest("/m/a", null, OPEN, 0)),
                new MultiOp(OpCode.CHECK, new CheckVersionRequest("/m", 7)),
                new MultiOp(OpCode.DELETE, new DeleteRequest("/m", -1))));
        TestClient.Reply r = c.call(OpCode.MULTI, bad);
        assertEquals(0, r.header().err());
        MultiResponse resp = MultiResponse.read(r.body());
        assertEquals(List.of(0, ErrorCode.BAD_VERSION, ErrorCode.RUNTIME_INCONSISTENCY),
                resp.results().stream().map(x -> x.err()).toList());
        assertEquals(ErrorCode.NO_NODE, c.call(OpCode.EXISTS, new ExistsRequest("/m/a", false)).header().err());

        MultiRequest good = new MultiRequest(List.of(
                new MultiOp(OpCode.CREATE, new CreateRequest("/m/a", null, OPEN, 0)),
                new MultiOp(OpCode.CREATE, new CreateRequest("/m/a/b", null, OPEN, 0)),
                new MultiOp(OpCode.CHECK, new CheckVersionRequest("/m", 0)),
                new MultiOp(OpCode.SET_DATA, new SetDataRequest("/m/a", bytes("d"), 0))));
        MultiResponse ok = MultiResponse.read(c.call(OpCode.MULTI, good).body());
        assertEquals(List.of(OpCode.CREATE, OpCode.CREATE, OpCode.CHECK, OpCode.SET_DATA),
                ok.results().stream().map(x -> x.type()).toList());
        assertEquals("/m/a/b", ((CreateResponse) ok.results().get(1).body()).path());
    }

    @Test
    void unknownOpcodeIsAnsweredUnimplementedAndTheConnectionClosed() throws Exception {
        TestClient c = client();
        int x = c.send(999, null);
        TestClient.Reply r = c.reply();
        assertEquals(x, r.header().xid());
        assertEquals(ErrorCode.UNIMPLEMENTED, r.header().err());
        assertTrue(c.conn.closeAfterFlush.get());
    }

    @Test
    void truncatedBodyIsAMarshallingError() throws Exception {
        TestClient c = client();
        c.sendRaw(new byte[] {0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0, 50, '/'});
        TestClient.Reply r = c.reply();
        assertEquals(9, r.header().xid());
        assertEquals(ErrorCode.MARSHALLING_ERROR, r.header().err());
        assertEquals(0, c.call(OpCode.EXISTS, new ExistsRequest("/", false)).header().err(), "still serving");
    }

    @Test
    void invalidPathsAreBadArgumentsOnceTheParentIsFound() throws Exception {
        TestClient c = client();
        c.call(OpCode.CREATE, new CreateRequest("/a", null, OPEN, 0));
        for (String p : List.of("a", "/a/", "/.", "/..", "/a/.", "/\u0001", "/\ud83d\ude00")) {
            int err = c.call(OpCode.CREATE, new CreateRequest(p, null, OPEN, 0)).header().err();
            assertEquals(ErrorCode.BAD_ARGUMENTS, err, p);
        }
        // ZooKeeper looks the parent up before it validates the whole path (WIRE-PROTOCOL.md §10.5).
        for (String p : List.of("/a//b", "/a/./b", "/x/../b")) {
            int err = c.call(OpCode.CREATE, new CreateRequest(p, null, OPEN, 0)).header().err();
            assertEquals(ErrorCode.NO_NODE, err, p);
        }
    }

    @Test
    void worldAclIsEnforcedAndUnknownSchemesAreInvalid() throws Exception {
        TestClient c = client();
        List<Acl> readOnly = Acl.READ_ACL_UNSAFE;
        c.call(OpCode.CREATE, new CreateRequest("/ro", null, readOnly, 0));
        assertEquals(ErrorCode.NO_AUTH,
                c.call(OpCode.SET_DATA, new SetDataRequest("/ro", bytes("x"), -1)).header().err());
        assertEquals(ErrorCode.NO_AUTH,
                c.call(OpCode.CREATE, new CreateRequest("/ro/kid", null, OPEN, 0)).header().err());
        assertEquals(ErrorCode.INVALID_ACL, c.call(OpCode.CREATE,
                new CreateRequest("/x", null, List.of(new Acl(31, new Id("nosuch", "id"))), 0)).header().err());
        assertEquals(ErrorCode.INVALID_ACL, c.call(OpCode.CREATE,
                new CreateRequest("/x", null, List.of(new Acl(31, Id.AUTH_IDS)), 0)).header().err());
        assertEquals(ErrorCode.INVALID_ACL,
                c.call(OpCode.CREATE, new CreateRequest("/x", null, List.of(), 0)).header().err());
    }

    @Test
    void snapshotRestoresTheTreeAndSessionsExactly() throws Exception {
        TestClient c = client();
        c.call(OpCode.CREATE, new CreateRequest("/s", bytes("root"), OPEN, 0));
        c.call(OpCode.CREATE, new CreateRequest("/s/q-", null, OPEN, 2));
        c.call(OpCode.CREATE, new CreateRequest("/s/e", bytes("eph"), Acl.READ_ACL_UNSAFE, 1));
        c.call(OpCode.SET_DATA, new SetDataRequest("/s", bytes("v2"), 0));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        server.stateMachine().writeSnapshot(out);

        ServerConfig config = new ServerConfig(1, 10, 20, 200, Set.of(), 0xfffff, 100, false, Map.of(), false, 60_000);
        ZkServer restored = new ZkServer(config, () -> 0L, () -> nowMs.get() * 1_000_000L, List.of());
        long zxid = server.lastAppliedZxid();
        restored.stateMachine().restoreSnapshot(new java.io.ByteArrayInputStream(out.toByteArray()), zxid);
        StandaloneReplicator repl = new StandaloneReplicator(restored.stateMachine(), 10);
        restored.start(repl);
        repl.start();
        try {
            TestClient back = new TestClient(restored);
            assertEquals(c.sessionId, back.connect(100, c.sessionId, c.password).sessionId(),
                    "the session survives with its password");
            for (String path : List.of("/", "/s", "/s/q-0000000000", "/s/e", "/zookeeper", "/zookeeper/config")) {
                GetDataResponse before = GetDataResponse.read(c.call(OpCode.GET_DATA, new GetDataRequest(path, false)).body());
                GetDataResponse after = GetDataResponse.read(back.call(OpCode.GET_DATA, new GetDataRequest(path, false)).body());
                assertArrayEquals(before.data(), after.data(), path);
                assertEquals(before.stat(), after.stat(), path);
            }
            String next = CreateResponse.read(back.call(OpCode.CREATE, new CreateRequest("/s/q-", null, OPEN, 2)).body()).path();
            assertEquals("/s/q-0000000002", next, "the sequence counter survives");
        } finally {
            restored.close();
            repl.close();
        }
    }

    @Test
    void quotaStatsFollowTheSubtreeAndHardLimitsAreEnforced() throws Exception {
        TestClient c = client();
        c.call(OpCode.CREATE, new CreateRequest("/q1", bytes("abc"), OPEN, 0));
        c.call(OpCode.CREATE, new CreateRequest("/zookeeper/quota/q1", null, OPEN, 0));
        c.call(OpCode.CREATE, new CreateRequest("/zookeeper/quota/q1/zookeeper_limits",
                bytes("count=-1,bytes=-1,countHardLimit=3,byteHardLimit=10"), OPEN, 0));
        c.call(OpCode.CREATE, new CreateRequest("/zookeeper/quota/q1/zookeeper_stats", bytes("count=0,bytes=0"), OPEN, 0));
        assertEquals("count=1,bytes=3", statsOf(c, "/q1"), "usage is computed when the stats node appears");
        c.call(OpCode.CREATE, new CreateRequest("/q1/a", bytes("12345"), OPEN, 0));
        assertEquals("count=2,bytes=8", statsOf(c, "/q1"));
        assertEquals(ErrorCode.QUOTA_EXCEEDED,
                c.call(OpCode.CREATE, new CreateRequest("/q1/b", bytes("123"), OPEN, 0)).header().err(), "bytes");
        assertEquals(0, c.call(OpCode.CREATE, new CreateRequest("/q1/b", null, OPEN, 0)).header().err());
        assertEquals(ErrorCode.QUOTA_EXCEEDED,
                c.call(OpCode.CREATE, new CreateRequest("/q1/c", null, OPEN, 0)).header().err(), "count");
        assertEquals(ErrorCode.QUOTA_EXCEEDED,
                c.call(OpCode.SET_DATA, new SetDataRequest("/q1/a", bytes("123456789"), -1)).header().err());
        c.call(OpCode.DELETE, new DeleteRequest("/q1/a", -1));
        assertEquals("count=2,bytes=3", statsOf(c, "/q1"));
        assertEquals(0, c.call(OpCode.CREATE, new CreateRequest("/q1/c", null, OPEN, 0)).header().err());
    }

    private static String statsOf(TestClient c, String subtree) throws InterruptedException {
        TestClient.Reply r = c.call(OpCode.GET_DATA,
                new GetDataRequest("/zookeeper/quota" + subtree + "/zookeeper_stats", false));
        return new String(GetDataResponse.read(r.body()).data(), StandardCharsets.UTF_8);
    }

    @Test
    void fourLetterWordsRespectTheWhitelist() {
        var h = server.connectionHandler();
        FakeConnection conn = new FakeConnection();
        assertEquals("imok", h.fourLetterWord(conn, "ruok"));
        assertTrue(h.fourLetterWord(conn, "srvr").contains("Mode: standalone"));
        assertEquals("mntr is not executed because it is not in the whitelist.\n", h.fourLetterWord(conn, "mntr"));
        assertEquals(null, h.fourLetterWord(conn, "abcd"));
    }

    @Test
    void confShowsTheBoundPlainAndSecurePortsWhereTheConfigListsThem() {
        Map<String, String> dump = new java.util.LinkedHashMap<>();
        dump.put("clientPort", "-1");
        dump.put("secureClientPort", "-1");
        dump.put("tickTime", "10");
        ServerConfig config = new ServerConfig(1, 10, 20, 200, Set.of("conf"), 0xfffff, 100, false, dump, true, 60_000);
        try (ZkServer withPorts = new ZkServer(config, () -> 0L, () -> 0L, List.of())) {
            var h = withPorts.connectionHandler();
            assertEquals("clientPort=-1\nsecureClientPort=-1\ntickTime=10\n",
                    h.fourLetterWord(new FakeConnection(), "conf"));
            withPorts.secureClientListenerBound(listenerOn(2281));
            assertEquals("clientPort=-1\nsecureClientPort=2281\ntickTime=10\n",
                    h.fourLetterWord(new FakeConnection(), "conf"), "a secure port only");
            withPorts.clientListenerBound(listenerOn(2181));
            assertTrue(h.fourLetterWord(new FakeConnection(), "conf")
                    .startsWith("clientPort=2181\nsecureClientPort=2281\ntickTime=10\n"));
        }
    }

    private static io.paddock.api.transport.ClientListener listenerOn(int port) {
        return new io.paddock.api.transport.ClientListener() {
            @Override
            public java.net.InetSocketAddress localAddress() {
                return new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port);
            }

            @Override
            public int connectionCount() {
                return 0;
            }

            @Override
            public void close() {}
        };
    }
}
