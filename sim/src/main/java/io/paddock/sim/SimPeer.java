package io.paddock.sim;

import io.paddock.api.replication.Role;
import io.paddock.zab.core.LeaderCore;
import io.paddock.zab.core.LearnerCore;
import io.paddock.zab.core.LogEntry;
import io.paddock.zab.core.ZabCore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** One simulated server: its disk, its state machine, its current core and the simulated driver's bookkeeping. */
public final class SimPeer {
    /** Work on the storage queue, done in order (the driver's storage thread). */
    sealed interface DiskOp permits Append, Install {}

    record Append(List<LogEntry> entries) implements DiskOp {}

    record Install(long zxid, byte[] snapshot) implements DiskOp {}

    final long id;
    final boolean voter;
    boolean up = true;
    final SimStorage storage = new SimStorage();
    SimServer sm;
    /** The leader's prepare view: its tree once everything it logged is applied; null unless it leads. */
    TreeModel model;
    /** Why the last start-up was refused (the peer stays down), or null. */
    String refusedStartup;
    ZabCore core;
    /** Incremented whenever the core is replaced or the peer crashes: stale reports and links are ignored. */
    int generation;
    Role role = Role.LOOKING;
    long lookingSinceTick;
    int electionDelayTicks;

    Conn leaderConn;
    final TreeMap<Long, Conn> learnerConns = new TreeMap<>();

    final ArrayDeque<DiskOp> diskQueue = new ArrayDeque<>();
    DiskOp diskBusy;
    int diskEpoch;
    boolean diskStalled;
    long diskStallUntilTick = -1;

    int appliedSinceSnapshot;
    int snapshotThreshold;
    boolean sentAckNewLeader;
    long crashes;
    final List<Long> sessions = new ArrayList<>();

    SimPeer(long id, boolean voter) {
        this.id = id;
        this.voter = voter;
    }

    public long id() {
        return id;
    }

    public boolean up() {
        return up;
    }

    public Role role() {
        return role;
    }

    public ZabCore core() {
        return core;
    }

    public LeaderCore leaderCore() {
        return core instanceof LeaderCore l ? l : null;
    }

    public LearnerCore learnerCore() {
        return core instanceof LearnerCore l ? l : null;
    }

    /** Why the last start-up was refused (the peer stayed down), or null. */
    public String refusedStartup() {
        return refusedStartup;
    }

    public SimStorage storage() {
        return storage;
    }

    public SimServer stateMachine() {
        return sm;
    }

    /** The txn of {@code zxid} as this peer's driver sees it: buffered or synced in the log, or still queued. */
    byte[] txn(long zxid) {
        byte[] t = storage.log.get(zxid);
        if (t != null) {
            return t;
        }
        for (DiskOp op : queuedOps()) {
            if (op instanceof Append a) {
                for (LogEntry e : a.entries()) {
                    if (e.zxid() == zxid) {
                        return e.txn();
                    }
                }
            }
        }
        return null;
    }

    /** The log as the driver sees it: storage plus appends still queued; entries in (from, to]. */
    TreeMap<Long, byte[]> logicalRange(long from, long to) {
        if (to <= from) {
            return new TreeMap<>();
        }
        TreeMap<Long, byte[]> out = new TreeMap<>(storage.log.subMap(from, false, to, true));
        for (DiskOp op : queuedOps()) {
            if (op instanceof Append a) {
                for (LogEntry e : a.entries()) {
                    if (e.zxid() > from && e.zxid() <= to && !storage.log.containsKey(e.zxid())) {
                        out.put(e.zxid(), e.txn());
                    }
                }
            }
        }
        return out;
    }

    long logicalLast() {
        long last = storage.lastLogged();
        for (DiskOp op : queuedOps()) {
            if (op instanceof Append a) {
                last = Math.max(last, a.entries().get(a.entries().size() - 1).zxid());
            } else if (op instanceof Install i) {
                last = Math.max(last, i.zxid());
            }
        }
        return last;
    }

    private List<DiskOp> queuedOps() {
        List<DiskOp> ops = new ArrayList<>();
        if (diskBusy != null) {
            ops.add(diskBusy);
        }
        ops.addAll(diskQueue);
        return ops;
    }

    String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("p").append(id).append(voter ? "" : "(obs)").append(up ? " up " : " DOWN ").append(role)
                .append(" core=").append(core).append(" applied=").append(sm == null ? "-" : Long.toHexString(sm.lastApplied()))
                .append(" log=").append(storage.log.isEmpty() ? "[]" : "[.."
                        + Long.toHexString(storage.log.lastKey()) + "]")
                .append(" durable=").append(Long.toHexString(storage.durableUpTo))
                .append(" snaps=").append(hex(storage.snapshots)).append(" acc=").append(storage.acceptedEpoch)
                .append(" cur=").append(storage.currentEpoch).append(" diskQ=").append(diskQueue.size())
                .append(diskBusy != null ? "+busy" : "").append(diskStalled ? " STALLED" : "");
        return sb.toString();
    }

    private static String hex(Map<Long, byte[]> m) {
        StringBuilder sb = new StringBuilder("[");
        for (Long k : m.keySet()) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append(Long.toHexString(k));
        }
        return sb.append(']').toString();
    }
}
