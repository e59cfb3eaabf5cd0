package io.paddock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.api.Acl;
import io.paddock.api.Id;
import io.paddock.api.Perms;
import io.paddock.api.Stat;
import io.paddock.api.storage.TxnCursor;
import io.paddock.protocol.CreateRequest;
import io.paddock.protocol.CreateResponse;
import io.paddock.protocol.DeleteRequest;
import io.paddock.protocol.GetACLRequest;
import io.paddock.protocol.GetACLResponse;
import io.paddock.protocol.GetChildren2Request;
import io.paddock.protocol.GetChildren2Response;
import io.paddock.protocol.MultiOp;
import io.paddock.protocol.MultiRequest;
import io.paddock.protocol.OpCode;
import io.paddock.protocol.SetACLRequest;
import io.paddock.protocol.SetDataRequest;
import io.paddock.server.inspect.SnapshotDecoder;
import io.paddock.server.inspect.SnapshotFormatter;
import io.paddock.server.inspect.SnapshotNode;
import io.paddock.server.inspect.SnapshotSession;
import io.paddock.server.inspect.SnapshotSummary;
import io.paddock.server.inspect.TxnFormatter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The inspect package reads what this server writes: every logged txn formats to its line, and a snapshot written by
 * the server decodes to the same znodes a client reads. This is the guard that keeps {@link SnapshotDecoder} in step
 * with {@link TreeSnapshot}: change the format in one and this fails.
 */
class InspectFormatTest {
    private static final long NOW_MS = 1_700_000_000_000L;
    private static final String NOW = "2023-11-14T22:13:20Z";
    private static final List<Acl> OPEN = Acl.OPEN_ACL_UNSAFE;
    private static final int RECORD_BYTES_MAX = SnapshotDecoder.recordBytesMax(0xfffff);

    private final MemoryStorage.Disk disk = new MemoryStorage.Disk();
    private ZkServer server;
    private StandaloneReplicator replicator;
    private TestClient client;

    @BeforeEach
    void start() throws Exception {
        server = new ZkServer(ServerConfig.defaults(), () -> NOW_MS, System::nanoTime, List.of());
        replicator = new StandaloneReplicator(server.stateMachine(), 1000,
                new StandaloneReplicator.Durability(() -> new MemoryStorage(disk), 1_000_000, 3, 0, System::nanoTime,
                        new Random(7)));
        server.start(replicator);
        replicator.start();
        client = new TestClient(server);
        client.connect(30_000);
    }

    @AfterEach
    void stop() {
        replicator.close();
        server.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void ok(int op, io.paddock.protocol.JuteRecord body) throws InterruptedException {
        int err = client.call(op, body).header().err();
        assertEquals(0, err, "error " + err + " from " + body);
    }

    /** Every kind of txn the server logs, with ACLs and owners of each kind. */
    private void workload() throws InterruptedException {
        ok(OpCode.CREATE, new CreateRequest("/a", bytes("abc"), OPEN, 0));
        ok(OpCode.CREATE, new CreateRequest("/a/e", null, OPEN, 1));
        ok(OpCode.CREATE, new CreateRequest("/s", bytes(""), OPEN, 0));
        ok(OpCode.CREATE, new CreateRequest("/s/q-", bytes("\u0001\"x"), OPEN, 2));
        ok(OpCode.CREATE, new CreateRequest("/s/q-", null, OPEN, 2));
        ok(OpCode.SET_DATA, new SetDataRequest("/a", bytes("defg"), -1));
        ok(OpCode.SET_ACL, new SetACLRequest("/s", List.of(new Acl(Perms.READ | Perms.ADMIN, Id.ANYONE)), -1));
        ok(OpCode.CREATE, new CreateRequest("/gone", null, OPEN, 0));
        ok(OpCode.DELETE, new DeleteRequest("/gone", -1));
        ok(OpCode.MULTI, new MultiRequest(List.of(
                new MultiOp(OpCode.CREATE, new CreateRequest("/m", bytes("1"), OPEN, 0)),
                new MultiOp(OpCode.SET_DATA, new SetDataRequest("/a", bytes("h"), -1)))));
    }

    private List<String> logLines(boolean withData) throws IOException {
        List<String> lines = new ArrayList<>();
        try (TxnCursor cursor = new MemoryStorage(disk).log().readAfter(0)) {
            while (cursor.next()) {
                lines.add(TxnFormatter.format(cursor.zxid(), cursor.txn(), withData));
            }
        }
        return lines;
    }

    @Test
    void everyLoggedTxnFormatsToOneLineNamingItsChange() throws Exception {
        workload();
        String session = "0x" + Long.toHexString(client.sessionId);
        List<String> lines = logLines(false);
        assertEquals(11, lines.size(), String.join("\n", lines));
        assertEquals("0x1 session " + session + " cxid 0 " + NOW + " createSession timeout=30000ms", lines.get(0));
        assertEquals("0x2 session " + session + " cxid 1 " + NOW
                + " create /a data=3 bytes acl=world:anyone:cdrwa owner=0 parentCreatedChildren=1", lines.get(1));
        assertEquals("0x3 session " + session + " cxid 2 " + NOW
                + " create /a/e data=null acl=world:anyone:cdrwa owner=" + session + " parentCreatedChildren=1",
                lines.get(2));
        assertTrue(lines.get(4).endsWith(" create /s/q-0000000000 data=3 bytes acl=world:anyone:cdrwa owner=0"
                + " parentCreatedChildren=1"), lines.get(4));
        assertTrue(lines.get(6).endsWith(" setData /a data=4 bytes version=1"), lines.get(6));
        assertTrue(lines.get(7).endsWith(" setAcl /s acl=world:anyone:ra aversion=1"),
                lines.get(7));
        assertTrue(lines.get(9).endsWith(" delete /gone"), lines.get(9));
        assertTrue(lines.get(10).matches("0xb session 0x[0-9a-f]+ cxid 10 " + NOW + " multi 2 ops \\[create /m"
                + " data=1 byte acl=world:anyone:cdrwa owner=0 parentCreatedChildren=\\d+; setData /a data=1 byte"
                + " version=2]"), lines.get(10));

        List<String> withData = logLines(true);
        assertTrue(withData.get(4).contains(" data=3 bytes \"\\x01\\\"x\" "), withData.get(4));
    }

    @Test
    void bytesThatAreNotATxnAreRejectedWithTheZxid() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TxnFormatter.format(0x1a2, ByteBuffer.wrap(new byte[] {1, 2, 3})));
        assertTrue(e.getMessage().startsWith("txn 0x1a2 does not decode"), e.getMessage());
    }

    @Test
    void aTxnWithBytesAfterItsEndIsRejected() throws Exception {
        workload();
        byte[] txn;
        try (TxnCursor cursor = new MemoryStorage(disk).log().readAfter(1)) {
            assertTrue(cursor.next());
            ByteBuffer b = cursor.txn();
            txn = Arrays.copyOf(b.array(), b.remaining() + 1);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TxnFormatter.format(2, ByteBuffer.wrap(txn)));
        assertTrue(e.getMessage().contains("1 bytes after its end"), e.getMessage());
    }

    private byte[] snapshot() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        server.stateMachine().writeSnapshot(out);
        return out.toByteArray();
    }

    /** Every znode with the Stat and ACL a client reads. */
    private Map<String, GetACLResponse> clientView() throws InterruptedException {
        Map<String, GetACLResponse> out = new TreeMap<>();
        List<String> todo = new ArrayList<>(List.of("/"));
        while (!todo.isEmpty()) {
            String p = todo.remove(todo.size() - 1);
            out.put(p, GetACLResponse.read(client.call(OpCode.GET_ACL, new GetACLRequest(p)).body()));
            GetChildren2Response kids = GetChildren2Response.read(
                    client.call(OpCode.GET_CHILDREN2, new GetChildren2Request(p, false)).body());
            for (String k : kids.children()) {
                todo.add(p.equals("/") ? "/" + k : p + "/" + k);
            }
        }
        return out;
    }

    @Test
    void aSnapshotWrittenByTheServerDecodesToWhatClientsRead() throws Exception {
        workload();
        Map<String, GetACLResponse> expected = clientView();
        List<SnapshotSession> sessions = new ArrayList<>();
        Map<String, SnapshotNode> nodes = new TreeMap<>();
        SnapshotSummary summary = SnapshotDecoder.read(new ByteArrayInputStream(snapshot()), RECORD_BYTES_MAX,
                new SnapshotDecoder.Visitor() {
                    @Override
                    public void session(SnapshotSession session) {
                        sessions.add(session);
                    }

                    @Override
                    public void node(SnapshotNode node) {
                        nodes.put(node.path(), node);
                    }
                });

        assertEquals(List.of(new SnapshotSession(client.sessionId, 30_000, List.of("/a/e"))), sessions);
        assertEquals(expected.keySet(), nodes.keySet());
        for (Map.Entry<String, GetACLResponse> e : expected.entrySet()) {
            SnapshotNode n = nodes.get(e.getKey());
            Stat s = e.getValue().stat();
            Stat decoded = new Stat(n.czxid(), n.mzxid(), n.ctime(), n.mtime(), n.version(),
                    2 * n.createdChildren() - s.numChildren(), n.aversion(),
                    n.ephemeralOwner(), n.dataLength(), s.numChildren(), n.pzxid());
            assertEquals(s, decoded, e.getKey());
            assertEquals(e.getValue().acl(), n.acl(), e.getKey());
        }
        assertEquals(new SnapshotSummary(1, expected.size(), 0, server.lastAppliedZxid(), 0, List.of(), 2,
                server.lastAppliedZxid()), summary);
    }

    @Test
    void aPrintedSnapshotHasOneLinePerSessionAndZnodeThenTheSummary() throws Exception {
        workload();
        List<String> lines = new ArrayList<>();
        SnapshotFormatter.print(new ByteArrayInputStream(snapshot()), RECORD_BYTES_MAX, false, lines::add);
        String session = "0x" + Long.toHexString(client.sessionId);
        assertEquals("session " + session + " timeout=30000ms ephemerals=1", lines.get(0));
        assertTrue(lines.contains("/a czxid=0x2 mzxid=0xb pzxid=0x3 ctime=" + NOW + " mtime=" + NOW
                + " version=2 aversion=0 createdChildren=1 owner=0 dataLength=1 acl=world:anyone:cdrwa"),
                String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("/a/e ") && l.contains(" owner=" + session + " ")),
                String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("/s ")
                && l.endsWith(" acl=world:anyone:ra")), String.join("\n", lines));
        assertTrue(lines.get(lines.size() - 1).equals("1 session, 10 znodes, walk ended at 0xb, highest zxid 0xb"),
                lines.get(lines.size() - 1));
    }

    @Test
    void aDamagedSnapshotIsAnErrorThatSaysWhere() throws Exception {
        workload();
        byte[] good = snapshot();
        SnapshotDecoder.Visitor ignore = new SnapshotDecoder.Visitor() {
            @Override
            public void session(SnapshotSession session) {}

            @Override
            public void node(SnapshotNode node) {}
        };

        byte[] truncated = Arrays.copyOf(good, good.length - 8 - 3);
        IOException e = assertThrows(IOException.class,
                () -> SnapshotDecoder.read(new ByteArrayInputStream(truncated), RECORD_BYTES_MAX, ignore));
        assertTrue(e.getMessage().startsWith("snapshot ends early, in node record 10 of 10"), e.getMessage());

        byte[] trailing = Arrays.copyOf(good, good.length + 2);
        e = assertThrows(IOException.class,
                () -> SnapshotDecoder.read(new ByteArrayInputStream(trailing), RECORD_BYTES_MAX, ignore));
        assertTrue(e.getMessage().contains("2 bytes after the last record"), e.getMessage());

        byte[] notOurs = good.clone();
        notOurs[0] ^= 0x20;
        e = assertThrows(IOException.class,
                () -> SnapshotDecoder.read(new ByteArrayInputStream(notOurs), RECORD_BYTES_MAX, ignore));
        assertTrue(e.getMessage().contains("not a Paddock tree snapshot"), e.getMessage());

        e = assertThrows(IOException.class,
                () -> SnapshotDecoder.read(new ByteArrayInputStream(good), 8, ignore));
        assertTrue(e.getMessage().contains("(at most 8)"), e.getMessage());
    }

    @Test
    void aChildListedWithoutItsParentIsCountedNotFailed() throws Exception {
        ok(OpCode.CREATE, new CreateRequest("/p", null, OPEN, 0));
        ok(OpCode.CREATE, new CreateRequest("/p/c", null, OPEN, 0));
        byte[] good = snapshot();
        // Blank out /p's record the way a fuzzy walk does when /p is deleted under it: an empty path.
        byte[] path = bytes("/p");
        int at = indexOfRecord(good, path);
        ByteBuffer b = ByteBuffer.wrap(good);
        int len = b.getInt(at - 8);
        ByteArrayOutputStream edited = new ByteArrayOutputStream();
        edited.write(good, 0, at - 8);
        edited.write(new byte[] {0, 0, 0, 4, -1, -1, -1, -1}); // a 4-byte record holding a null string
        edited.write(good, at - 4 + len, good.length - (at - 4 + len));
        List<String> lines = new ArrayList<>();
        SnapshotSummary s = SnapshotFormatter.print(new ByteArrayInputStream(edited.toByteArray()), RECORD_BYTES_MAX,
                false, lines::add);
        assertEquals(1, s.nodesBeforeParent());
        assertEquals(List.of("/p/c"), s.nodesBeforeParentSome());
        assertEquals(1, s.skipped());
        assertTrue(lines.get(lines.size() - 1).contains(", 1 listed without their parent [/p/c] (re-created during"),
                String.join("\n", lines));
    }

    /** The offset of {@code path}'s characters inside the record that starts with that path (after length, strlen). */
    private static int indexOfRecord(byte[] snapshot, byte[] path) {
        outer:
        for (int i = 8; i + path.length <= snapshot.length; i++) {
            if (ByteBuffer.wrap(snapshot).getInt(i - 4) != path.length) {
                continue;
            }
            for (int j = 0; j < path.length; j++) {
                if (snapshot[i + j] != path[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("no record for " + new String(path, StandardCharsets.UTF_8));
    }
}
