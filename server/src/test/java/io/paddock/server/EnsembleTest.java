package io.paddock.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.api.Acl;
import io.paddock.api.Id;
import io.paddock.api.Perms;
import io.paddock.api.replication.ForwardedRequest;
import io.paddock.api.replication.Role;
import io.paddock.protocol.AuthPacket;
import io.paddock.protocol.CheckVersionRequest;
import io.paddock.protocol.ConnectResponse;
import io.paddock.protocol.Create2Response;
import io.paddock.protocol.CreateRequest;
import io.paddock.protocol.CreateResponse;
import io.paddock.protocol.DeleteRequest;
import io.paddock.protocol.ErrorCode;
import io.paddock.protocol.ExistsRequest;
import io.paddock.protocol.GetDataRequest;
import io.paddock.protocol.GetDataResponse;
import io.paddock.protocol.MultiOp;
import io.paddock.protocol.MultiRequest;
import io.paddock.protocol.MultiResponse;
import io.paddock.protocol.MultiResult;
import io.paddock.protocol.OpCode;
import io.paddock.protocol.SetACLRequest;
import io.paddock.protocol.SetDataRequest;
import io.paddock.protocol.SetDataResponse;
import io.paddock.protocol.SyncRequest;
import io.paddock.protocol.SyncResponse;
import io.paddock.protocol.Xids;
import io.paddock.server.admin.FourLetterWords;
import io.paddock.server.session.Session;
import io.paddock.server.txn.Txn;
import io.paddock.server.txn.TxnCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Leader, followers and observers as real ZkServers behind {@link FakeEnsemble}, driven through their handlers. */
class EnsembleTest {
    private static final List<Acl> OPEN = Acl.OPEN_ACL_UNSAFE;
    private FakeEnsemble ensemble;

    @AfterEach
    void stop() {
        if (ensemble != null) {
            ensemble.close();
        }
    }

    private FakeEnsemble ensemble(Role... learners) {
        ensemble = new FakeEnsemble(List.of(new NameScheme()), learners);
        return ensemble;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.onSpinWait();
        }
    }

    private static int exists(TestClient c, String path) throws InterruptedException {
        return c.call(OpCode.EXISTS, new ExistsRequest(path, false)).header().err();
    }

    private static void ping(TestClient c) throws InterruptedException {
        c.sendWithXid(Xids.PING, OpCode.PING, null);
        assertEquals(Xids.PING, c.reply().header().xid());
    }

    private static Txn.Error errorTxn(java.nio.ByteBuffer txn) {
        return (Txn.Error) TxnCodec.decode(txn.duplicate()).txn();
    }

    @Test
    void writesThroughAFollowerGetLeaderZxidsAndReachEveryServer() throws Exception {
        FakeEnsemble e = ensemble(Role.FOLLOWER);
        TestClient c = e.member(1).client(100);
        assertEquals(2, c.sessionId >>> 56, "the learner the client reached makes its session id");
        e.quiesce(); // the follower answered once it applied; the leader's own apply may come a moment later
        Session atLeader = e.member(0).server.session(c.sessionId);
        assertNotNull(atLeader, "createSession was forwarded and committed");
        assertArrayEquals(c.password, atLeader.password(), "the password travels in the createSession txn");

        TestClient.Reply created = c.call(OpCode.CREATE2, new CreateRequest("/a", bytes("x"), OPEN, 0));
        assertEquals(ErrorCode.OK, created.header().err());
        Create2Response cr = Create2Response.read(created.body());
        assertEquals(created.header().zxid(), cr.stat().czxid());
        assertEquals("/a/b", CreateResponse.read(c.call(OpCode.CREATE, new CreateRequest("/a/b", null, OPEN, 0))
                .body()).path(), "create (not create2) gets a CreateResponse");

        TestClient.Reply set = c.call(OpCode.SET_DATA, new SetDataRequest("/a", bytes("yy"), 0));
        assertEquals(ErrorCode.OK, set.header().err());
        io.paddock.api.Stat setStat = SetDataResponse.read(set.body()).stat();
        assertEquals(1, setStat.version());
        assertEquals(set.header().zxid(), setStat.mzxid());
        assertEquals(ErrorCode.OK, c.call(OpCode.SET_DATA, new SetDataRequest("/a", bytes("zz"), 1)).header().err());

        TestClient.Reply multi = c.call(OpCode.MULTI, new MultiRequest(List.of(
                new MultiOp(OpCode.CHECK, new CheckVersionRequest("/a", 2)),
                new MultiOp(OpCode.CREATE, new CreateRequest("/a/m", null, OPEN, 0)),
                new MultiOp(OpCode.DELETE, new DeleteRequest("/a/b", -1)),
                new MultiOp(OpCode.SET_DATA, new SetDataRequest("/a", bytes("m"), 2)))));
        List<MultiResult> results = MultiResponse.read(multi.body()).results();
        assertEquals(List.of(OpCode.CHECK, OpCode.CREATE, OpCode.DELETE, OpCode.SET_DATA),
                results.stream().map(MultiResult::type).toList());
        assertEquals(ErrorCode.OK, c.call(OpCode.DELETE, new DeleteRequest("/a/m", -1)).header().err());

        e.quiesce();
        TestClient atLeaderClient = e.member(0).client(100);
        GetDataResponse leaderView = GetDataResponse.read(
                atLeaderClient.call(OpCode.GET_DATA, new GetDataRequest("/a", false)).body());
        assertArrayEquals(bytes("m"), leaderView.data());
        assertEquals(3, leaderView.stat().version());
        assertEquals(ErrorCode.NO_NODE, exists(atLeaderClient, "/a/b"));
        e.quiesce();
        assertEquals(e.member(0).server.lastAppliedZxid(), e.member(1).server.lastAppliedZxid());
        assertEquals(e.member(0).server.treeDigest(), e.member(1).server.treeDigest());
        assertEquals(0, e.member(1).server.forwardsWaiting(), "every forwarded request was answered");
    }

    @Test
    void failedForwardedWritesBecomeErrorTxnsAndAreAnsweredInOrder() throws Exception {
        FakeEnsemble e = ensemble(Role.FOLLOWER);
        TestClient c = e.member(1).client(100);
        c.call(OpCode.CREATE, new CreateRequest("/v", null, OPEN, 0));
        int noNode = c.send(OpCode.CREATE, new CreateRequest("/missing/x", null, OPEN, 0));
        int badVersion = c.send(OpCode.SET_DATA, new SetDataRequest("/v", bytes("x"), 7));
        int ok = c.send(OpCode.SET_DATA, new SetDataRequest("/v", bytes("x"), 0));
        int notEmpty = c.send(OpCode.DELETE, new DeleteRequest("/", -1));
        TestClient.Reply r1 = c.reply();
        TestClient.Reply r2 = c.reply();
        TestClient.Reply r3 = c.reply();
        TestClient.Reply r4 = c.reply();
        assertEquals(List.of(noNode, badVersion, ok, notEmpty),
                List.of(r1.header().xid(), r2.header().xid(), r3.header().xid(), r4.header().xid()));
        assertEquals(ErrorCode.NO_NODE, r1.header().err());
        assertEquals(ErrorCode.BAD_VERSION, r2.header().err());
        assertEquals(ErrorCode.OK, r3.header().err());
        assertEquals(ErrorCode.BAD_ARGUMENTS, r4.header().err());
        assertTrue(r1.header().zxid() < r2.header().zxid() && r2.header().zxid() < r3.header().zxid(),
                "each failure took a zxid of its own");
        List<java.nio.ByteBuffer> log = e.committedTxns();
        assertEquals(new Txn.Error(ErrorCode.NO_NODE, List.of()), errorTxn(log.get((int) r1.header().zxid() - 1)));
        assertEquals(new Txn.Error(ErrorCode.BAD_VERSION, List.of()), errorTxn(log.get((int) r2.header().zxid() - 1)));

        // The leader's own clients keep failing without a zxid.
        TestClient local = e.member(0).client(100);
        long before = e.member(0).server.lastAppliedZxid();
        TestClient.Reply localFail = local.call(OpCode.SET_DATA, new SetDataRequest("/v", bytes("y"), 9));
        assertEquals(ErrorCode.BAD_VERSION, localFail.header().err());
        assertEquals(before, e.member(0).server.lastAppliedZxid());
        e.quiesce();
        assertEquals(e.member(0).server.treeDigest(), e.member(1).server.treeDigest());
    }

    @Test
    void aFailingMultiThroughAnObserverGetsItsPerOpErrorsAndChangesNothing() throws Exception {
        FakeEnsemble e = ensemble(Role.OBSERVER);
        TestClient c = e.member(1).client(100);
        TestClient.Reply r = c.call(OpCode.MULTI, new MultiRequest(List.of(
                new MultiOp(OpCode.CREATE, new CreateRequest("/p1", null, OPEN, 0)),
                new MultiOp(OpCode.SET_DATA, new SetDataRequest("/nothing", bytes("x"), -1)),
                new MultiOp(OpCode.CREATE, new CreateRequest("/p2", null, OPEN, 0)))));
        assertEquals(ErrorCode.OK, r.header().err(), "a failed multi has its failure inside, as ZooKeeper");
        List<MultiResult> results = MultiResponse.read(r.body()).results();
        assertEquals(List.of(MultiResult.error(ErrorCode.OK), MultiResult.error(ErrorCode.NO_NODE),
                MultiResult.error(ErrorCode.RUNTIME_INCONSISTENCY)), results);
        assertEquals(ErrorCode.NO_NODE, exists(c, "/p1"));
        assertEquals(new Txn.Error(ErrorCode.NO_NODE,
                List.of(ErrorCode.OK, ErrorCode.NO_NODE, ErrorCode.RUNTIME_INCONSISTENCY)),
                errorTxn(e.committedTxns().get((int) r.header().zxid() - 1)));
        assertEquals(ErrorCode.OK, c.call(OpCode.CREATE, new CreateRequest("/p1", null, OPEN, 0)).header().err());
    }

    @Test
    void aclChecksOnTheLeaderUseTheForwardedIdentities() throws Exception {
        FakeEnsemble e = ensemble(Role.FOLLOWER);
        TestClient alice = e.member(1).client(100);
        alice.sendWithXid(Xids.AUTH, OpCode.AUTH, new AuthPacket(0, "name", bytes("alice")));
        assertEquals(ErrorCode.OK, alice.reply().header().err());
        List<Acl> aliceOnly = List.of(new Acl(Perms.ALL, new Id("name", "alice")));
        assertEquals(ErrorCode.OK, alice.call(OpCode.CREATE, new CreateRequest("/secret", null, aliceOnly, 0))
                .header().err());
        // "auth" expands to the creator's ids on the leader, which only has them from the forwarded request.
        assertEquals(ErrorCode.OK, alice.call(OpCode.CREATE,
                new CreateRequest("/mine", null, List.of(new Acl(Perms.ALL, Id.AUTH_IDS)), 0)).header().err());

        TestClient bob = e.member(1).client(100);
        assertEquals(ErrorCode.NO_AUTH,
                bob.call(OpCode.SET_DATA, new SetDataRequest("/secret", bytes("x"), -1)).header().err());
        assertEquals(ErrorCode.NO_AUTH,
                bob.call(OpCode.CREATE, new CreateRequest("/mine/child", null, OPEN, 0)).header().err());
        assertEquals(ErrorCode.NO_AUTH,
                bob.call(OpCode.SET_ACL, new SetACLRequest("/secret", OPEN, -1)).header().err());
        assertEquals(ErrorCode.OK,
                alice.call(OpCode.SET_DATA, new SetDataRequest("/secret", bytes("x"), -1)).header().err());
        assertEquals(ErrorCode.OK,
                alice.call(OpCode.CREATE, new CreateRequest("/mine/child", null, OPEN, 0)).header().err());
    }

    @Test
    void readsAndSyncBehindForwardedWritesSeeThem() throws Exception {
        FakeEnsemble e = ensemble(Role.FOLLOWER);
        TestClient c = e.member(1).client(100);
        int create = c.send(OpCode.CREATE, new CreateRequest("/r", bytes("1"), OPEN, 0));
        int read = c.send(OpCode.GET_DATA, new GetDataRequest("/r", false));
        int set = c.send(OpCode.SET_DATA, new SetDataRequest("/r", bytes("2"), -1));
        int sync = c.send(OpCode.SYNC, new SyncRequest("/r"));
        int read2 = c.send(OpCode.GET_DATA, new GetDataRequest("/r", false));
        TestClient.Reply a = c.reply();
        TestClient.Reply b = c.reply();
        TestClient.Reply s = c.reply();
        TestClient.Reply y = c.reply();
        TestClient.Reply d = c.reply();
        assertEquals(List.of(create, read, set, sync, read2), List.of(a.header().xid(), b.header().xid(),
                s.header().xid(), y.header().xid(), d.header().xid()));
        assertArrayEquals(bytes("1"), GetDataResponse.read(b.body()).data());
        assertEquals("/r", SyncResponse.read(y.body()).path());
        assertTrue(y.header().zxid() >= s.header().zxid(), "sync completes after the earlier write was applied");
        assertArrayEquals(bytes("2"), GetDataResponse.read(d.body()).data());

        // A sync issued on a follower after another client's committed write makes the write visible.
        TestClient writer = e.member(0).client(100);
        long z = writer.call(OpCode.SET_DATA, new SetDataRequest("/r", bytes("3"), -1)).header().zxid();
        TestClient.Reply synced = c.call(OpCode.SYNC, new SyncRequest("/r"));
        assertTrue(synced.header().zxid() >= z);
        assertArrayEquals(bytes("3"),
                GetDataResponse.read(c.call(OpCode.GET_DATA, new GetDataRequest("/r", false)).body()).data());
    }

    @Test
    void anEphemeralMadeThroughAFollowerIsDeletedWhenTheLeaderExpiresItsSession() throws Exception {
        FakeEnsemble e = ensemble(Role.FOLLOWER);
        TestClient owner = e.member(1).client(100);
        owner.call(OpCode.CREATE, new CreateRequest("/eph", null, OPEN, 1));
        TestClient watcher = e.member(0).client(200);
        assertEquals(ErrorCode.OK, exists(watcher, "/eph"));
        e.quiesce(); // the owner's last touch reached the leader before the clock moves
        e.nowMs.addAndGet(150); // past the owner's 100 ms, within the watcher's 200 ms
        ping(watcher);
        await(() -> !owner.conn.open.get(), "the follower closes the connection of the session the leader expired");
        await(() -> e.member(1).server.session(owner.sessionId) == null, "follower's session table in step");
        e.quiesce();
        assertNull(e.member(0).server.session(owner.sessionId));
        assertEquals(ErrorCode.NO_NODE, exists(watcher, "/eph"));
        e.quiesce();
        assertEquals(e.member(0).server.treeDigest(), e.member(1).server.treeDigest());
        TestClient again = new TestClient(e.member(1).server);
        assertEquals(0, again.connect(100, owner.sessionId, owner.password).sessionId(), "expired stays expired");
    }

    @Test
    void touchesFromALearnerKeepAReadOnlySessionAliveAtTheLeader() throws Exception {
        FakeEnsemble e = ensemble(Role.FOLLOWER);
        TestClient reader = e.member(1).client(100);
        reader.call(OpCode.CREATE, new CreateRequest("/held", null, OPEN, 1));
        for (int i = 0; i < 10; i++) {
            e.nowMs.addAndGet(50); // 500 ms in all: five session timeouts
            ping(reader);
            reader.call(OpCode.EXISTS, new ExistsRequest("/held", false));
            e.quiesce(); // the touch reached the leader before the clock moves on
        }
        assertNotNull(e.member(0).server.session(reader.sessionId));
        assertTrue(reader.conn.open.get());
        assertEquals(ErrorCode.OK, exists(reader, "/held"));
        e.quiesce(); // that read's touch, too, lands before the clock moves

        e.deliverTouches = false; // now the leader hears nothing: it expires the session
        e.nowMs.addAndGet(150);
        await(() -> e.member(0).server.session(reader.sessionId) == null, "leader expires the silent session");
    }

    @Test
    void aNewLeaderGivesEverySessionAFreshTimeoutBeforeExpiringAny() throws Exception {
        FakeEnsemble e = ensemble(Role.FOLLOWER);
        TestClient c = e.member(1).client(100);
        c.call(OpCode.CREATE, new CreateRequest("/kept", null, OPEN, 1));
        e.deliverTouches = false;
        e.role(0, Role.LOOKING); // the old leader is gone before the clock moves, so it cannot expire anything
        e.nowMs.addAndGet(10_000); // far past every deadline on the follower, which does not expire
        Session s = e.member(1).server.session(c.sessionId);
        assertTrue(s.deadlineMs() < e.nowMs.get());
        e.role(1, Role.LEADER);
        assertTrue(s.deadlineMs() >= e.nowMs.get() + 100, "a full timeout from the moment of leading");
        assertNotNull(e.member(1).server.session(c.sessionId));
        e.nowMs.addAndGet(150);
        await(() -> e.member(1).server.session(c.sessionId) == null, "expired once the fresh timeout ran out");
    }

    @Test
    void aSessionMovesToAnotherLearnerWithItsPasswordAndAWrongPasswordIsRefused() throws Exception {
        FakeEnsemble e = ensemble(Role.FOLLOWER, Role.OBSERVER);
        TestClient first = e.member(1).client(100);
        first.call(OpCode.CREATE, new CreateRequest("/moving", null, OPEN, 1));
        e.quiesce();
        TestClient wrong = new TestClient(e.member(2).server);
        byte[] bad = first.password.clone();
        bad[3] ^= 1;
        ConnectResponse refused = wrong.connect(100, first.sessionId, bad);
        assertEquals(0, refused.sessionId());
        await(wrong.conn.closeAfterFlush::get, "refused connection closed");

        TestClient moved = new TestClient(e.member(2).server);
        ConnectResponse r = moved.connect(100, first.sessionId, first.password);
        assertEquals(first.sessionId, r.sessionId());
        assertArrayEquals(first.password, r.passwd());
        assertEquals(ErrorCode.OK, exists(moved, "/moving"), "the session kept its ephemeral");
        assertEquals(ErrorCode.NO_CHILDREN_FOR_EPHEMERALS,
                moved.call(OpCode.CREATE, new CreateRequest("/moving/no", null, OPEN, 0)).header().err());
        assertEquals(ErrorCode.OK, moved.call(OpCode.CREATE, new CreateRequest("/moved", null, OPEN, 1))
                .header().err());
        TestClient.Reply closed = moved.call(OpCode.CLOSE_SESSION, null);
        assertEquals(ErrorCode.OK, closed.header().err());
        await(moved.conn.closeAfterFlush::get, "connection closed after the closeSession reply");
        e.quiesce();
        for (FakeEnsemble.Member m : e.members) {
            assertNull(m.server.session(first.sessionId), "closed everywhere");
        }
        assertEquals(ErrorCode.NO_NODE, exists(e.member(0).client(100), "/moving"));
        assertFalse(first.conn.open.get(), "the first learner closed its stale connection when the close applied");
    }

    @Test
    void goingLookingDropsForwardedRequestsWaitingForAReply() throws Exception {
        FakeEnsemble e = ensemble(Role.FOLLOWER);
        TestClient c = e.member(1).client(100);
        e.heldForwards = new CopyOnWriteArrayList<>();
        c.send(OpCode.CREATE, new CreateRequest("/lost", null, OPEN, 0));
        c.send(OpCode.EXISTS, new ExistsRequest("/lost", false));
        await(() -> e.member(1).server.forwardsWaiting() == 1, "the create waits for its txn");
        assertTrue(c.conn.sent.isEmpty(), "the read waits behind the forwarded write");
        e.role(1, Role.LOOKING);
        assertEquals(0, e.member(1).server.forwardsWaiting());
        assertFalse(c.conn.open.get());

        // A closed connection forgets its waiting forwards too.
        e.heldForwards = null;
        e.role(1, Role.FOLLOWER);
        TestClient d = e.member(1).client(100);
        e.heldForwards = new CopyOnWriteArrayList<>();
        d.send(OpCode.SET_DATA, new SetDataRequest("/", null, -1));
        await(() -> e.member(1).server.forwardsWaiting() == 1, "waiting");
        d.close();
        assertEquals(0, e.member(1).server.forwardsWaiting());
    }

    @Test
    void aLearnerWithoutALeaderClosesTheClientConnection() throws Exception {
        FakeEnsemble e = ensemble(Role.FOLLOWER);
        TestClient c = e.member(1).client(100);
        e.member(0).role = Role.LOOKING; // the fake's leader lookup now finds none: forward throws NotLeaderException
        c.send(OpCode.CREATE, new CreateRequest("/x", null, OPEN, 0));
        await(() -> !c.conn.open.get(), "connection closed");
        assertEquals(0, e.member(1).server.forwardsWaiting());
    }

    @Test
    void theLeaderTurnsAnUndecodableOrUnforwardableRequestIntoAnErrorTxn() throws Exception {
        FakeEnsemble e = ensemble(Role.FOLLOWER);
        TestClient c = e.member(1).client(100);
        FakeEnsemble.Member leader = e.member(0);
        leader.run(() -> leader.server.stateMachine().prepareForwarded(
                new ForwardedRequest(2, c.sessionId, 41, OpCode.CREATE, new byte[] {0, 0, 0x7f, 1}, new String[] {null, "x"})));
        leader.run(() -> leader.server.stateMachine().prepareForwarded(
                new ForwardedRequest(2, c.sessionId, 42, OpCode.GET_DATA, new byte[0], new String[0])));
        leader.run(() -> leader.server.stateMachine().prepareForwarded(
                new ForwardedRequest(2, 0x0200_0000_0000_0777L, 0, OpCode.CREATE_SESSION, new byte[3], new String[0])));
        await(() -> e.committedTxns().size() >= 4, "three error txns after the createSession");
        List<java.nio.ByteBuffer> log = e.committedTxns();
        assertEquals(new Txn.Error(ErrorCode.MARSHALLING_ERROR, List.of()), errorTxn(log.get(1)));
        assertEquals(new Txn.Error(ErrorCode.UNIMPLEMENTED, List.of()), errorTxn(log.get(2)));
        assertEquals(new Txn.Error(ErrorCode.MARSHALLING_ERROR, List.of()), errorTxn(log.get(3)));
        // The follower applied them (nothing waited for them) and still serves.
        assertEquals(ErrorCode.OK, c.call(OpCode.CREATE, new CreateRequest("/fine", null, OPEN, 0)).header().err());
    }

    @Test
    void fourLetterWordsShowTheRoleAndANonServingServerSaysSo() throws Exception {
        FakeEnsemble e = ensemble(Role.FOLLOWER, Role.OBSERVER);
        assertTrue(answer(e, 0, "srvr").contains("Mode: leader\n"));
        assertTrue(answer(e, 1, "srvr").contains("Mode: follower\n"));
        assertTrue(answer(e, 2, "mntr").contains("zk_server_state\tobserver\n"));
        e.role(2, Role.LOOKING);
        assertEquals(FourLetterWords.NOT_SERVING, answer(e, 2, "srvr"));
        assertEquals(FourLetterWords.NOT_SERVING, answer(e, 2, "mntr"));
        assertEquals("null", answer(e, 2, "isro"));
        assertEquals("imok", answer(e, 2, "ruok"));
        TestClient refused = new TestClient(e.member(2).server);
        refused.sendRaw(connectFrame());
        assertFalse(refused.conn.open.get(), "a server that is not serving refuses new clients");
    }

    private static String answer(FakeEnsemble e, int member, String cmd) {
        return e.member(member).server.connectionHandler().fourLetterWord(new FakeConnection(), cmd);
    }

    private static byte[] connectFrame() {
        io.paddock.protocol.JuteOutput out = io.paddock.protocol.JuteOutput.plain();
        new io.paddock.protocol.ConnectRequest(0, 0, 100, 0, new byte[16], false, true).write(out);
        return out.toByteArray();
    }

    @Test
    void ensembleMembershipIsInZookeeperConfigAndSurvivesASnapshotRestore() throws Exception {
        FakeEnsemble e = ensemble(Role.FOLLOWER);
        String text = "server.1=127.0.0.1:2888:3888:participant;127.0.0.1:2181\n"
                + "server.2=127.0.0.1:2889:3889:participant;127.0.0.1:2182\nversion=0";
        long digest = e.member(1).server.treeDigest();
        e.member(1).server.ensembleMembership(text);
        assertEquals(digest, e.member(1).server.treeDigest(), "the membership text stays out of the digest");
        TestClient c = e.member(1).client(100);
        GetDataResponse config = GetDataResponse.read(
                c.call(OpCode.GET_DATA, new GetDataRequest("/zookeeper/config", false)).body());
        assertEquals(text, new String(config.data(), StandardCharsets.UTF_8));

        // A SNAP from a leader whose node says something else: this server's own membership comes back.
        e.member(0).server.ensembleMembership("server.9=elsewhere\nversion=0");
        java.io.ByteArrayOutputStream snap = new java.io.ByteArrayOutputStream();
        e.member(0).server.stateMachine().writeSnapshot(snap);
        e.member(1).server.stateMachine().restoreSnapshot(new java.io.ByteArrayInputStream(snap.toByteArray()),
                e.member(0).server.lastAppliedZxid());
        config = GetDataResponse.read(
                c.call(OpCode.GET_DATA, new GetDataRequest("/zookeeper/config", false)).body());
        assertEquals(text, new String(config.data(), StandardCharsets.UTF_8));
    }
}
