package io.paddock.server;

import io.paddock.api.Acl;
import io.paddock.api.Stat;
import io.paddock.protocol.JuteInput;
import io.paddock.protocol.JuteOutput;
import io.paddock.server.session.Session;
import io.paddock.server.session.SessionTracker;
import io.paddock.server.tree.DataNode;
import io.paddock.server.tree.DataTree;
import io.paddock.server.tree.PathRules;
import io.paddock.server.txn.TxnBounds;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The server's snapshot format: the session table, then every znode parent-first. Written while writes go on
 * (fuzzy); a node deleted during the walk is skipped and replaying the log after the snapshot's zxid settles it.
 *
 * <p>Format 2 ({@code "PDK2"}, written since the ZOOKEEPER-3145 fix):
 * <pre>
 * int magic "PDK2"
 * int sessions, each: long id, int timeoutMs, 16 bytes password,
 *                     int ephemerals, each: int length, UTF-8 path   (the session's ephemerals before the walk)
 * int records, each: int length, jute record (path, or null for a node deleted during the walk, then data, ACL,
 *                     czxid, mzxid, pzxid, ctime, mtime, version, created children, aversion, ephemeral owner)
 * long endZxid      the zxid of the latest change started when the walk ended
 * </pre>
 * Format 1 ({@code "PDKS"}) is the same without the ephemeral lists and without the end zxid; it still loads.
 *
 * <p>The fuzzy rule: the snapshot is taken "at" the zxid applied when its walk starts and the log is replayed from
 * the next one. Every txn the walk may have seen in part is at or below {@code endZxid}, so the restored tree's fuzzy
 * horizon is max(endZxid, highest zxid in any record); format 1 has only the second, which misses a delete of a node
 * whose parent had already been written. The per-session ephemeral lists let the replay of a closeSession (which
 * names no paths) find the ephemerals it deleted behind the walk.
 */
final class TreeSnapshot {
    private final DataTree tree;
    private final SessionTracker sessions;
    private final ServerConfig config;

    TreeSnapshot(DataTree tree, SessionTracker sessions, ServerConfig config) {
        this.tree = tree;
        this.sessions = sessions;
        this.config = config;
    }


    /** Format 1, written before the end zxid was recorded. */
    static final int MAGIC_V1 = 0x50444b53; // "PDKS"
    /** Format 2: ephemeral lists per session and the end zxid. */
    static final int MAGIC_V2 = 0x50444b32; // "PDK2"

    void write(DataOutputStream out) throws IOException {
        out.writeInt(MAGIC_V2);
        Collection<Session> all = new ArrayList<>(sessions.all());
        out.writeInt(all.size());
        for (Session s : all) {
            out.writeLong(s.id());
            out.writeInt(s.timeoutMs());
            out.write(s.password());
            List<String> ephemerals = new ArrayList<>(tree.ephemerals(s.id()));
            out.writeInt(ephemerals.size());
            for (String path : ephemerals) {
                byte[] b = path.getBytes(StandardCharsets.UTF_8);
                out.writeInt(b.length);
                out.write(b);
            }
        }
        List<String> paths = tree.pathsParentFirst();
        out.writeInt(paths.size());
        for (String path : paths) {
            JuteOutput rec = JuteOutput.plain();
            synchronized (tree.lockFor(path)) {
                DataNode n = tree.node(path);
                if (n == null) {
                    // Deleted while we walked; the log replay after this snapshot's zxid settles it.
                    rec.writeString(null);
                } else {
                    Stat st = n.stat();
                    rec.writeString(path).writeBuffer(n.data()).writeAclList(n.acl())
                            .writeLong(st.czxid()).writeLong(st.mzxid()).writeLong(st.pzxid())
                            .writeLong(st.ctime()).writeLong(st.mtime()).writeInt(st.version())
                            .writeInt(n.createdChildren()).writeInt(st.aversion()).writeLong(n.ephemeralOwner());
                }
            }
            byte[] b = rec.toByteArray();
            out.writeInt(b.length);
            out.write(b);
        }
        // Read after the walk: any change the walk saw in part had set it before touching a node.
        out.writeLong(tree.changeZxid());
        out.flush();
    }

    void read(DataInputStream in) throws IOException {
        int magic = in.readInt();
        if (magic != MAGIC_V1 && magic != MAGIC_V2) {
            throw new IOException("not a Paddock tree snapshot");
        }
        boolean v2 = magic == MAGIC_V2;
        // "Replaces the whole state": a learner sent a SNAP already holds a tree, whose extra nodes must not survive.
        sessions.clear();
        tree.clear();
        int sessionCount = in.readInt();
        for (int i = 0; i < sessionCount; i++) {
            long id = in.readLong();
            int timeout = in.readInt();
            byte[] pw = new byte[16];
            in.readFully(pw);
            sessions.add(id, pw, timeout);
            if (v2) {
                int ephemerals = in.readInt();
                if (ephemerals < 0) {
                    throw new IOException("session 0x" + Long.toHexString(id) + " lists " + ephemerals
                            + " ephemerals");
                }
                for (int e = 0; e < ephemerals; e++) {
                    int len = in.readInt();
                    if (len <= 0 || len > config.frameBytesMax() + 4096) {
                        throw new IOException("ephemeral path of " + len + " bytes");
                    }
                    byte[] b = new byte[len];
                    in.readFully(b);
                    String path = new String(b, StandardCharsets.UTF_8);
                    if (PathRules.invalidReason(path) != null) {
                        throw new IOException("invalid ephemeral path " + path);
                    }
                    tree.restoreFuzzyEphemeral(path, id);
                }
            }
        }
        long highest = 0;
        int count = in.readInt();
        int recordBytesMax = TxnBounds.snapshotRecordBytesMax(config.frameBytesMax(), config.txnBytesMax());
        for (int i = 0; i < count; i++) {
            int len = in.readInt();
            if (len < 0 || len > recordBytesMax) {
                throw new IOException("snapshot record of " + len + " bytes");
            }
            byte[] b = new byte[len];
            in.readFully(b);
            JuteInput rec = JuteInput.of(b);
            String path = rec.readString();
            if (path == null) {
                continue;
            }
            byte[] data = rec.readBuffer();
            List<Acl> acl = rec.readAclList();
            long czxid = rec.readLong();
            long mzxid = rec.readLong();
            long pzxid = rec.readLong();
            highest = Math.max(highest, Math.max(czxid, Math.max(mzxid, pzxid)));
            if (!DataTree.ROOT.equals(path) && tree.node(PathRules.parentOf(path)) == null) {
                // The walk saw this node after its parent had been deleted and both re-created: both re-creations
                // come after the snapshot's zxid, so replaying the log brings them back. Skipping the orphan (and,
                // parent-first, its descendants) keeps the snapshot restorable.
                continue;
            }
            tree.restoreNode(path, data, acl, czxid, mzxid, pzxid, rec.readLong(), rec.readLong(), rec.readInt(),
                    rec.readInt(), rec.readInt(), rec.readLong());
        }
        long end = v2 ? in.readLong() : 0;
        tree.fuzzyHorizon(Math.max(highest, end));
        tree.rebuildQuotas();
    }

}
