package io.paddock.zab.core;

/**
 * How the leader brings one learner onto its history, chosen from the learner's last zxid and the leader's in-memory
 * log (ZooKeeper's {@code LearnerHandler.syncFollower}, without its special cases).
 *
 * <ul>
 *   <li>{@code DIFF}: the learner's last zxid is on the leader's history; send what follows it.</li>
 *   <li>{@code TRUNC}: the learner holds entries the leader's history does not (an old epoch's uncommitted tail, or more
 *       of the current epoch than the leader): cut it back to the greatest history zxid below its last, then send what
 *       follows. ZOOKEEPER-1154 sent a DIFF here; ZOOKEEPER-2832 skipped the TRUNC when the leader was behind.</li>
 *   <li>{@code SNAP}: the learner is below the window; send committed state at the leader's applied zxid, then what
 *       follows. The snapshot zxid is always above the learner's last zxid, so installing it never removes an entry
 *       the learner holds (and may have acknowledged).</li>
 * </ul>
 *
 * @param kind    the header to send
 * @param zxid    DIFF: the learner's last zxid; TRUNC: where to cut; SNAP: the snapshot's zxid
 */
record SyncPlan(Kind kind, long zxid) {
    enum Kind { DIFF, TRUNC, SNAP }

    /** The entries sent after the header follow this zxid. */
    long point() {
        return zxid;
    }

    static SyncPlan choose(long learnerLastZxid, LeaderLog log, long snapshotZxid) {
        long floor = log.floor(learnerLastZxid);
        if (floor < 0) {
            if (snapshotZxid < log.base() || snapshotZxid <= learnerLastZxid) {
                throw new IllegalStateException("snapshot at " + Zxids.str(snapshotZxid) + " cannot serve a learner at "
                        + Zxids.str(learnerLastZxid) + " (log base " + Zxids.str(log.base()) + ")");
            }
            return new SyncPlan(Kind.SNAP, snapshotZxid);
        }
        if (floor == learnerLastZxid) {
            return new SyncPlan(Kind.DIFF, learnerLastZxid);
        }
        return new SyncPlan(Kind.TRUNC, floor);
    }
}
