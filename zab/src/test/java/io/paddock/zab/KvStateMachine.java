package io.paddock.zab;

import io.paddock.api.replication.ForwardedRequest;
import io.paddock.api.replication.NotLeaderException;
import io.paddock.api.replication.Replicator;
import io.paddock.api.replication.Role;
import io.paddock.api.replication.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The trivial replicated state: the list of applied {@code zxid:txn} strings. A forwarded request's body is proposed
 * as the txn when this peer leads. The snapshot is the whole list, so peers compare equal across a SNAP.
 *
 * <p>Snapshots are fuzzy as the server's are: one labelled z may already hold txns after z (the driver writes
 * periodic snapshots while applies go on), so after a restore the replay of such txns is accepted and skipped, and
 * the applied zxid is the label, as in {@code ZkServer}.
 */
final class KvStateMachine implements StateMachine {
    private final List<String> applied = new ArrayList<>();
    private volatile long lastApplied;
    /** The greatest zxid in {@link #applied}; above {@link #lastApplied} after restoring a fuzzy snapshot. */
    private long contentMax;
    /** Calls of apply since this object was made (a restart replays only the log after the snapshot). */
    volatile int applyCalls;
    volatile int restores;
    volatile Role role = Role.LOOKING;
    volatile Replicator replicator;
    final ConcurrentLinkedQueue<Object> contextsSeen = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Object> syncsCompleted = new ConcurrentLinkedQueue<>();

    @Override
    public synchronized void apply(long zxid, ByteBuffer txn, Object context) {
        if (zxid <= lastApplied) {
            throw new IllegalStateException("apply " + Long.toHexString(zxid) + " after " + Long.toHexString(lastApplied));
        }
        byte[] b = new byte[txn.remaining()];
        txn.get(b);
        applyCalls++;
        if (zxid > contentMax) { // else the fuzzy snapshot restored already holds it
            applied.add(Long.toHexString(zxid) + ":" + new String(b, StandardCharsets.UTF_8));
            contentMax = zxid;
        }
        if (context != null) {
            contextsSeen.add(context);
        }
        lastApplied = zxid;
    }

    @Override
    public long lastAppliedZxid() {
        return lastApplied;
    }

    @Override
    public void prepareForwarded(ForwardedRequest request) {
        try {
            replicator.propose(ByteBuffer.wrap(request.body()), null);
        } catch (NotLeaderException e) {
            // the client would get a connection loss and retry
        }
    }

    @Override
    public void syncCompleted(Object context) {
        syncsCompleted.add(context);
    }

    @Override
    public void sessionsTouched(long[] sessionIds) {}

    @Override
    public void roleChanged(Role role) {
        this.role = role;
    }

    @Override
    public synchronized void writeSnapshot(OutputStream out) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        d.writeLong(contentMax);
        d.writeInt(applied.size());
        for (String s : applied) {
            d.writeUTF(s);
        }
        d.flush();
    }

    @Override
    public synchronized void restoreSnapshot(InputStream in, long zxid) throws IOException {
        DataInputStream d = new DataInputStream(in);
        long z = d.readLong();
        if (z < zxid) {
            throw new IOException("snapshot holding up to " + Long.toHexString(z) + " announced as "
                    + Long.toHexString(zxid));
        }
        int n = d.readInt();
        applied.clear();
        for (int i = 0; i < n; i++) {
            applied.add(d.readUTF());
        }
        contentMax = z;
        lastApplied = zxid;
        restores++;
    }

    synchronized List<String> applied() {
        return List.copyOf(applied);
    }
}
