package io.paddock.sim;

import io.paddock.api.Acl;
import io.paddock.server.inspect.SnapshotNode;
import io.paddock.server.txn.Txn;
import io.paddock.server.txn.TxnCodec;
import io.paddock.server.txn.TxnHeader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The simulated leader's prepare step: what the tree will look like once everything it has logged is applied (the
 * applied tree plus its outstanding proposals, as ZooKeeper's outstanding-changes list), so every txn it proposes is
 * valid where it lands. Only what validity needs: which nodes exist, their versions, children, create counters,
 * ephemeral owners, and the open sessions. {@link #apply} throws on a txn the real tree would refuse.
 */
final class TreeModel {
    static final class Node {
        int version;
        int createdChildren;
        int children;
        final long owner;

        Node(long owner) {
            this.owner = owner;
        }

        Node copy() {
            Node n = new Node(owner);
            n.version = version;
            n.createdChildren = createdChildren;
            n.children = children;
            return n;
        }
    }

    /** Keys of top-level persistent nodes the random workload uses; few, so creates, updates and deletes collide. */
    private static final int KEYS = 8;

    final TreeMap<String, Node> nodes = new TreeMap<>();
    final TreeSet<Long> sessions = new TreeSet<>();

    static TreeModel of(SimServer.View view) {
        TreeModel m = new TreeModel();
        for (SnapshotNode n : view.nodes().values()) {
            Node node = new Node(n.ephemeralOwner());
            node.version = n.version();
            node.createdChildren = n.createdChildren();
            m.nodes.put(n.path(), node);
        }
        for (String path : m.nodes.keySet()) {
            if (!path.equals("/")) {
                m.nodes.get(parentOf(path)).children++;
            }
        }
        m.sessions.addAll(view.sessions().keySet());
        return m;
    }

    TreeModel copy() {
        TreeModel m = new TreeModel();
        for (Map.Entry<String, Node> e : nodes.entrySet()) {
            m.nodes.put(e.getKey(), e.getValue().copy());
        }
        m.sessions.addAll(sessions);
        return m;
    }

    void apply(byte[] txn) {
        TxnCodec.Decoded d = TxnCodec.decode(ByteBuffer.wrap(txn));
        apply(d.header(), d.txn());
    }

    void apply(TxnHeader h, Txn t) {
        if (t instanceof Txn.CreateSession) {
            if (!sessions.add(h.sessionId())) {
                throw new IllegalStateException("session " + Long.toHexString(h.sessionId()) + " exists");
            }
        } else if (t instanceof Txn.CloseSession) {
            if (!sessions.remove(h.sessionId())) {
                throw new IllegalStateException("session " + Long.toHexString(h.sessionId()) + " is not open");
            }
            List<String> mine = new ArrayList<>();
            for (Map.Entry<String, Node> e : nodes.entrySet()) {
                if (e.getValue().owner == h.sessionId()) {
                    mine.add(e.getKey());
                }
            }
            for (String p : mine) {
                applyOne(new Txn.Delete(p));
            }
        } else if (t instanceof Txn.Multi m) {
            for (Txn op : m.ops()) {
                applyOne(op);
            }
        } else {
            applyOne(t);
        }
    }

    /** Applies one op of a multi (or a single op); throws if the real tree would refuse it. */
    void applyOne(Txn t) {
        if (t instanceof Txn.Create c) {
            Node parent = nodes.get(parentOf(c.path()));
            if (parent == null || nodes.containsKey(c.path()) || parent.owner != 0) {
                throw new IllegalStateException("create " + c.path() + " is invalid here");
            }
            if (c.ephemeralOwner() != 0 && !sessions.contains(c.ephemeralOwner())) {
                throw new IllegalStateException("ephemeral " + c.path() + " of a closed session");
            }
            parent.children++;
            parent.createdChildren = c.parentCreatedChildren();
            nodes.put(c.path(), new Node(c.ephemeralOwner()));
        } else if (t instanceof Txn.Delete d) {
            Node n = nodes.get(d.path());
            if (n == null || n.children > 0) {
                throw new IllegalStateException("delete " + d.path() + " is invalid here");
            }
            nodes.remove(d.path());
            nodes.get(parentOf(d.path())).children--;
        } else if (t instanceof Txn.SetData s) {
            Node n = nodes.get(s.path());
            if (n == null || s.newVersion() != n.version + 1) {
                throw new IllegalStateException("setData " + s.path() + " is invalid here");
            }
            n.version = s.newVersion();
        } else {
            throw new IllegalStateException("the workload does not issue " + t);
        }
    }

    /** Same nodes (with versions, children, owners) and sessions. */
    boolean sameShape(TreeModel o) {
        if (!sessions.equals(o.sessions) || !nodes.keySet().equals(o.nodes.keySet())) {
            return false;
        }
        for (Map.Entry<String, Node> e : nodes.entrySet()) {
            Node a = e.getValue();
            Node b = o.nodes.get(e.getKey());
            if (a.version != b.version || a.children != b.children || a.owner != b.owner
                    || a.createdChildren != b.createdChildren) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------------ building txns

    Txn.Create create(String path, String data, long owner) {
        Node parent = nodes.get(parentOf(path));
        int cc = parent == null ? 1 : parent.createdChildren + 1;
        return new Txn.Create(path, bytes(data), Acl.OPEN_ACL_UNSAFE, owner, cc);
    }

    Txn.SetData setData(String path, String data) {
        return new Txn.SetData(path, bytes(data), nodes.get(path).version + 1);
    }

    /** {@code key=value}: create {@code /key} with the value, or set it if it exists. */
    Txn keyValue(String keyValue) {
        int eq = keyValue.indexOf('=');
        String key = eq < 0 ? keyValue : keyValue.substring(0, eq);
        String value = eq < 0 ? "" : keyValue.substring(eq + 1);
        String path = key.startsWith("/") ? key : "/" + key;
        return nodes.containsKey(path) ? setData(path, value) : create(path, value, 0);
    }

    /**
     * One random txn that is valid here: sessions opened and closed (a close deletes the session's ephemerals),
     * persistent and ephemeral creates, updates, deletes, and multis of several of them. Returns the session the
     * header names (the owner for ephemerals and session txns, else 0) in {@code sessionOut[0]}.
     */
    Txn random(Random r, String data, long newSessionId, long[] sessionOut) {
        sessionOut[0] = 0;
        int kind = r.nextInt(20);
        if (kind == 0 && sessions.size() < 4) {
            sessionOut[0] = newSessionId;
            return new Txn.CreateSession(6000, new byte[16]);
        }
        if (kind == 1 && !sessions.isEmpty()) {
            sessionOut[0] = pick(r, new ArrayList<>(sessions));
            return new Txn.CloseSession();
        }
        if (kind == 2) {
            TreeModel scratch = copy();
            List<Txn> ops = new ArrayList<>();
            int n = 2 + r.nextInt(3);
            for (int i = 0; i < n; i++) {
                Txn op = scratch.randomOp(r, data + "." + i, false);
                scratch.applyOne(op);
                ops.add(op);
            }
            return new Txn.Multi(ops);
        }
        Txn op = randomOp(r, data, kind < 6);
        if (op instanceof Txn.Create c) {
            sessionOut[0] = c.ephemeralOwner();
        }
        return op;
    }

    private Txn randomOp(Random r, String data, boolean ephemeral) {
        if (ephemeral && !sessions.isEmpty()) {
            long owner = pick(r, new ArrayList<>(sessions));
            String path = "/e" + r.nextInt(4);
            if (!nodes.containsKey(path)) {
                return create(path, data, owner);
            }
        }
        String key = "/k" + r.nextInt(KEYS);
        Node n = nodes.get(key);
        if (n == null) {
            return create(key, data, 0);
        }
        int what = r.nextInt(4);
        if (what == 0) {
            String child = key + "/c" + r.nextInt(3);
            if (!nodes.containsKey(child)) {
                return create(child, data, 0);
            }
            return nodes.get(child).children == 0 && r.nextBoolean() ? new Txn.Delete(child) : setData(child, data);
        }
        if (what == 1 && n.children == 0) {
            return new Txn.Delete(key);
        }
        return setData(key, data);
    }

    private static <T> T pick(Random r, List<T> from) {
        return from.get(r.nextInt(from.size()));
    }

    static byte[] encode(TxnHeader h, Txn t) {
        ByteBuffer b = TxnCodec.encode(h, t);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** {@code key=value} for a single create or setData of {@code /key}, else a short description (for tests). */
    static String label(byte[] txn) {
        Txn t = TxnCodec.decode(ByteBuffer.wrap(txn)).txn();
        if (t instanceof Txn.Create c && c.path().lastIndexOf('/') == 0) {
            return c.path().substring(1) + "=" + text(c.data());
        }
        if (t instanceof Txn.SetData s && s.path().lastIndexOf('/') == 0) {
            return s.path().substring(1) + "=" + text(s.data());
        }
        if (t instanceof Txn.Create c) {
            return "create " + c.path() + (c.ephemeralOwner() != 0 ? " eph " + Long.toHexString(c.ephemeralOwner()) : "");
        }
        if (t instanceof Txn.SetData sd) {
            return "set " + sd.path() + " v" + sd.newVersion();
        }
        if (t instanceof Txn.Delete d) {
            return "delete " + d.path();
        }
        if (t instanceof Txn.Multi m) {
            return "multi of " + m.ops().size();
        }
        return t.getClass().getSimpleName() + " " + Long.toHexString(TxnCodec.decode(ByteBuffer.wrap(txn)).header().sessionId());
    }

    static boolean isCloseSession(byte[] txn) {
        return TxnCodec.decode(ByteBuffer.wrap(txn)).txn() instanceof Txn.CloseSession;
    }

    static String parentOf(String path) {
        int i = path.lastIndexOf('/');
        return i <= 0 ? "/" : path.substring(0, i);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return b == null ? "" : new String(b, StandardCharsets.UTF_8);
    }
}
