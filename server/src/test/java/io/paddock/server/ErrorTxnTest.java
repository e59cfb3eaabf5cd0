package io.paddock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.paddock.api.Acl;
import io.paddock.protocol.ErrorCode;
import io.paddock.protocol.MalformedRecordException;
import io.paddock.server.inspect.TxnFormatter;
import io.paddock.server.txn.Txn;
import io.paddock.server.txn.TxnCodec;
import io.paddock.server.txn.TxnHeader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The error txn a leader proposes for a failed forwarded request: codec, log line, apply, replay over a snapshot. */
class ErrorTxnTest {
    private static final TxnHeader HEADER = new TxnHeader(0x0200_0000_0000_0001L, 7, 1_700_000_000_000L);
    private static final Txn.Error FAILED_MULTI = new Txn.Error(ErrorCode.BAD_VERSION,
            List.of(ErrorCode.OK, ErrorCode.BAD_VERSION, ErrorCode.RUNTIME_INCONSISTENCY));

    private static ZkServer server() {
        ServerConfig config = new ServerConfig(1, 10, 20, 200, Set.of(), 0xfffff, 100, false, Map.of(), false, 60_000);
        return new ZkServer(config, () -> 1_700_000_000_000L, () -> 0L, List.of());
    }

    private static ByteBuffer txn(Txn t) {
        return TxnCodec.encode(HEADER, t);
    }

    @Test
    void errorTxnsRoundTripThroughTheCodec() {
        for (Txn.Error e : List.of(new Txn.Error(ErrorCode.NO_NODE, List.of()), FAILED_MULTI)) {
            TxnCodec.Decoded d = TxnCodec.decode(txn(e));
            assertEquals(HEADER, d.header());
            assertEquals(e, d.txn());
        }
    }

    @Test
    void aCutOrHostileErrorTxnDoesNotDecode() {
        ByteBuffer whole = txn(FAILED_MULTI);
        ByteBuffer cut = whole.duplicate().limit(whole.limit() - 2);
        assertThrows(MalformedRecordException.class, () -> TxnCodec.decode(cut));
        ByteBuffer hostile = txn(new Txn.Error(ErrorCode.NO_NODE, List.of()));
        hostile.putInt(hostile.limit() - 4, Integer.MAX_VALUE); // the op-result count
        assertThrows(MalformedRecordException.class, () -> TxnCodec.decode(hostile));
        ByteBuffer nested = txn(new Txn.Multi(List.of(new Txn.Error(ErrorCode.NO_NODE, List.of()))));
        assertThrows(MalformedRecordException.class, () -> TxnCodec.decode(nested));
    }

    @Test
    void theLogFormatterPrintsTheCodeAndThePerOpResults() {
        assertEquals("0x5 session 0x200000000000001 cxid 7 2023-11-14T22:13:20Z error -101",
                TxnFormatter.format(5, txn(new Txn.Error(ErrorCode.NO_NODE, List.of()))));
        assertEquals("0x6 session 0x200000000000001 cxid 7 2023-11-14T22:13:20Z error -103 ops [0, -103, -2]",
                TxnFormatter.format(6, txn(FAILED_MULTI)));
    }

    @Test
    void applyingAnErrorTxnChangesNothingButTheZxidAndReplaysOverASnapshot() throws Exception {
        Txn create = new Txn.Create("/a", new byte[] {1}, Acl.OPEN_ACL_UNSAFE, 0, 1);
        Txn set = new Txn.SetData("/a", new byte[] {2}, 1);
        try (ZkServer withErrors = server(); ZkServer without = server(); ZkServer restored = server();
                ZkServer atOne = server()) {
            withErrors.stateMachine().apply(1, txn(create), null);
            withErrors.stateMachine().apply(2, txn(FAILED_MULTI), null);
            withErrors.stateMachine().apply(3, txn(set), null);
            assertEquals(3, withErrors.lastAppliedZxid());
            without.stateMachine().apply(1, txn(create), null);
            without.stateMachine().apply(3, txn(set), null);
            assertEquals(without.treeDigest(), withErrors.treeDigest(), "the error txn left the tree alone");

            // A fuzzy snapshot taken at 1 and the log after it (error txn included) replayed on top.
            ByteArrayOutputStream snap = new ByteArrayOutputStream();
            atOne.stateMachine().apply(1, txn(create), null);
            atOne.stateMachine().writeSnapshot(snap);
            restored.stateMachine().apply(1, txn(new Txn.Create("/stale", null, Acl.OPEN_ACL_UNSAFE, 0, 1)), null);
            restored.stateMachine().restoreSnapshot(new ByteArrayInputStream(snap.toByteArray()), 1);
            restored.stateMachine().apply(2, txn(FAILED_MULTI), null);
            restored.stateMachine().apply(3, txn(set), null);
            assertEquals(3, restored.lastAppliedZxid());
            assertEquals(withErrors.treeDigest(), restored.treeDigest(),
                    "restore replaced the whole tree (no /stale) and the replay tolerated the error txn");
        }
    }

    @Test
    void restoringASnapshotReplacesTheSessionTable() throws Exception {
        try (ZkServer source = server(); ZkServer target = server()) {
            source.stateMachine().apply(1, TxnCodec.encode(new TxnHeader(11, 0, 0), new Txn.CreateSession(100,
                    new byte[16])), null);
            target.stateMachine().apply(1, TxnCodec.encode(new TxnHeader(22, 0, 0), new Txn.CreateSession(100,
                    new byte[16])), null);
            ByteArrayOutputStream snap = new ByteArrayOutputStream();
            source.stateMachine().writeSnapshot(snap);
            target.stateMachine().restoreSnapshot(new ByteArrayInputStream(snap.toByteArray()), 1);
            assertNotNull(target.session(11));
            assertNull(target.session(22));
        }
    }
}
