package io.paddock.sim;

import io.paddock.zab.core.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A peer's disk: the txn log (entries up to {@link #durableUpTo} synced, the rest only buffered), snapshots (durable
 * once added: the store publishes them atomically), and the two epoch values (atomic, durable on write). A crash
 * keeps exactly what was synced.
 */
public final class SimStorage {
    final TreeMap<Long, byte[]> log = new TreeMap<>();
    long durableUpTo;
    final TreeMap<Long, byte[]> snapshots = new TreeMap<>();
    long acceptedEpoch;
    long currentEpoch;
    /**
     * The empty snapshot at zxid 0 a freshly created data folder holds (ZooKeeper writes {@code snapshot.0} on first
     * start): a folder with log entries and no snapshot at all has lost its snapshots (ZOOKEEPER-2325).
     */
    boolean initialSnapshot = true;

    void append(long zxid, byte[] txn) {
        if (!log.isEmpty() && zxid <= log.lastKey()) {
            throw new IllegalStateException("log append " + Long.toHexString(zxid) + " after "
                    + Long.toHexString(log.lastKey()));
        }
        log.put(zxid, txn);
    }

    void syncAll() {
        if (!log.isEmpty()) {
            durableUpTo = Math.max(durableUpTo, log.lastKey());
        }
    }

    void truncateAfter(long zxid) {
        syncAll();
        log.tailMap(zxid, false).clear();
        durableUpTo = zxid;
    }

    /** A SNAP from the leader: the snapshot is published, then the whole log is superseded and cut. */
    void installSnapshot(long zxid, byte[] snapshot) {
        if (!log.isEmpty() && log.lastKey() >= zxid) {
            throw new IllegalStateException("snapshot at " + Long.toHexString(zxid) + " over a log reaching "
                    + Long.toHexString(log.lastKey()));
        }
        addSnapshot(zxid, snapshot);
        log.clear();
        durableUpTo = zxid;
    }

    void addSnapshot(long zxid, byte[] snapshot) {
        snapshots.put(zxid, snapshot);
        while (snapshots.size() > 3) {
            snapshots.pollFirstEntry();
        }
    }

    /**
     * The start-up rule (RELIABILITY.md 7.7): the log after the newest snapshot must continue it with no gap, and log
     * entries need a snapshot to start from. Returns why this disk must not be served from, or null if it may. A
     * snapshot newer than the whole log is fine (ClickHouse #31150): the state comes from the snapshot, and the peer
     * reports the snapshot's zxid as its last.
     */
    public String startupRefusal() {
        if (snapshots.isEmpty() && !initialSnapshot && !log.isEmpty()) {
            return "no snapshot found, but the log holds entries from " + Invariants.z(log.firstKey())
                    + " (ZOOKEEPER-2325)";
        }
        long prev = latestSnapshotZxid();
        for (Long z : log.tailMap(prev, false).keySet()) {
            if (!Invariants.follows(prev, z)) {
                return "the log jumps from " + Invariants.z(prev) + " to " + Invariants.z(z)
                        + " (a gap: ClickHouse #112101)";
            }
            prev = z;
        }
        return null;
    }

    /** An empty data folder, as freshly created. */
    void wipe() {
        log.clear();
        durableUpTo = 0;
        snapshots.clear();
        acceptedEpoch = 0;
        currentEpoch = 0;
        initialSnapshot = true;
    }

    /** Power loss: everything not synced is gone. */
    void crash() {
        log.tailMap(durableUpTo, false).clear();
    }

    public long latestSnapshotZxid() {
        return snapshots.isEmpty() ? 0 : snapshots.lastKey();
    }

    public long lastLogged() {
        long tail = log.isEmpty() ? 0 : log.lastKey();
        return Math.max(tail, latestSnapshotZxid());
    }

    /** Whether {@code zxid} survives a crash now: synced in the log, or covered by a snapshot. */
    public boolean durablyHolds(long zxid) {
        if (zxid == 0 || latestSnapshotZxid() >= zxid) {
            return true;
        }
        return zxid <= durableUpTo && log.containsKey(zxid);
    }

    /** Durable log entries in (from, to], in order. */
    List<LogEntry> durableRange(long from, long to) {
        List<LogEntry> out = new ArrayList<>();
        for (Map.Entry<Long, byte[]> e : log.subMap(from, false, Math.min(to, durableUpTo), true).entrySet()) {
            out.add(new LogEntry(e.getKey(), e.getValue()));
        }
        return out;
    }

    public long acceptedEpoch() {
        return acceptedEpoch;
    }

    public long currentEpoch() {
        return currentEpoch;
    }

    public long durableUpTo() {
        return durableUpTo;
    }

    public TreeMap<Long, byte[]> log() {
        return log;
    }
}
