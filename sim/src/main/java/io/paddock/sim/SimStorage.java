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
