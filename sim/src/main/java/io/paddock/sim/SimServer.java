package io.paddock.sim;

import io.paddock.api.replication.StateMachine;
import io.paddock.api.time.Clock;
import io.paddock.api.time.Ticker;
import io.paddock.server.ServerConfig;
import io.paddock.server.ZkServer;
import io.paddock.server.inspect.SnapshotDecoder;
import io.paddock.server.inspect.SnapshotNode;
import io.paddock.server.inspect.SnapshotSession;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * A simulated peer's state machine: the real server ({@link ZkServer}) built but never started, so it runs no thread
 * and reads no clock but the simulator's. Txns are the server's own ({@code TxnCodec} bytes); snapshots are the
 * server's own format, written by {@link StateMachine#writeSnapshot} and loaded by {@link StateMachine#restoreSnapshot}
 * into a fresh server, as a restarted process would.
 */
public final class SimServer {
    private static final int RECORD_BYTES_MAX = SnapshotDecoder.recordBytesMax(1 << 20);

    /** A decoded snapshot: every znode by path and every session with its timeout. */
    public record View(TreeMap<String, SnapshotNode> nodes, TreeMap<Long, Integer> sessions) {
        public boolean exists(String path) {
            return nodes.containsKey(path);
        }

        /** The node's data as text, or null if it does not exist. */
        public String text(String path) {
            SnapshotNode n = nodes.get(path);
            return n == null || n.data() == null ? null : new String(n.data(), java.nio.charset.StandardCharsets.UTF_8);
        }

        /** Paths and versions only: what two replicas must agree on (times and zxids are in the digest). */
        String shape() {
            StringBuilder sb = new StringBuilder();
            for (SnapshotNode n : nodes.values()) {
                sb.append(n.path()).append('#').append(n.version()).append('@')
                        .append(Long.toHexString(n.ephemeralOwner())).append(' ');
            }
            return sb.append("sessions=").append(sessions.keySet()).toString();
        }
    }

    private final ZkServer server;
    private final StateMachine machine;

    /** @param nowMs the simulated wall clock in ms; the monotonic ticker is derived from it */
    SimServer(LongSupplier nowMs) {
        Clock clock = nowMs::getAsLong;
        Ticker ticker = () -> nowMs.getAsLong() * 1_000_000L;
        this.server = new ZkServer(ServerConfig.defaults(), clock, ticker, List.of());
        this.machine = server.stateMachine();
    }

    /** A fresh server loaded with {@code snapshot}, taken at {@code zxid}. */
    static SimServer restore(LongSupplier nowMs, long zxid, byte[] snapshot) {
        SimServer s = new SimServer(nowMs);
        try {
            s.machine.restoreSnapshot(new ByteArrayInputStream(snapshot), zxid);
        } catch (IOException e) {
            throw new UncheckedIOException("snapshot at " + Invariants.z(zxid) + " does not load", e);
        }
        return s;
    }

    public void apply(long zxid, byte[] txn) {
        if (zxid <= lastApplied()) {
            throw new IllegalStateException("apply " + Invariants.z(zxid) + " after " + Invariants.z(lastApplied()));
        }
        machine.apply(zxid, ByteBuffer.wrap(txn), null);
        if (machine.lastAppliedZxid() != zxid) {
            throw new IllegalStateException("the server did not record " + Invariants.z(zxid) + " as applied");
        }
    }

    public long lastApplied() {
        return machine.lastAppliedZxid();
    }

    /** Txns the server could not apply ({@link ZkServer#applyErrors()}): 0 on a healthy replica. */
    public long applyErrors() {
        return server.applyErrors();
    }

    /** The server's tree digest ({@link ZkServer#treeDigest()}): equal on replicas that applied the same txns. */
    public long digest() {
        return server.treeDigest();
    }

    public byte[] serialize() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            machine.writeSnapshot(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * A fuzzy snapshot as the server takes one while writes go on: {@code duringWalk} runs (on this thread, between
     * two writes of the walk, with no lock held) once {@code afterBytes} bytes of the snapshot have been written, so
     * the records before that point show the state before it and the rest the state after. Runs it at the end if the
     * snapshot is shorter; returns the bytes.
     */
    public byte[] fuzzySnapshot(long afterBytes, Runnable duringWalk) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean[] fired = {false};
        java.io.OutputStream out = new java.io.OutputStream() {
            private long written;

            private void before(int len) {
                if (!fired[0] && written + len > afterBytes) {
                    fired[0] = true;
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
            machine.writeSnapshot(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!fired[0]) {
            duringWalk.run();
        }
        return bytes.toByteArray();
    }

    public View view() {
        return view(serialize());
    }

    public boolean exists(String path) {
        return view().exists(path);
    }

    static View view(byte[] snapshot) {
        TreeMap<String, SnapshotNode> nodes = new TreeMap<>();
        TreeMap<Long, Integer> sessions = new TreeMap<>();
        try {
            SnapshotDecoder.read(new ByteArrayInputStream(snapshot), RECORD_BYTES_MAX, new SnapshotDecoder.Visitor() {
                @Override
                public void session(SnapshotSession s) {
                    sessions.put(s.id(), s.timeoutMs());
                }

                @Override
                public void node(SnapshotNode n) {
                    nodes.put(n.path(), n);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("snapshot does not decode", e);
        }
        return new View(nodes, sessions);
    }
}
