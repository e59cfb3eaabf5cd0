package io.paddock.zab.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tail of the leader's history held in memory: entries {@code (base, last]}, where {@code base} is a zxid on the
 * history (a trimmed entry, the snapshot the driver loaded, or 0). It serves DIFF and TRUNC to learners and holds the
 * outstanding proposals. Committed entries beyond {@code committedLogMax} / {@code committedLogBytesMax} are trimmed
 * from the front; outstanding ones never are (their number is bounded by {@code outstandingProposalsMax}).
 *
 * <p>Every entry must {@linkplain Zxids#follows follow} the one before it (and the first must follow {@code base}), so
 * the stream built from this log has no hole: ZOOKEEPER-4925 served DIFFs from a committed log with a hole.
 */
final class LeaderLog {
    private final TreeMap<Long, LogEntry> entries = new TreeMap<>();
    private long base;
    private long bytes;

    LeaderLog(long base, List<LogEntry> after) {
        this.base = base;
        for (LogEntry e : after) {
            append(e);
        }
    }

    long base() {
        return base;
    }

    long last() {
        return entries.isEmpty() ? base : entries.lastKey();
    }

    int size() {
        return entries.size();
    }

    void append(LogEntry e) {
        long last = last();
        if (!Zxids.follows(last, e.zxid())) {
            throw new IllegalStateException("leader log would get a hole: " + Zxids.str(e.zxid()) + " after "
                    + Zxids.str(last));
        }
        entries.put(e.zxid(), e);
        bytes += e.txn().length;
    }

    /** The greatest zxid of the history at or below {@code zxid}; {@code -1} if {@code zxid} is below {@code base}. */
    long floor(long zxid) {
        if (zxid < base) {
            return -1;
        }
        Long k = entries.floorKey(zxid);
        return k == null ? base : k;
    }

    /** Whether {@code zxid} is {@code base} or an entry held. */
    boolean holds(long zxid) {
        return zxid == base || entries.containsKey(zxid);
    }

    LogEntry get(long zxid) {
        LogEntry e = entries.get(zxid);
        if (e == null) {
            throw new IllegalStateException("leader log holds no " + Zxids.str(zxid) + " (base " + Zxids.str(base)
                    + ", last " + Zxids.str(last()) + ")");
        }
        return e;
    }

    /** Entries with {@code from < zxid <= to}, in order. */
    List<LogEntry> range(long from, long to) {
        if (to <= from) {
            return List.of();
        }
        return new ArrayList<>(entries.subMap(from, false, to, true).values());
    }

    /** Drops committed entries from the front while the window is over either bound. */
    void trim(long committed, int entriesMax, long bytesMax) {
        while (!entries.isEmpty() && (entries.size() > entriesMax || bytes > bytesMax)) {
            Map.Entry<Long, LogEntry> first = entries.firstEntry();
            if (first.getKey() > committed) {
                return;
            }
            entries.pollFirstEntry();
            bytes -= first.getValue().txn().length;
            base = first.getKey();
        }
    }
}
