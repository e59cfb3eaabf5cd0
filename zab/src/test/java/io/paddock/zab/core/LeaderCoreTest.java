package io.paddock.zab.core;

import static io.paddock.zab.core.Fixtures.config;
import static io.paddock.zab.core.Fixtures.entries;
import static io.paddock.zab.core.Fixtures.from;
import static io.paddock.zab.core.Fixtures.indexOf;
import static io.paddock.zab.core.Fixtures.only;
import static io.paddock.zab.core.Fixtures.sent;
import static io.paddock.zab.core.Fixtures.txn;
import static io.paddock.zab.core.Fixtures.z;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.api.replication.ForwardedRequest;
import io.paddock.api.replication.Role;
import io.paddock.zab.core.ZabAction.ApplyCommitted;
import io.paddock.zab.core.ZabAction.Disconnect;
import io.paddock.zab.core.ZabAction.PersistTxns;
import io.paddock.zab.core.ZabAction.RoleChanged;
import io.paddock.zab.core.ZabAction.StepDown;
import io.paddock.zab.core.ZabAction.WriteAcceptedEpoch;
import io.paddock.zab.core.ZabAction.WriteCurrentEpoch;
import io.paddock.zab.core.ZabMessage.Ack;
import io.paddock.zab.core.ZabMessage.AckEpoch;
import io.paddock.zab.core.ZabMessage.AckNewLeader;
import io.paddock.zab.core.ZabMessage.Commit;
import io.paddock.zab.core.ZabMessage.Diff;
import io.paddock.zab.core.ZabMessage.Inform;
import io.paddock.zab.core.ZabMessage.LeaderInfo;
import io.paddock.zab.core.ZabMessage.LearnerInfo;
import io.paddock.zab.core.ZabMessage.NewLeader;
import io.paddock.zab.core.ZabMessage.Ping;
import io.paddock.zab.core.ZabMessage.Proposal;
import io.paddock.zab.core.ZabMessage.SyncReply;
import io.paddock.zab.core.ZabMessage.Trunc;
import io.paddock.zab.core.ZabMessage.UpToDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeaderCoreTest {

    /** Peer 1 leads 3 voters; its log holds 2|1..2|3, all applied. */
    private static LeaderCore leaderOfThree() {
        return new LeaderCore(config(1, 3), new DurableState(2, 2, z(2, 3), z(2, 3)), 0, entries(2, 1, 3));
    }

    /** Takes peer 2 through discovery and sync (it was at the leader's last zxid); returns the sync actions. */
    private static List<ZabAction> establishWith2(LeaderCore leader) {
        leader.handle(from(2, new LearnerInfo(2, 2, z(2, 3))));
        List<ZabAction> sync = leader.handle(from(2, new AckEpoch(2, z(2, 3), false)));
        leader.handle(from(2, new AckNewLeader(3, z(2, 3))));
        return sync;
    }

    @Test
    void discoveryProposesAnEpochAboveEveryAcceptedEpochAndWritesItBeforeAnnouncingIt() {
        LeaderCore ofFive = new LeaderCore(config(1, 5), new DurableState(2, 2, z(2, 3), z(2, 3)), 0,
                entries(2, 1, 3));
        assertTrue(ofFive.handle(from(3, new LearnerInfo(3, 1, z(1, 9)))).stream()
                .noneMatch(a -> a instanceof WriteAcceptedEpoch), "one learner plus self is no quorum of 5: wait");
        LeaderCore leader = leaderOfThree();
        List<ZabAction> out = leader.handle(from(2, new LearnerInfo(2, 5, z(2, 3))));
        assertEquals(List.of(new WriteAcceptedEpoch(6)), only(out, WriteAcceptedEpoch.class));
        assertEquals(6, sent(out, 2, LeaderInfo.class).get(0).newEpoch());
        assertTrue(indexOf(out, WriteAcceptedEpoch.class) < indexOf(out, LeaderInfo.class), "persist before send");
    }

    @Test
    void aQuorumOfEpochAcksStartsTheSyncAndAQuorumOfNewLeaderAcksEstablishes() {
        LeaderCore leader = leaderOfThree();
        leader.handle(from(2, new LearnerInfo(2, 2, z(2, 1))));
        List<ZabAction> sync = leader.handle(from(2, new AckEpoch(2, z(2, 1), false)));
        assertEquals(List.of(new WriteCurrentEpoch(3)), only(sync, WriteCurrentEpoch.class));
        assertEquals(z(2, 1), sent(sync, 2, Diff.class).get(0).fromZxid());
        List<Proposal> stream = sent(sync, 2, Proposal.class);
        assertEquals(List.of(z(2, 2), z(2, 3)), stream.stream().map(Proposal::zxid).toList());
        assertEquals(z(2, 1), stream.get(0).prevZxid());
        assertEquals(new NewLeader(3, z(2, 3)), sent(sync, 2, NewLeader.class).get(0));

        List<ZabAction> est = leader.handle(from(2, new AckNewLeader(3, z(2, 3))));
        assertTrue(leader.established());
        assertEquals(List.of(new RoleChanged(Role.LEADER)), only(est, RoleChanged.class));
        assertEquals(new UpToDate(z(2, 3)), sent(est, 2, UpToDate.class).get(0));
    }

    @Test
    void leaderStepsDownWhenAnEpochAckShowsAMoreRecentLearner() {
        LeaderCore leader = leaderOfThree();
        leader.handle(from(2, new LearnerInfo(2, 2, z(2, 7))));
        List<ZabAction> out = leader.handle(from(2, new AckEpoch(2, z(2, 7), false)));
        assertEquals(1, only(out, StepDown.class).size());
        assertTrue(only(out, PersistTxns.class).isEmpty() && sent(out, 2, Trunc.class).isEmpty(),
                "a wrongly elected leader truncates no one");
        assertTrue(leader.stopped());
    }

    @Test
    void commitWaitsForAQuorumOfDurableCopiesIncludingTheLeadersOwn() {
        LeaderCore leader = leaderOfThree();
        establishWith2(leader);
        List<ZabAction> p = leader.handle(new ZabEvent.ClientProposal(txn("a")));
        assertEquals(z(3, 1), only(p, PersistTxns.class).get(0).lastZxid());
        assertEquals(z(3, 1), sent(p, 2, Proposal.class).get(0).zxid());
        assertTrue(only(leader.handle(from(2, new Ack(z(3, 1)))), ApplyCommitted.class).isEmpty(),
                "the follower's copy alone is not a quorum of 3 while the leader has not persisted");
        List<ZabAction> c = leader.handle(new ZabEvent.TxnsPersisted(z(3, 1)));
        assertEquals(List.of(new ApplyCommitted(z(3, 1))), only(c, ApplyCommitted.class));
        assertEquals(new Commit(z(3, 1)), sent(c, 2, Commit.class).get(0));
    }

    /** ZOOKEEPER-4685: the old leader shut itself down here. */
    @Test
    void anAckBeforeTheNewLeaderAckDropsOnlyThatLearner() {
        LeaderCore leader = leaderOfThree();
        establishWith2(leader);
        leader.handle(from(3, new LearnerInfo(3, 2, z(2, 3))));
        leader.handle(from(3, new AckEpoch(2, z(2, 3), false)));
        List<ZabAction> out = leader.handle(from(3, new Ack(z(2, 3))));
        assertEquals(3, only(out, Disconnect.class).get(0).peer());
        assertTrue(leader.established() && !leader.stopped());
    }

    @Test
    void proposingBeforeEstablishmentIsADriverBugReportedWithEpochAndZxid() {
        LeaderCore leader = leaderOfThree();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> leader.handle(new ZabEvent.ClientProposal(txn("x"))));
        assertTrue(e.getMessage().contains("epoch") && e.getMessage().contains("2|3"), e.getMessage());
    }

    @Test
    void leaderStepsDownWhenAQuorumIsSilentForSyncLimit() {
        LeaderCore leader = leaderOfThree();
        establishWith2(leader);
        List<ZabAction> out = List.of();
        for (int t = 0; t < 6 && out.stream().noneMatch(a -> a instanceof StepDown); t++) {
            out = leader.handle(new ZabEvent.Tick());
        }
        assertTrue(leader.stopped(), "syncLimit is 5 ticks");
        LeaderCore alive = leaderOfThree();
        establishWith2(alive);
        for (int t = 0; t < 20; t++) {
            alive.handle(new ZabEvent.Tick());
            alive.handle(from(2, new Ping(new long[0])));
        }
        assertFalse(alive.stopped());
    }

    @Test
    void leaderWithoutAQuorumWithinInitLimitStepsDown() {
        LeaderCore leader = leaderOfThree();
        for (int t = 0; t < 11; t++) {
            leader.handle(new ZabEvent.Tick());
        }
        assertTrue(leader.stopped());
    }

    /** ZOOKEEPER-582: the epoch files say 0 but the log holds epoch 5; the next epoch must be above 5. */
    @Test
    void theNewEpochIsAboveEveryEpochOnDiskEvenIfTheEpochFilesLag() {
        LeaderCore leader = new LeaderCore(config(1, 3), new DurableState(0, 0, z(5, 2), z(5, 2)), 0, entries(5, 1, 2));
        List<ZabAction> out = leader.handle(from(2, new LearnerInfo(2, 0, 0)));
        assertEquals(List.of(new WriteAcceptedEpoch(6)), only(out, WriteAcceptedEpoch.class));
    }

    @Test
    void aSyncIsAnsweredOnlyAfterEveryEarlierProposalCommits() {
        LeaderCore leader = leaderOfThree();
        establishWith2(leader);
        leader.handle(new ZabEvent.ClientProposal(txn("a")));
        assertTrue(only(leader.handle(new ZabEvent.ClientSync(7)), ZabAction.CompleteSync.class).isEmpty());
        assertTrue(sent(leader.handle(from(2, new ZabMessage.Sync(8))), 2, SyncReply.class).isEmpty());
        leader.handle(new ZabEvent.TxnsPersisted(z(3, 1)));
        List<ZabAction> out = leader.handle(from(2, new Ack(z(3, 1))));
        assertEquals(List.of(new ZabAction.CompleteSync(7)), only(out, ZabAction.CompleteSync.class));
        assertEquals(new SyncReply(8, z(3, 1)), sent(out, 2, SyncReply.class).get(0));
        assertTrue(indexOf(out, ApplyCommitted.class) < indexOf(out, ZabAction.CompleteSync.class));
    }

    @Test
    void observersGetInformsAndNeverCountTowardAQuorum() {
        LeaderCore leader = new LeaderCore(config(1, 3, 4), new DurableState(2, 2, z(2, 3), z(2, 3)), 0,
                entries(2, 1, 3));
        leader.handle(from(4, new LearnerInfo(4, 2, z(2, 3))));
        assertEquals(LeaderCore.Phase.DISCOVERING, leader.phase(), "an observer is no quorum");
        establishWith2(leader);
        leader.handle(from(4, new AckEpoch(2, z(2, 3), false)));
        leader.handle(from(4, new AckNewLeader(3, z(2, 3))));
        assertEquals(LeaderCore.Stage.UP, leader.stageOf(4));
        List<ZabAction> p = leader.handle(new ZabEvent.ClientProposal(txn("a")));
        assertTrue(sent(p, 4, Proposal.class).isEmpty());
        leader.handle(new ZabEvent.TxnsPersisted(z(3, 1)));
        List<ZabAction> c = leader.handle(from(2, new Ack(z(3, 1))));
        assertEquals(z(3, 1), sent(c, 4, Inform.class).get(0).zxid());
    }

    @Test
    void sessionTouchesInALearnersPingReachTheStateMachine() {
        LeaderCore leader = leaderOfThree();
        establishWith2(leader);
        List<ZabAction> out = leader.handle(from(2, new Ping(new long[] {11, 12})));
        assertEquals(2, only(out, ZabAction.SessionsTouched.class).get(0).sessionIds().length);
        ForwardedRequest fr = new ForwardedRequest(2, 11, 1, 5, txn("w"), new String[0]);
        assertEquals(1, only(leader.handle(from(2, new ZabMessage.Request(fr))), ZabAction.PrepareForwarded.class)
                .size());
    }

    @Test
    void aSingleVoterEnsembleEstablishesOnItsFirstEvent() {
        LeaderCore leader = new LeaderCore(config(1, 1), new DurableState(0, 0, 0, 0), 0, List.of());
        List<ZabAction> out = leader.handle(new ZabEvent.Tick());
        assertTrue(leader.established(), out.toString());
        assertEquals(List.of(new WriteAcceptedEpoch(1)), only(out, WriteAcceptedEpoch.class));
    }

    @Test
    void aLearnerClaimingAnotherSidOrUnknownIsDisconnected() {
        LeaderCore leader = leaderOfThree();
        assertEquals(1, only(leader.handle(from(2, new LearnerInfo(3, 2, 0))), Disconnect.class).size());
        assertEquals(1, only(leader.handle(from(9, new LearnerInfo(9, 2, 0))), Disconnect.class).size());
    }
}
