package io.paddock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.api.Acl;
import io.paddock.server.inspect.SnapshotDecoder;
import io.paddock.server.inspect.SnapshotNode;
import io.paddock.server.inspect.SnapshotSession;
import io.paddock.server.inspect.SnapshotSummary;
import io.paddock.server.txn.Txn;
import io.paddock.server.txn.TxnCodec;
import io.paddock.server.txn.TxnHeader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Restoring a fuzzy snapshot and replaying the log after its zxid must give the tree of a replica that never
 * restarted: equal digest, no apply errors. Each test builds a history, takes the snapshot of its first part while
 * some later txns are applied in the middle of the walk (the walk paused at every byte of the stream in turn: the
 * txns run from inside the snapshot's output stream, where the walk holds no lock), restores it on a fresh server,
 * replays everything after the snapshot's zxid and compares. ZOOKEEPER-3145 and its relatives: a delete, a close of
 * a session or a re-created node whose parent the walk wrote before the change.
 */
class FuzzySnapshotReplayTest {
    private static final List<Acl> OPEN = Acl.OPEN_ACL_UNSAFE;
    private static final long S1 = 0x100L;
    private static final long S2 = 0x200L;

    /** One logged txn. */
    record Entry(long zxid, long sessionId, Txn txn) {
        byte[] bytes() {
            java.nio.ByteBuffer b = TxnCodec.encode(new TxnHeader(sessionId, (int) zxid, 1_000L * zxid), txn);
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        }
    }

    /** Builds a history with zxids 1, 2, ... */
    static final class History {
        final List<Entry> entries = new ArrayList<>();

        History add(long sessionId, Txn txn) {
            entries.add(new Entry(entries.size() + 1, sessionId, txn));
            return this;
        }

        History add(Txn txn) {
            return add(S1, txn);
        }

        long last() {
            return entries.size();
        }
    }

    private static ZkServer server() {
        return new ZkServer(ServerConfig.defaults(), () -> 1_700_000_000_000L, () -> 0L, List.of());
    }

    private static void apply(ZkServer s, Entry e) {
        s.stateMachine().apply(e.zxid(), java.nio.ByteBuffer.wrap(e.bytes()), null);
    }

    private static Txn.Create create(String path, int parentCreated) {
        return new Txn.Create(path, bytes(path), OPEN, 0, parentCreated);
    }

    private static Txn.Create ephemeral(String path, long owner, int parentCreated) {
        return new Txn.Create(path, bytes(path), OPEN, owner, parentCreated);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Txn.CreateSession session() {
        return new Txn.CreateSession(30_000, new byte[16]);
    }

    /**
     * Snapshots the first {@code snapAt} txns with txns {@code snapAt+1 .. walkEnd} applied at every possible point
     * of the walk; restores each, replays all after {@code snapAt}, and checks against the un-crashed replica.
     * Returns the snapshots taken, for scenario checks.
     */
    private static List<byte[]> checkEveryCut(History h, int snapAt, int walkEnd) {
        ZkServer expected = server();
        for (Entry e : h.entries) {
            apply(expected, e);
        }
        assertEquals(0, expected.applyErrors(), "the history itself is valid");
        List<byte[]> snapshots = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        long[] firedAt = {0};
        // Every cut inside one write of the walk gives the same snapshot: step from write to write.
        for (long at = 0; at < Long.MAX_VALUE; at = Math.max(at + 1, firedAt[0])) {
            ZkServer s = server();
            for (Entry e : h.entries.subList(0, snapAt)) {
                apply(s, e);
            }
            firedAt[0] = Long.MAX_VALUE;
            byte[] snapshot = fuzzySnapshot(s, at, firedAt, () -> {
                for (Entry e : h.entries.subList(snapAt, walkEnd)) {
                    apply(s, e);
                }
            });
            s.close();
            if (!seen.add(java.util.Base64.getEncoder().encodeToString(snapshot))) {
                continue;
            }
            snapshots.add(snapshot);
            ZkServer restored = server();
            try {
                restored.stateMachine().restoreSnapshot(new ByteArrayInputStream(snapshot), snapAt);
            } catch (IOException ex) {
                throw new UncheckedIOException("cut at byte " + at, ex);
            }
            for (Entry e : h.entries.subList(snapAt, h.entries.size())) {
                apply(restored, e);
            }
            assertEquals(0, restored.applyErrors(), "apply errors, cut at byte " + at);
            assertEquals(expected.treeDigest(), restored.treeDigest(), "digest, cut at byte " + at);
            assertEquals(expected.lastAppliedZxid(), restored.lastAppliedZxid());
            restored.close();
        }
        expected.close();
        return snapshots;
    }

    /**
     * Runs {@code duringWalk} before the write that crosses byte {@code afterBytes} (at the end if none does), and
     * puts the offset just after that write in {@code firedAt[0]} (left alone when it runs at the end).
     */
    private static byte[] fuzzySnapshot(ZkServer s, long afterBytes, long[] firedAt, Runnable duringWalk) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean[] fired = {false};
        OutputStream out = new OutputStream() {
            private long written;

            private void before(int len) {
                if (!fired[0] && written + len > afterBytes) {
                    fired[0] = true;
                    firedAt[0] = written + len;
                    duringWalk.run();
                }
                written += len;
            }

            @Override
            public void write(int b) {
                before(1);
                bytes.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                before(len);
                bytes.write(b, off, len);
            }
        };
        try {
            s.stateMachine().writeSnapshot(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!fired[0]) {
            duringWalk.run();
        }
        return bytes.toByteArray();
    }

    private static Map<String, SnapshotNode> nodes(byte[] snapshot) {
        Map<String, SnapshotNode> nodes = new TreeMap<>();
        try {
            SnapshotDecoder.read(new ByteArrayInputStream(snapshot), SnapshotDecoder.recordBytesMax(1 << 20),
                    new SnapshotDecoder.Visitor() {
                        @Override
                        public void session(SnapshotSession session) {}

                        @Override
                        public void node(SnapshotNode node) {
                            nodes.put(node.path(), node);
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return nodes;
    }

    /** The walk wrote {@code parent} before the change at {@code zxid} and {@code child} is absent. */
    private static Predicate<byte[]> parentStaleWithoutChild(String parent, String child, long zxid) {
        return snapshot -> {
            Map<String, SnapshotNode> n = nodes(snapshot);
            return n.containsKey(parent) && n.get(parent).pzxid() < zxid && !n.containsKey(child);
        };
    }

    /** Paths under /z come last in the walk's depth-first order only by chance; a wide tree makes both orders occur. */
    private static History base() {
        History h = new History();
        h.add(session());
        h.add(create("/a", 1)).add(create("/z", 2)).add(create("/m", 3));
        h.add(create("/z/child", 1)).add(create("/a/x", 1)).add(create("/m/y", 1));
        return h;
    }

    @Test
    void aDeletedLeafWhoseParentWasWrittenFirstReplaysToTheSameParent() {
        History h = base();
        int snapAt = h.entries.size();
        h.add(new Txn.Delete("/z/child"));
        long del = h.last();
        h.add(new Txn.SetData("/a", bytes("after"), 1));
        List<byte[]> snaps = checkEveryCut(h, snapAt, (int) del);
        assertTrue(snaps.stream().anyMatch(parentStaleWithoutChild("/z", "/z/child", del)),
                "some cut wrote /z before the delete and skipped the leaf");
    }

    @Test
    void aCreateAlreadyInTheSnapshotRaisesOnlyTheParentCounters() {
        History h = base();
        int snapAt = h.entries.size();
        h.add(create("/z/new", 2)).add(create("/a/new", 2)).add(new Txn.Delete("/a/x"));
        h.add(new Txn.SetData("/z/new", bytes("v1"), 1));
        checkEveryCut(h, snapAt, h.entries.size() - 1);
    }

    @Test
    void setDataAndSetAclOnANodeReplacedDuringTheWalkLeaveTheNewIncarnationAlone() {
        History h = base();
        int snapAt = h.entries.size();
        h.add(new Txn.SetData("/z/child", bytes("old"), 1));
        h.add(new Txn.SetAcl("/z/child", Acl.READ_ACL_UNSAFE, 1));
        h.add(new Txn.Delete("/z/child"));
        h.add(create("/z/child", 2));
        h.add(create("/z/child/g", 1)); // a child, so the replayed delete cannot simply remove the new incarnation
        h.add(new Txn.SetData("/z/child", bytes("new"), 1));
        checkEveryCut(h, snapAt, h.entries.size());
    }

    @Test
    void aMultiSeenInPartReplaysToTheSameTree() {
        History h = base();
        int snapAt = h.entries.size();
        h.add(new Txn.Multi(List.of(create("/z/m", 2), new Txn.Delete("/z/child"), new Txn.SetData("/a", bytes("x"), 1),
                new Txn.Delete("/m/y"), new Txn.Delete("/m"))));
        long multi = h.last();
        h.add(create("/m", 4));
        List<byte[]> snaps = checkEveryCut(h, snapAt, (int) multi);
        assertTrue(snaps.stream().anyMatch(parentStaleWithoutChild("/z", "/z/child", multi)));
    }

    @Test
    void aClosedSessionsEphemeralsBehindTheWalkStillMoveTheirParents() {
        History h = base();
        h.add(S2, session());
        h.add(S2, ephemeral("/z/e", S2, 2)).add(S2, ephemeral("/a/e", S2, 2)).add(S2, ephemeral("/m/e", S2, 2));
        int snapAt = h.entries.size();
        h.add(S2, new Txn.CloseSession());
        long close = h.last();
        h.add(S1, ephemeral("/m/e", S1, 3)); // the path comes back, owned by someone else
        h.add(new Txn.SetData("/z/child", bytes("later"), 1));
        List<byte[]> snaps = checkEveryCut(h, snapAt, h.entries.size() - 1);
        assertTrue(snaps.stream().anyMatch(parentStaleWithoutChild("/z", "/z/e", close)),
                "some cut wrote /z before the close and skipped its ephemeral");
    }

    /** Random histories per build; {@code -Dpaddock.fuzzyReplaySeeds=N} runs more. */
    private static final int SEEDS = Integer.getInteger("paddock.fuzzyReplaySeeds", 40);

    @Test
    void randomHistoriesReplayOverEveryCutToTheUncrashedTree() {
        for (int seed = 1; seed <= SEEDS; seed++) {
            // Short windows and nothing after them: a later change under the same parent would hide a stale pzxid.
            int snapAt = 14;
            History h = RandomHistory.make(new Random(seed), snapAt + 1 + seed % 4);
            try {
                checkEveryCut(h, snapAt, h.entries.size());
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
            }
        }
    }

    @Test
    void aFormatOneSnapshotStillLoadsWithTheOldHorizon() throws IOException {
        History h = base();
        h.add(S2, session()).add(S2, ephemeral("/z/e", S2, 2));
        ZkServer s = server();
        for (Entry e : h.entries) {
            apply(s, e);
        }
        byte[] v2 = fuzzySnapshot(s, Long.MAX_VALUE, new long[1], () -> {});
        byte[] v1 = toFormatOne(v2);
        SnapshotSummary summary = SnapshotDecoder.read(new ByteArrayInputStream(v1),
                SnapshotDecoder.recordBytesMax(1 << 20), new SnapshotDecoder.Visitor() {
                    @Override
                    public void session(SnapshotSession session) {
                        assertEquals(List.of(), session.ephemerals());
                    }

                    @Override
                    public void node(SnapshotNode node) {}
                });
        assertEquals(1, summary.format());
        assertEquals(h.last(), summary.fuzzyHorizon());
        ZkServer restored = server();
        restored.stateMachine().restoreSnapshot(new ByteArrayInputStream(v1), h.last());
        assertEquals(s.treeDigest(), restored.treeDigest());
        h.add(S2, new Txn.CloseSession());
        apply(s, h.entries.get(h.entries.size() - 1));
        apply(restored, h.entries.get(h.entries.size() - 1));
        assertEquals(s.treeDigest(), restored.treeDigest());
        assertEquals(0, restored.applyErrors());
        SnapshotSummary v2Summary = SnapshotDecoder.read(new ByteArrayInputStream(v2),
                SnapshotDecoder.recordBytesMax(1 << 20), new SnapshotDecoder.Visitor() {
                    @Override
                    public void session(SnapshotSession session) {}

                    @Override
                    public void node(SnapshotNode node) {}
                });
        assertEquals(2, v2Summary.format());
        assertEquals(h.last() - 1, v2Summary.endZxid());
        s.close();
        restored.close();
    }

    @Test
    void anApplyThatContradictsTheTreeIsCounted() {
        ZkServer s = server();
        assertEquals(0, s.applyErrors());
        apply(s, new Entry(1, S1, new Txn.Delete("/nothing")));
        assertEquals(1, s.applyErrors());
        assertEquals(1, s.lastAppliedZxid(), "the zxid is still consumed");
        apply(s, new Entry(2, S1, create("/ok", 1)));
        assertEquals(1, s.applyErrors());
        s.close();
    }

    /** Format 2 bytes rewritten as format 1: old magic, no ephemeral lists, no end zxid. */
    private static byte[] toFormatOne(byte[] v2) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(v2));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        assertEquals(TreeSnapshot.MAGIC_V2, in.readInt());
        out.writeInt(TreeSnapshot.MAGIC_V1);
        int sessions = in.readInt();
        out.writeInt(sessions);
        for (int i = 0; i < sessions; i++) {
            out.writeLong(in.readLong());
            out.writeInt(in.readInt());
            out.write(in.readNBytes(16));
            int eph = in.readInt();
            for (int e = 0; e < eph; e++) {
                in.readNBytes(in.readInt());
            }
        }
        int records = in.readInt();
        out.writeInt(records);
        for (int i = 0; i < records; i++) {
            int len = in.readInt();
            out.writeInt(len);
            out.write(in.readNBytes(len));
        }
        in.readLong();
        assertEquals(-1, in.read());
        return bytes.toByteArray();
    }

    /** Valid random histories over a few paths and two sessions, checked against a small model. */
    static final class RandomHistory {
        private static final String[] PATHS = {"/a", "/b", "/c", "/a/x", "/a/y", "/b/x", "/a/x/q", "/a/x/r", "/c/e",
            "/b/e", "/b/x/e"};

        private static final class N {
            int version;
            int aversion;
            int created;
            int children;
            long owner;
        }

        static History make(Random r, int length) {
            History h = new History();
            Map<String, N> tree = new HashMap<>();
            tree.put("/", new N());
            List<Long> alive = new ArrayList<>();
            long nextSession = 0x1000;
            while (h.entries.size() < length) {
                int kind = r.nextInt(10);
                if (kind == 0 || alive.isEmpty()) {
                    long id = nextSession++;
                    alive.add(id);
                    h.add(id, session());
                    continue;
                }
                if (kind == 1 && alive.size() > 1) {
                    long id = alive.remove(r.nextInt(alive.size()));
                    for (String p : new ArrayList<>(tree.keySet())) {
                        if (tree.get(p).owner == id) {
                            remove(tree, p);
                        }
                    }
                    h.add(id, new Txn.CloseSession());
                    continue;
                }
                int ops = kind == 2 ? 2 + r.nextInt(2) : 1;
                List<Txn> txns = new ArrayList<>();
                long session = alive.get(r.nextInt(alive.size()));
                for (int i = 0; i < ops; i++) {
                    Txn t = oneOp(r, tree, session);
                    if (t != null) {
                        txns.add(t);
                    }
                }
                if (txns.isEmpty()) {
                    continue;
                }
                h.add(session, txns.size() == 1 && ops == 1 ? txns.get(0) : new Txn.Multi(txns));
            }
            return h;
        }

        /** A valid op on the model, applied to it; null when the random pick does not fit. */
        private static Txn oneOp(Random r, Map<String, N> tree, long session) {
            String path = PATHS[r.nextInt(PATHS.length)];
            N n = tree.get(path);
            int choice = r.nextInt(4);
            if (n == null) {
                String parentPath = parentOf(path);
                N parent = tree.get(parentPath);
                if (parent == null || parent.owner != 0) {
                    return null;
                }
                N c = new N();
                c.owner = path.endsWith("/e") || r.nextInt(4) == 0 ? session : 0;
                tree.put(path, c);
                parent.created++;
                parent.children++;
                return new Txn.Create(path, bytes(path + r.nextInt(3)), OPEN, c.owner, parent.created);
            }
            if (choice == 0 && n.children == 0) {
                remove(tree, path);
                return new Txn.Delete(path);
            }
            if (choice == 1) {
                n.aversion++;
                return new Txn.SetAcl(path, r.nextBoolean() ? OPEN : Acl.READ_ACL_UNSAFE, n.aversion);
            }
            n.version++;
            return new Txn.SetData(path, bytes("v" + n.version), n.version);
        }

        private static void remove(Map<String, N> tree, String path) {
            tree.remove(path);
            tree.get(parentOf(path)).children--;
        }

        private static String parentOf(String path) {
            int i = path.lastIndexOf('/');
            return i == 0 ? "/" : path.substring(0, i);
        }
    }
}
