package io.paddock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.api.Acl;
import io.paddock.api.Id;
import io.paddock.api.Perms;
import io.paddock.api.replication.Role;
import io.paddock.api.transport.TransportConfig;
import io.paddock.protocol.AuthPacket;
import io.paddock.protocol.CreateRequest;
import io.paddock.protocol.ErrorCode;
import io.paddock.protocol.ExistsRequest;
import io.paddock.protocol.MultiOp;
import io.paddock.protocol.MultiRequest;
import io.paddock.protocol.OpCode;
import io.paddock.protocol.SetDataRequest;
import io.paddock.protocol.Xids;
import io.paddock.server.inspect.SnapshotDecoder;
import io.paddock.server.inspect.SnapshotNode;
import io.paddock.server.inspect.SnapshotSession;
import io.paddock.server.txn.Txn;
import io.paddock.server.txn.TxnCodec;
import io.paddock.server.txn.TxnHeader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The prepare stage refuses a write whose txn is over {@link ServerConfig#txnBytesMax()} (what a peer link can carry)
 * instead of proposing it: MARSHALLINGERROR to a local client, an error txn for a forwarded one.
 */
class TxnBoundTest {
    /** Small enough that an {@code auth} ACL expanded over 40 long ids is over it, large enough for the rest. */
    private static final int BOUND = 2048;
    private static final List<Acl> AUTH_ACL = List.of(new Acl(Perms.ALL, Id.AUTH_IDS));
    private FakeEnsemble ensemble;

    @AfterEach
    void stop() {
        if (ensemble != null) {
            ensemble.close();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Adds {@code n} ids of about 100 bytes each to the client's session. */
    private static void authenticate(TestClient c, int n) throws InterruptedException {
        for (int i = 0; i < n; i++) {
            c.sendWithXid(Xids.AUTH, OpCode.AUTH, new AuthPacket(0, "name", bytes(String.format("%0100d", i))));
            assertEquals(ErrorCode.OK, c.reply().header().err());
        }
    }

    private static int exists(TestClient c, String path) throws InterruptedException {
        return c.call(OpCode.EXISTS, new ExistsRequest(path, false)).header().err();
    }

    private static Txn txnAt(FakeEnsemble e, long zxid) {
        return TxnCodec.decode(e.committedTxns().get((int) zxid - 1).duplicate()).txn();
    }

    @Test
    void theDefaultBoundLeavesRoomForTheProposalHeaderOfThePeerFrameLimit() {
        int peer = new TransportConfig(0, 0xfffff, 1, 1, Map.of()).peerFrameBytesMax();
        assertEquals(peer - ServerConfig.REPLICATION_HEADER_BYTES_RESERVED, ServerConfig.defaults().txnBytesMax());
        assertTrue(ServerConfig.REPLICATION_HEADER_BYTES_RESERVED >= 21, "ZAB's Proposal header is 21 bytes");
        ServerConfig small = ServerConfig.defaults().withTxnBytesMax(BOUND);
        assertEquals(BOUND, small.txnBytesMax());
        assertEquals(ServerConfig.defaults().withTxnBytesMax(BOUND).frameBytesMax(), small.frameBytesMax());
        assertEquals(1, ServerConfig.txnBytesMaxFor(10));
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.defaults().withTxnBytesMax(0));
    }

    @Test
    void anOversizedTxnOfALocalClientIsRefusedAndNothingIsProposed() throws Exception {
        ensemble = new FakeEnsemble(BOUND, List.of(new NameScheme()));
        FakeEnsemble e = ensemble;
        TestClient many = e.member(0).client(100);
        authenticate(many, 40);
        int before = e.committedTxns().size();
        assertEquals(ErrorCode.MARSHALLING_ERROR,
                many.call(OpCode.CREATE, new CreateRequest("/big", null, AUTH_ACL, 0)).header().err());
        assertEquals(ErrorCode.MARSHALLING_ERROR, many.call(OpCode.MULTI, new MultiRequest(List.of(
                new MultiOp(OpCode.CREATE, new CreateRequest("/big", null, AUTH_ACL, 0))))).header().err());
        assertEquals(before, e.committedTxns().size(), "nothing was proposed");
        assertEquals(ErrorCode.NO_NODE, exists(many, "/big"));

        // The prepare stage goes on and kept nothing of the refused create: the same path can be made.
        assertEquals(ErrorCode.OK,
                many.call(OpCode.CREATE, new CreateRequest("/big", null, Acl.OPEN_ACL_UNSAFE, 0)).header().err());
        TestClient few = e.member(0).client(100);
        authenticate(few, 2);
        assertEquals(ErrorCode.OK,
                few.call(OpCode.CREATE, new CreateRequest("/small", null, AUTH_ACL, 0)).header().err());
        assertEquals(ErrorCode.OK, exists(few, "/small"));
    }

    @Test
    void anOversizedForwardedTxnIsAnsweredOnTheLearnerInOrder() throws Exception {
        ensemble = new FakeEnsemble(BOUND, List.of(new NameScheme()), Role.FOLLOWER);
        FakeEnsemble e = ensemble;
        TestClient c = e.member(1).client(100);
        authenticate(c, 40);
        int big = c.send(OpCode.CREATE, new CreateRequest("/big", null, AUTH_ACL, 0));
        int bigMulti = c.send(OpCode.MULTI, new MultiRequest(List.of(
                new MultiOp(OpCode.CREATE, new CreateRequest("/big", null, AUTH_ACL, 0)))));
        int open = c.send(OpCode.CREATE, new CreateRequest("/big", null, Acl.OPEN_ACL_UNSAFE, 0));
        int set = c.send(OpCode.SET_DATA, new SetDataRequest("/big", bytes("x"), 0));
        TestClient.Reply r1 = c.reply();
        TestClient.Reply r2 = c.reply();
        TestClient.Reply r3 = c.reply();
        TestClient.Reply r4 = c.reply();
        assertEquals(List.of(big, bigMulti, open, set),
                List.of(r1.header().xid(), r2.header().xid(), r3.header().xid(), r4.header().xid()));
        assertEquals(ErrorCode.MARSHALLING_ERROR, r1.header().err());
        assertEquals(ErrorCode.MARSHALLING_ERROR, r2.header().err());
        assertEquals(ErrorCode.OK, r3.header().err());
        assertEquals(ErrorCode.OK, r4.header().err());
        assertTrue(r1.header().zxid() < r2.header().zxid() && r2.header().zxid() < r3.header().zxid());
        assertEquals(new Txn.Error(ErrorCode.MARSHALLING_ERROR, List.of()), txnAt(e, r1.header().zxid()));
        assertEquals(new Txn.Error(ErrorCode.MARSHALLING_ERROR, List.of()), txnAt(e, r2.header().zxid()));
        for (ByteBuffer t : e.committedTxns()) {
            assertTrue(t.remaining() <= BOUND, "a txn over the bound was proposed");
        }

        // the same create from a session with few ids goes through
        TestClient few = e.member(1).client(100);
        authenticate(few, 2);
        assertEquals(ErrorCode.OK,
                few.call(OpCode.CREATE, new CreateRequest("/small", null, AUTH_ACL, 0)).header().err());
        e.quiesce();
        assertEquals(e.member(0).server.treeDigest(), e.member(1).server.treeDigest());
    }

    @Test
    void aNodeWhoseAclIsAsLargeAsTheTxnBoundSurvivesASnapshotAndTheInspector() throws Exception {
        // jute.maxbuffer 4096: the txn bound is the peer floor (256 KiB) less the reserve, far above the old record
        // bound of 2 x 4096 + 4096 bytes.
        ServerConfig config = new ServerConfig(1, 10, 20, 200, Set.of(), 4096, 100, false, Map.of(), false, 60_000);
        List<Acl> acl = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            acl.add(new Acl(Perms.ALL, new Id("name", String.format("%0100d", i))));
        }
        ByteBuffer create = TxnCodec.encode(new TxnHeader(0, 0, 0), new Txn.Create("/wide", null, acl, 0, 1));
        assertTrue(create.remaining() > 2 * 4096 + 4096 && create.remaining() <= config.txnBytesMax(),
                "a txn the leader may propose whose node record outgrows the old bound");
        try (ZkServer source = new ZkServer(config, () -> 0L, () -> 0L, List.of());
                ZkServer target = new ZkServer(config, () -> 0L, () -> 0L, List.of())) {
            source.stateMachine().apply(1, create, null);
            ByteArrayOutputStream snap = new ByteArrayOutputStream();
            source.stateMachine().writeSnapshot(snap);
            target.stateMachine().restoreSnapshot(new ByteArrayInputStream(snap.toByteArray()), 1);
            assertEquals(source.treeDigest(), target.treeDigest());
            int[] nodes = {0};
            SnapshotDecoder.read(new ByteArrayInputStream(snap.toByteArray()), SnapshotDecoder.recordBytesMax(4096),
                    new SnapshotDecoder.Visitor() {
                        @Override
                        public void session(SnapshotSession session) {
                        }

                        @Override
                        public void node(SnapshotNode node) {
                            nodes[0]++;
                        }
                    });
            assertTrue(nodes[0] >= 2, "the inspector read the wide node too");
        }
    }
}
