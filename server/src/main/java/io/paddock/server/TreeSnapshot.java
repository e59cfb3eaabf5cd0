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
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The server's snapshot format: the session table, then every znode parent-first. Written while writes go on
 * (fuzzy); a node deleted during the walk is skipped and replaying the log after the snapshot's zxid settles it.
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


    private static final int SNAPSHOT_MAGIC = 0x50444b53; // "PDKS"

    void write(DataOutputStream out) throws IOException {
        out.writeInt(SNAPSHOT_MAGIC);
        Collection<Session> all = new ArrayList<>(sessions.all());
        out.writeInt(all.size());
        for (Session s : all) {
            out.writeLong(s.id());
            out.writeInt(s.timeoutMs());
            out.write(s.password());
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
        out.flush();
    }

    void read(DataInputStream in) throws IOException {
        if (in.readInt() != SNAPSHOT_MAGIC) {
            throw new IOException("not a Paddock tree snapshot");
        }
        int sessionCount = in.readInt();
        for (int i = 0; i < sessionCount; i++) {
            long id = in.readLong();
            int timeout = in.readInt();
            byte[] pw = new byte[16];
            in.readFully(pw);
            sessions.add(id, pw, timeout);
        }
        long highest = 0;
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            int len = in.readInt();
            if (len < 0 || len > config.frameBytesMax() * 2 + 4096) {
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
        tree.fuzzyHorizon(highest);
        tree.rebuildQuotas();
    }

}
