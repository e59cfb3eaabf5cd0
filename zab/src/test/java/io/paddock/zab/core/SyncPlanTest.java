package io.paddock.zab.core;

import static io.paddock.zab.core.Fixtures.entries;
import static io.paddock.zab.core.Fixtures.entry;
import static io.paddock.zab.core.Fixtures.z;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyncPlanTest {

    /** Leader history 7|1..7|3 then 8|1 (epoch 8 never saw 7|4). */
    private static LeaderLog history() {
        List<LogEntry> log = new ArrayList<>(entries(7, 1, 3));
        log.add(entry(8, 1));
        return new LeaderLog(z(6, 9), log);
    }

    @Test
    void learnerWhoseLastZxidIsOnTheHistoryGetsADiff() {
        assertEquals(new SyncPlan(SyncPlan.Kind.DIFF, z(7, 2)), SyncPlan.choose(z(7, 2), history(), z(7, 3)));
        assertEquals(new SyncPlan(SyncPlan.Kind.DIFF, z(6, 9)), SyncPlan.choose(z(6, 9), history(), z(7, 3)));
        assertEquals(new SyncPlan(SyncPlan.Kind.DIFF, z(8, 1)), SyncPlan.choose(z(8, 1), history(), z(7, 3)));
    }

    /** ZOOKEEPER-1154: 7|4 was logged only by the old leader; it must be cut, not diffed over. */
    @Test
    void learnerHoldingAnUncommittedTxnOfAnOldEpochIsTruncatedToTheLastCommonZxid() {
        assertEquals(new SyncPlan(SyncPlan.Kind.TRUNC, z(7, 3)), SyncPlan.choose(z(7, 4), history(), z(7, 3)));
    }

    /** ZOOKEEPER-2832: the learner is ahead of the leader; the leader's lower last zxid does not excuse the TRUNC. */
    @Test
    void learnerAheadOfTheLeaderIsTruncatedToTheLeadersLastZxid() {
        assertEquals(new SyncPlan(SyncPlan.Kind.TRUNC, z(8, 1)), SyncPlan.choose(z(8, 5), history(), z(7, 3)));
        assertEquals(new SyncPlan(SyncPlan.Kind.TRUNC, z(8, 1)), SyncPlan.choose(z(9, 1), history(), z(7, 3)));
    }

    @Test
    void learnerBelowTheWindowGetsASnapshotAboveItsLastZxid() {
        SyncPlan plan = SyncPlan.choose(z(5, 2), history(), z(7, 3));
        assertEquals(new SyncPlan(SyncPlan.Kind.SNAP, z(7, 3)), plan);
    }

    /** ZOOKEEPER-4925: a committed log with a hole must never serve a DIFF. */
    @Test
    void aLeaderLogWithAHoleIsRefused() {
        List<LogEntry> withHole = List.of(entry(3, 1), entry(3, 2), entry(3, 4));
        assertThrows(IllegalStateException.class, () -> new LeaderLog(0, withHole));
        assertThrows(IllegalStateException.class, () -> new LeaderLog(z(2, 5), List.of(entry(3, 2))));
    }

    @Test
    void trimmingKeepsOutstandingProposalsAndMovesTheBase() {
        LeaderLog log = new LeaderLog(0, entries(1, 1, 10));
        log.trim(z(1, 4), 3, Long.MAX_VALUE);
        assertEquals(z(1, 4), log.base(), "only committed entries are trimmed");
        assertEquals(6, log.size());
        assertEquals(-1, log.floor(z(1, 3)));
    }
}
