package io.paddock.zab.core;

import static io.paddock.zab.core.Fixtures.config;
import static io.paddock.zab.core.Fixtures.from;
import static io.paddock.zab.core.Fixtures.indexOf;
import static io.paddock.zab.core.Fixtures.only;
import static io.paddock.zab.core.Fixtures.sent;
import static io.paddock.zab.core.Fixtures.txn;
import static io.paddock.zab.core.Fixtures.z;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.zab.core.ZabAction.ApplyCommitted;
import io.paddock.zab.core.ZabAction.InstallSnapshot;
import io.paddock.zab.core.ZabAction.PersistTxns;
import io.paddock.zab.core.ZabAction.StepDown;
import io.paddock.zab.core.ZabAction.TruncateLog;
import io.paddock.zab.core.ZabAction.WriteAcceptedEpoch;
import io.paddock.zab.core.ZabAction.WriteCurrentEpoch;
import io.paddock.zab.core.ZabMessage.Ack;
import io.paddock.zab.core.ZabMessage.AckEpoch;
import io.paddock.zab.core.ZabMessage.AckNewLeader;
import io.paddock.zab.core.ZabMessage.Commit;
import io.paddock.zab.core.ZabMessage.Diff;
import io.paddock.zab.core.ZabMessage.LeaderInfo;
import io.paddock.zab.core.ZabMessage.LearnerInfo;
import io.paddock.zab.core.ZabMessage.NewLeader;
import io.paddock.zab.core.ZabMessage.Ping;
import io.paddock.zab.core.ZabMessage.Proposal;
import io.paddock.zab.core.ZabMessage.Snap;
import io.paddock.zab.core.ZabMessage.Trunc;
import io.paddock.zab.core.ZabMessage.UpToDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class LearnerCoreTest {
    private static final long LEADER = 1;

    /** Peer 2 following peer 1; on disk: accepted/current epoch 2, log up to 2|3, applied 2|1. */
    private static LearnerCore follower() {
        return new LearnerCore(config(2, 3), LEADER, new DurableState(2, 2, z(2, 3), z(2, 1)));
    }

    /** Connected, epoch 3 accepted, DIFF header received. */
    private static LearnerCore diffing() {
        LearnerCore f = follower();
        f.handle(new ZabEvent.PeerConnected(LEADER));
        f.handle(from(LEADER, new LeaderInfo(3)));
        f.handle(from(LEADER, new Diff(z(2, 3))));
        return f;
    }

    @Test
    void registrationReportsTheDurableStateAndPersistsTheAcceptedEpochBeforeAcking() {
        LearnerCore f = follower();
        assertEquals(new LearnerInfo(2, 2, z(2, 3)),
                sent(f.handle(new ZabEvent.PeerConnected(LEADER)), LEADER, LearnerInfo.class).get(0));
        List<ZabAction> out = f.handle(from(LEADER, new LeaderInfo(3)));
        assertEquals(List.of(new WriteAcceptedEpoch(3)), only(out, WriteAcceptedEpoch.class));
        assertEquals(new AckEpoch(2, z(2, 3), false), sent(out, LEADER, AckEpoch.class).get(0));
        assertTrue(indexOf(out, WriteAcceptedEpoch.class) < indexOf(out, AckEpoch.class));
    }

    @Test
    void aLeaderProposingAnEpochBelowTheAcceptedOneIsRefused() {
        LearnerCore f = follower();
        f.handle(new ZabEvent.PeerConnected(LEADER));
        assertEquals(1, only(f.handle(from(LEADER, new LeaderInfo(1))), StepDown.class).size());
    }

    /** ZOOKEEPER-3911 / 3023 / 4646 / 4785 / 4643: entries durable, then currentEpoch, then the ack. */
    @Test
    void newLeaderIsAckedOnlyAfterTheSyncedTxnsAndThenCurrentEpochAreDurable() {
        LearnerCore f = diffing();
        assertEquals(1, only(f.handle(from(LEADER, new Proposal(z(2, 4), z(2, 3), txn("a")))),
                PersistTxns.class).size());
        f.handle(from(LEADER, new Proposal(z(2, 5), z(2, 4), txn("b"))));
        List<ZabAction> nl = f.handle(from(LEADER, new NewLeader(3, z(2, 5))));
        assertTrue(sent(nl, LEADER, AckNewLeader.class).isEmpty() && only(nl, WriteCurrentEpoch.class).isEmpty(),
                "nothing is durable yet: no currentEpoch, no ack");
        assertTrue(sent(f.handle(new ZabEvent.TxnsPersisted(z(2, 4))), LEADER, AckNewLeader.class).isEmpty());
        List<ZabAction> out = f.handle(new ZabEvent.TxnsPersisted(z(2, 5)));
        assertEquals(List.of(new WriteCurrentEpoch(3)), only(out, WriteCurrentEpoch.class));
        assertEquals(new AckNewLeader(3, z(2, 5)), sent(out, LEADER, AckNewLeader.class).get(0));
        assertTrue(indexOf(out, WriteCurrentEpoch.class) < indexOf(out, AckNewLeader.class));
    }

    /** ZOOKEEPER-4394: DIFF, PROPOSAL, NEWLEADER, PROPOSAL, COMMIT, UPTODATE: nothing applied before UPTODATE. */
    @Test
    void commitsArrivingBetweenNewLeaderAndUpToDateAreAppliedOnlyAtUpToDate() {
        LearnerCore f = diffing();
        f.handle(from(LEADER, new Proposal(z(2, 4), z(2, 3), txn("a"))));
        f.handle(from(LEADER, new NewLeader(3, z(2, 4))));
        List<ZabAction> live = f.handle(from(LEADER, new Proposal(z(3, 1), z(2, 4), txn("b"))));
        assertEquals(1, only(live, PersistTxns.class).size());
        assertTrue(only(f.handle(from(LEADER, new Commit(z(3, 1)))), ApplyCommitted.class).isEmpty());
        List<ZabAction> durable = f.handle(new ZabEvent.TxnsPersisted(z(3, 1)));
        assertTrue(indexOf(durable, AckNewLeader.class) < indexOf(durable, Ack.class),
                "ZOOKEEPER-4685: the NEWLEADER ack goes first");
        List<ZabAction> up = f.handle(from(LEADER, new UpToDate(z(2, 4))));
        assertEquals(List.of(new ApplyCommitted(z(3, 1))), only(up, ApplyCommitted.class));
        assertTrue(f.serving());
    }

    /** ZOOKEEPER-4925: a stream with a hole is refused, not applied. */
    @Test
    void aSyncStreamWithAHoleIsRejected() {
        LearnerCore f = diffing();
        f.handle(from(LEADER, new Proposal(z(2, 4), z(2, 3), txn("a"))));
        List<ZabAction> out = f.handle(from(LEADER, new Proposal(z(2, 6), z(2, 5), txn("c"))));
        assertEquals(1, only(out, StepDown.class).size());
        assertTrue(only(out, PersistTxns.class).isEmpty());
        LearnerCore g = diffing();
        assertEquals(1, only(g.handle(from(LEADER, new Proposal(z(2, 6), z(2, 3), txn("c")))), StepDown.class)
                .size(), "a prev that matches but a counter that skips is a hole too");
    }

    @Test
    void aNewLeaderNamingEntriesThatNeverArrivedIsRejected() {
        LearnerCore f = diffing();
        assertEquals(1, only(f.handle(from(LEADER, new NewLeader(3, z(2, 5)))), StepDown.class).size());
    }

    @Test
    void truncIsDurableBeforeTheStreamGoesOnAndNeverCutsAppliedState() {
        LearnerCore f = follower();
        f.handle(new ZabEvent.PeerConnected(LEADER));
        f.handle(from(LEADER, new LeaderInfo(3)));
        assertEquals(List.of(new TruncateLog(z(2, 2))), only(f.handle(from(LEADER, new Trunc(z(2, 2)))),
                TruncateLog.class));
        LearnerCore g = follower();
        g.handle(new ZabEvent.PeerConnected(LEADER));
        g.handle(from(LEADER, new LeaderInfo(3)));
        List<ZabAction> out = g.handle(from(LEADER, new Trunc(z(1, 7))));
        assertTrue(only(out, TruncateLog.class).isEmpty() && !only(out, StepDown.class).isEmpty(),
                "2|1 is applied, so it is committed; a leader cutting below it is refused");
    }

    /** ZOOKEEPER-3104 / 3642: the snapshot is durable before the NEWLEADER ack, and before anything after it counts. */
    @Test
    void aSnapshotMustBeInstalledDurablyBeforeNewLeaderIsAcked() {
        LearnerCore f = follower();
        f.handle(new ZabEvent.PeerConnected(LEADER));
        f.handle(from(LEADER, new LeaderInfo(3)));
        assertEquals(1, only(f.handle(from(LEADER, new Snap(z(2, 9), new byte[] {1}))), InstallSnapshot.class)
                .size());
        assertTrue(sent(f.handle(from(LEADER, new NewLeader(3, z(2, 9)))), LEADER, AckNewLeader.class).isEmpty());
        assertThrows(IllegalStateException.class, () -> f.handle(new ZabEvent.TxnsPersisted(z(2, 9))),
                "no append may be reported durable before the snapshot it follows");
        assertEquals(new AckNewLeader(3, z(2, 9)),
                sent(f.handle(new ZabEvent.SnapshotInstalled(z(2, 9))), LEADER, AckNewLeader.class).get(0));
    }

    @Test
    void aSnapshotNotAboveTheLearnersLastZxidIsRefused() {
        LearnerCore f = follower();
        f.handle(new ZabEvent.PeerConnected(LEADER));
        f.handle(from(LEADER, new LeaderInfo(3)));
        assertEquals(1, only(f.handle(from(LEADER, new Snap(z(2, 3), new byte[0]))), StepDown.class).size());
    }

    @Test
    void learnerGivesUpOnASilentLeaderAfterSyncLimitOnceServing() {
        LearnerCore f = diffing();
        f.handle(from(LEADER, new NewLeader(3, z(2, 3))));
        f.handle(from(LEADER, new UpToDate(z(2, 3))));
        for (int t = 0; t < 5; t++) {
            assertTrue(only(f.handle(new ZabEvent.Tick()), StepDown.class).isEmpty());
        }
        assertEquals(1, only(f.handle(new ZabEvent.Tick()), StepDown.class).size());
    }

    @Test
    void pingsWithoutProgressDoNotKeepALearnerInSyncForever() {
        LearnerCore f = diffing();
        boolean stopped = false;
        for (int t = 0; t < 12 && !stopped; t++) {
            f.handle(from(LEADER, new Ping(new long[0])));
            stopped = !only(f.handle(new ZabEvent.Tick()), StepDown.class).isEmpty();
        }
        assertTrue(stopped, "initLimit is 10 ticks per phase");
    }

    @Test
    void sessionTouchesAreBatchedIntoPingRepliesOfBoundedSize() {
        LearnerCore f = diffing();
        f.handle(from(LEADER, new NewLeader(3, z(2, 3))));
        f.handle(from(LEADER, new UpToDate(z(2, 3))));
        f.handle(new ZabEvent.SessionTouched(11));
        f.handle(new ZabEvent.SessionTouched(11));
        List<ZabAction> early = f.handle(new ZabEvent.SessionTouched(12));
        assertTrue(sent(early, LEADER, Ping.class).isEmpty());
        List<ZabAction> flush = f.handle(new ZabEvent.SessionTouched(13));
        assertEquals(3, sent(flush, LEADER, Ping.class).get(0).touchedSessions().length,
                "touchesPerPingMax is 3: a full batch leaves at once");
        assertEquals(0, sent(f.handle(from(LEADER, new Ping(new long[0]))), LEADER, Ping.class).get(0)
                .touchedSessions().length);
    }

    @Test
    void anyEventAfterStepDownIsADriverBug() {
        LearnerCore f = follower();
        f.handle(new ZabEvent.PeerDisconnected(LEADER));
        assertTrue(f.stopped());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> f.handle(new ZabEvent.Tick()));
        assertTrue(e.getMessage().contains("epoch"), e.getMessage());
    }

    @Test
    void observersNeverAckProposalsButAckNewLeader() {
        LearnerCore o = new LearnerCore(config(4, 3, 4), LEADER, new DurableState(2, 2, z(2, 3), z(2, 3)));
        o.handle(new ZabEvent.PeerConnected(LEADER));
        o.handle(from(LEADER, new LeaderInfo(3)));
        o.handle(from(LEADER, new Diff(z(2, 3))));
        o.handle(from(LEADER, new NewLeader(3, z(2, 3))));
        o.handle(from(LEADER, new UpToDate(z(2, 3))));
        assertEquals(1, only(o.handle(from(LEADER, new Proposal(z(3, 1), z(2, 3), txn("x")))), StepDown.class)
                .size(), "observers get INFORM, never PROPOSAL");
        LearnerCore p = new LearnerCore(config(4, 3, 4), LEADER, new DurableState(2, 2, z(2, 3), z(2, 3)));
        p.handle(new ZabEvent.PeerConnected(LEADER));
        p.handle(from(LEADER, new LeaderInfo(3)));
        p.handle(from(LEADER, new Diff(z(2, 3))));
        p.handle(from(LEADER, new NewLeader(3, z(2, 3))));
        p.handle(from(LEADER, new UpToDate(z(2, 3))));
        List<ZabAction> inform = p.handle(from(LEADER, new ZabMessage.Inform(z(3, 1), z(2, 3), txn("x"))));
        assertEquals(List.of(new ApplyCommitted(z(3, 1))), only(inform, ApplyCommitted.class));
        assertTrue(sent(p.handle(new ZabEvent.TxnsPersisted(z(3, 1))), LEADER, Ack.class).isEmpty());
    }
}
