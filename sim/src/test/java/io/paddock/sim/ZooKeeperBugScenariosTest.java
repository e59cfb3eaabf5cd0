package io.paddock.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.api.Zxid;
import io.paddock.zab.core.LearnerCore;
import io.paddock.zab.core.ZabAction;
import io.paddock.zab.core.ZabMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * RELIABILITY.md section 3.1 as scripted simulator runs: each test recreates the situation the ZooKeeper bug needed,
 * then asserts the property the bug broke. The simulator's invariants run after every step as well (committed txns
 * durable on a quorum, one chain of committed txns applied in order everywhere, NEWLEADER acks only of durable,
 * consistent logs...), and {@link Simulator#converge()} heals everything and checks that every peer ends equal with
 * every committed txn. Where a bug can be re-created in the simulated driver or network (a positive control), the
 * same scenario is also run with the bug and must fail, proving the checks can see it.
 */
class ZooKeeperBugScenariosTest {

    private static long z(long epoch, long counter) {
        return Zxid.of(epoch, counter);
    }

    private static Simulator threeVoters(long seed) {
        return new Simulator(seed, SimOptions.scripted());
    }

    /** Peer {@code leader} leads all three and {@code n} txns are committed everywhere. */
    static void leadAndCommit(Simulator sim, long leader, int n) {
        sim.preferLeader(leader);
        assertEquals(leader, sim.awaitStable(60));
        sim.propose(n);
        sim.awaitStable(30);
        sim.preferLeader(null);
    }

    /** The leader logs one txn that no follower receives (its outgoing links stall), then it is durable there. */
    static long logAlone(Simulator sim, long leader, String txn) {
        for (SimPeer p : sim.peers()) {
            if (p.id() != leader) {
                sim.blockOneWay(leader, p.id());
            }
        }
        long zxid = sim.peer(leader).leaderCore().lastProposedZxid() + 1;
        sim.proposeOn(leader, txn);
        sim.runTicks(1);
        assertTrue(sim.peer(leader).storage().durablyHolds(zxid), "the leader logged " + txn);
        return zxid;
    }

    /** Whether a create or setData of {@code /key} with that value ({@code key=value}) was ever committed. */
    static boolean everCommitted(Simulator sim, String keyValue) {
        String wanted = keyValue.startsWith("/") ? keyValue.substring(1) : keyValue;
        return sim.committed().values().stream().anyMatch(t -> TreeModel.label(t).equals(wanted));
    }

    /** Whether {@code /key} exists in the peer's real tree. */
    static boolean inData(SimPeer p, String key) {
        return p.stateMachine().exists(key.startsWith("/") ? key : "/" + key);
    }

    // -------------------------------------------------------------------------------------------------- 1154

    private static void zk1154(Simulator sim) {
        leadAndCommit(sim, 1, 3);
        long lonely = logAlone(sim, 1, "zk1154=A-only");
        assertEquals(z(1, 4), lonely);
        sim.crash(1);
        sim.crash(2);
        sim.crash(3);
        sim.heal();
        sim.restart(2);
        sim.restart(3);
        sim.preferLeader(2L);
        assertEquals(2, sim.awaitStable(60));
        sim.propose(1);
        sim.awaitStable(30);
        sim.preferLeader(null);
        sim.restart(1);
        sim.converge();
    }

    /** ZOOKEEPER-1154: the peer with the highest zxid was absent; on return it must be cut back, not diffed over. */
    @Test
    void zk1154OldLeadersUncommittedTxnIsTruncatedWhenItRejoins() {
        Simulator sim = threeVoters(1154);
        zk1154(sim);
        assertFalse(everCommitted(sim, "zk1154=A-only"));
        assertFalse(sim.logOf(1).contains(z(1, 4)), "TRUNC removed 1|4 from the old leader's log");
        assertFalse(inData(sim.peer(1), "zk1154"));
        assertTrue(sim.stats().truncs >= 1);
    }

    /** Positive control: a leader that sends DIFF instead of TRUNC (and a learner without the chain check). */
    @Test
    void zk1154PositiveControlDiffInsteadOfTruncIsCaught() {
        Simulator sim = threeVoters(1154);
        sim.setInterceptor(new Interceptor() {
            private long cutTo = -1;

            @Override
            public List<ZabMessage> onSend(Simulator s, long from, long to, ZabMessage m) {
                if (to == 1 && m instanceof ZabMessage.Trunc t) {
                    cutTo = t.toZxid();
                    return List.of(new ZabMessage.Diff(z(1, 4)));
                }
                if (to == 1 && m instanceof ZabMessage.Proposal p && p.prevZxid() == cutTo) {
                    return List.of(new ZabMessage.Proposal(p.zxid(), z(1, 4), p.txn()));
                }
                return List.of(m);
            }
        });
        SimulationFailure f = assertThrows(SimulationFailure.class, () -> zk1154(sim));
        assertTrue(f.getMessage().contains("ZOOKEEPER-1154"), f.getMessage());
    }

    // -------------------------------------------------------------------------------------------------- 1549

    /**
     * ZOOKEEPER-1549: the old leader, holding an uncommitted txn, leads again briefly and snapshots; TRUNC cannot undo
     * a snapshot. Here nothing uncommitted is ever applied, so no snapshot can hold it.
     */
    @Test
    void zk1549SnapshotTakenByABrieflyLeadingOldLeaderHoldsNoUncommittedTxn() {
        Simulator sim = threeVoters(1549);
        leadAndCommit(sim, 1, 3);
        logAlone(sim, 1, "zk1549=dirty");
        sim.crash(1);
        sim.crash(2);
        sim.crash(3);
        sim.heal();
        // Peer 2 comes back with peer 1 and dies as soon as it is asked to log the DIFF.
        sim.setActionHook((s, p, a) -> p.id() == 2 && a instanceof ZabAction.PersistTxns);
        sim.restart(1);
        sim.restart(2);
        sim.preferLeader(1L);
        assertTrue(sim.runUntil(() -> !sim.peer(2).up(), 60));
        sim.setActionHook(null);
        sim.takeSnapshot(1);
        assertTrue(sim.peer(1).storage().latestSnapshotZxid() <= z(1, 3), "snapshot of committed state only");
        sim.crash(1);
        sim.preferLeader(null);
        sim.restart(2);
        sim.restart(3);
        sim.awaitStable(60);
        sim.propose(1);
        sim.awaitStable(30);
        sim.restart(1);
        sim.converge();
        assertFalse(everCommitted(sim, "zk1549=dirty"));
        assertFalse(inData(sim.peer(1), "zk1549"));
        SessionBugScenariosTest.assertDigestsEqual(sim); // the server's real tree, equal everywhere
    }

    // -------------------------------------------------------------------------------------------------- 2832

    /**
     * ZOOKEEPER-2832: B logs an uncommitted txn in its epoch; A and C move on in a later epoch (C snapshots); when B
     * rejoins under C, whose last zxid is below B's, B must still be truncated.
     */
    @Test
    void zk2832FollowerAheadOfALowerZxidLeaderIsTruncated() {
        Simulator sim = threeVoters(2832);
        leadAndCommit(sim, 2, 2);
        sim.crash(3);
        logAlone(sim, 2, "key0=1000");
        sim.crash(1);
        sim.crash(2);
        sim.heal();
        sim.restart(1);
        sim.restart(3);
        sim.preferLeader(1L);
        assertEquals(1, sim.awaitStable(60));
        sim.takeSnapshot(3);
        sim.crash(1);
        sim.crash(3);
        sim.preferLeader(null);
        sim.restart(2);
        sim.restart(3);
        assertEquals(3, sim.awaitStable(60), "C's newer currentEpoch wins over B's higher zxid");
        sim.restart(1);
        sim.converge();
        assertFalse(everCommitted(sim, "key0=1000"));
        assertFalse(sim.logOf(2).contains(z(1, 3)));
        assertFalse(inData(sim.peer(2), "key0"));
    }

    // -------------------------------------------------------------------------------------------------- 2845

    /**
     * ZOOKEEPER-2845: the leader, alone, logs a write that fails; it keeps its in-memory state across the election (no
     * restart) while the others elect and write; on rejoining, the write must be nowhere.
     */
    @Test
    void zk2845WriteLoggedOnlyByAnAbandonedLeaderExistsNowhere() {
        Simulator sim = threeVoters(2845);
        leadAndCommit(sim, 1, 2);
        sim.crash(2);
        sim.crash(3);
        sim.proposeOn(1, "/zkL=x");
        sim.runTicks(1);
        sim.isolate(1);
        sim.restart(2);
        sim.restart(3);
        long other = sim.awaitStable(60);
        assertTrue(other != 1);
        sim.propose(2);
        sim.awaitStable(30);
        assertTrue(sim.runUntil(() -> sim.peer(1).core() == null || sim.peer(1).learnerCore() != null, 20),
                "the old leader gave up");
        assertTrue(sim.peer(1).up(), "no restart: the in-memory state is kept across the election");
        sim.converge();
        assertFalse(everCommitted(sim, "/zkL=x"));
        for (SimPeer p : sim.peers()) {
            assertFalse(inData(p, "/zkL"), "p" + p.id());
        }
        SessionBugScenariosTest.assertDigestsEqual(sim); // the server's real tree, equal everywhere
    }

    // -------------------------------------------------------------------------------------------------- 3911 family

    /**
     * The shape the 3911 family shares: peer 1 leads and commits two txns everywhere; the {@code laggards} crash and
     * miss three more commits; peer 1 then logs {@code tail}, a txn only it holds; the {@code others} crash, so peer 1
     * loses its quorum and steps down. With elections paused, the {@code rejoining} peers restart, peer 1 leads again
     * and they become its learners, each synced by DIFF (the missed txns and the tail). The {@code stalled} learners'
     * disks are stalled first, so an ack before their fsync would count a copy that does not exist; {@code bug} makes
     * exactly those learners' drivers ack appends before they are synced. Returns the tail's zxid.
     */
    private static long newLeaderSyncsByDiff(Simulator sim, String tail, long[] laggards, long[] others,
            long[] rejoining, long[] stalled, boolean bug) {
        leadAndCommit(sim, 1, 2);
        for (long id : laggards) {
            sim.crash(id);
        }
        sim.propose(3);
        sim.awaitStable(30);
        long tailZxid = logAlone(sim, 1, tail);
        for (long id : others) {
            sim.crash(id);
        }
        sim.heal();
        sim.pauseElections(true);
        for (long id : rejoining) {
            sim.restart(id);
        }
        assertTrue(sim.runUntil(() -> sim.peer(1).core() == null, 20), "the leader lost its quorum");
        for (long id : stalled) {
            sim.stallDisk(id);
            if (bug) {
                sim.injectAckBeforeFsync(id);
            }
        }
        sim.becomeLeader(1);
        for (long id : rejoining) {
            sim.becomeLearner(id, 1);
        }
        return tailZxid;
    }

    /** Every txn committed when {@code seen} was taken is still committed (same bytes) and applied everywhere. */
    static void assertNothingLost(Simulator sim, Map<Long, byte[]> seen) {
        assertFalse(seen.isEmpty());
        for (Map.Entry<Long, byte[]> e : seen.entrySet()) {
            assertArrayEquals(e.getValue(), sim.committed().get(e.getKey()), "committed " + Invariants.z(e.getKey()));
        }
        for (SimPeer p : sim.peers()) {
            assertTrue(p.stateMachine().lastApplied() >= seen.keySet().stream().max(Long::compare).orElseThrow(),
                    "p" + p.id() + " applied every txn a client saw committed");
        }
        SessionBugScenariosTest.assertDigestsEqual(sim); // one chain (invariant 4) + equal trees: all of it, everywhere
    }

    /**
     * ZOOKEEPER-3911 / 3023: a learner synced by DIFF acks NEWLEADER, the leader establishes (committing the tail
     * only it held) and commits more with it; then that whole quorum crashes and the old leader stays down.
     */
    private static void zk3911(Simulator sim, boolean bug) {
        newLeaderSyncsByDiff(sim, "zk3911=tail", new long[] {3}, new long[] {2}, new long[] {3}, new long[] {3}, bug);
        sim.runTicks(3);
        assertFalse(sim.peer(1).leaderCore().established(), "no NEWLEADER ack while the DIFF is not durable");
        sim.releaseDisk(3);
        sim.awaitStable(30);
        sim.propose(1);
        sim.awaitStable(30);
        sim.crash(1);
        sim.crash(3);
        sim.pauseElections(false);
        sim.restart(2);
        sim.restart(3);
        assertEquals(3, sim.awaitStable(60));
        sim.restart(1);
        sim.converge();
    }

    @Test
    void zk3911CommittedTxnsSurviveWhenTheWholeQuorumCrashesRightAfterSync() {
        Simulator sim = threeVoters(3911);
        zk3911(sim, false);
        assertTrue(everCommitted(sim, "zk3911=tail"));
        for (SimPeer p : sim.peers()) {
            assertTrue(inData(p, "zk3911"), "p" + p.id());
        }
    }

    /** Positive control: the syncing learner's driver acknowledges appends before they are synced. */
    @Test
    void zk3911PositiveControlAckBeforeFsyncIsCaught() {
        Simulator sim = threeVoters(3911);
        SimulationFailure f = assertThrows(SimulationFailure.class, () -> zk3911(sim, true));
        // The first check to fire is the one just before the ack: currentEpoch written over a non-durable DIFF.
        assertTrue(f.getMessage().contains("before its synced entries (up to 1|6) are durable"), f.getMessage());
    }

    /** ZOOKEEPER-3023: the same window, with the fsync only delayed (not stalled) and crashes at every action. */
    @Test
    void zk3023CrashAtEveryActionAroundNewLeaderLosesNothing() {
        for (int crashAt = 0; crashAt < 12; crashAt++) {
            Simulator sim = threeVoters(3023 + crashAt);
            sim.crash(3);
            leadAndCommit(sim, 1, 4);
            sim.restart(3);
            int[] seen = {0};
            int target = crashAt;
            sim.setActionHook((s, p, a) -> p.id() == 3 && !(a instanceof ZabAction.Send sd
                    && sd.message() instanceof ZabMessage.Ping) && seen[0]++ == target);
            sim.runTicks(15);
            sim.setActionHook(null);
            sim.crash(1);
            sim.restart(3);
            sim.converge();
        }
    }

    // -------------------------------------------------------------------------------------------------- 4646

    /**
     * ZOOKEEPER-4646, five voters: peers 2, 3 and 4 rejoin peer 1 by DIFF (peer 5 stays down), and the fsync of 3 and
     * 4 (two of the three followers) is held: started, never finished. Peer 1 needs two NEWLEADER acks besides its
     * own, so only acks of durable DIFFs may establish it and let it commit. Those two followers are then killed
     * before their fsync, the leader is killed, and the followers restart: with peer 2 they are a quorum again.
     */
    private static void zk4646(Simulator sim, boolean bug) {
        long[] slow = {3, 4};
        long tail = newLeaderSyncsByDiff(sim, "zk4646=tail", slow, new long[] {2, 5}, new long[] {2, 3, 4}, slow,
                bug);
        Map<Long, byte[]> seen = new TreeMap<>(sim.committed()); // every txn a client has seen committed
        assertTrue(sim.runUntil(() -> sim.peer(2).learnerCore() != null
                && sim.peer(2).learnerCore().phase() == LearnerCore.Phase.AWAITING_UPTODATE, 20), "p2 acked");
        for (long id : slow) {
            sim.releaseDisk(id); // the fsync of the DIFF starts...
            sim.stallDisk(id); // ...and hangs (the delayed SyncThread)
        }
        // The leader tries to commit: the tail (by establishing) and a new write, if a quorum lets it.
        if (sim.runUntil(() -> sim.peer(1).leaderCore().established(), 5)) {
            sim.proposeOn(1, "zk4646=new");
            sim.runTicks(2);
        }
        assertFalse(sim.peer(1).leaderCore().established(), "established on NEWLEADER acks of non-durable DIFFs");
        for (long id : slow) {
            assertFalse(sim.peer(id).storage().durablyHolds(tail), "p" + id + " has not synced the DIFF");
            sim.crash(id, "killed before its fsync");
        }
        sim.crash(1, "leader killed");
        sim.pauseElections(false);
        sim.restart(3);
        sim.restart(4);
        assertEquals(2, sim.awaitStable(60), "the only follower whose DIFF was durable holds every commit");
        sim.proposeOn(2, "zk4646=later");
        sim.awaitStable(30);
        sim.restart(1);
        sim.restart(5);
        sim.converge();
        assertNothingLost(sim, seen);
        assertTrue(everCommitted(sim, "zk4646=later"));
    }

    @Test
    void zk4646CommittedTxnsSurviveFollowersCrashingAfterNewLeaderAckBeforeTheirFsync() {
        zk4646(new Simulator(4646, SimOptions.scripted().voters(5)), false);
    }

    /** Positive control: the two slow followers' drivers ack the DIFF as soon as its fsync starts. */
    @Test
    void zk4646PositiveControlAckBeforeFsyncIsCaught() {
        Simulator sim = new Simulator(4646, SimOptions.scripted().voters(5));
        SimulationFailure f = assertThrows(SimulationFailure.class, () -> zk4646(sim, true));
        assertTrue(f.getMessage().contains("before its synced entries (up to 1|6) are durable"), f.getMessage());
    }

    // -------------------------------------------------------------------------------------------------- 4785

    /**
     * ZOOKEEPER-4785: peer 3 rejoins by a DIFF of four txns. Its link from the leader stalls right after the first
     * txn arrives, until that txn is durable; then its disk stalls and the rest of the stream (three txns and
     * NEWLEADER) arrives, so the DIFF is exactly partly durable. Peer 3 is crashed before its {@code crashAt}-th
     * action from there (each of those points lies before NEWLEADER), or, once NEWLEADER arrived, after the fsync of
     * the rest started but before it ended. Then the leader dies too and peer 3 restarts. Returns where peer 3 went
     * down: {@code "before NEWLEADER"} or {@code "after NEWLEADER"} with its DIFF partly durable, else {@code "other"}.
     */
    private static String zk4785(Simulator sim, int crashAt, boolean bug) {
        sim.crash(3);
        leadAndCommit(sim, 1, 4);
        Map<Long, byte[]> seen = new TreeMap<>(sim.committed());
        long first = z(1, 1);
        long last = z(1, 4);
        if (bug) {
            sim.injectAckBeforeFsync(3);
        }
        sim.setActionHook((s, p, a) -> {
            if (p.id() == 3 && a instanceof ZabAction.PersistTxns t && t.entries().get(0).zxid() == first) {
                s.blockOneWay(1, 3);
            }
            return false;
        });
        sim.restart(3);
        assertTrue(sim.runUntil(() -> sim.peer(3).storage().durablyHolds(first), 20), "first DIFF txn durable");
        assertFalse(sim.peer(3).storage().durablyHolds(z(1, 2)), "the rest of the DIFF is still held");
        sim.stallDisk(3);
        int[] seenActions = {0};
        sim.setActionHook((s, p, a) -> p.id() == 3
                && !(a instanceof ZabAction.Send sd && sd.message() instanceof ZabMessage.Ping)
                && seenActions[0]++ == crashAt);
        sim.heal();
        assertTrue(sim.runUntil(() -> !sim.peer(3).up() || sim.peer(3).learnerCore() != null
                && sim.peer(3).learnerCore().phase() == LearnerCore.Phase.AWAITING_UPTODATE, 20));
        String where = "before NEWLEADER";
        boolean partlyDurable = sim.peer(3).storage().durablyHolds(first) && !sim.peer(3).storage().durablyHolds(last);
        if (sim.peer(3).up()) {
            where = "after NEWLEADER";
            sim.releaseDisk(3); // the fsync of the rest starts...
            sim.stallDisk(3); // ...and does not end before the bounce
            sim.runTicks(2);
            partlyDurable = sim.peer(3).storage().durablyHolds(first) && !sim.peer(3).storage().durablyHolds(last);
            sim.crash(3, "bounced after the DIFF stream, before all of it is durable");
        }
        sim.setActionHook(null);
        sim.crash(1, "leader dies too");
        sim.restart(3);
        assertEquals(2, sim.awaitStable(60));
        sim.proposeOn(2, "zk4785=after");
        sim.awaitStable(30);
        sim.restart(1);
        sim.converge();
        assertNothingLost(sim, seen);
        return partlyDurable ? where : "other";
    }

    @Test
    void zk4785FollowerBouncedBeforeItsDiffTxnsAreDurableLosesNothing() {
        List<String> bounces = new ArrayList<>();
        for (int crashAt = 0; crashAt < 4; crashAt++) {
            bounces.add(zk4785(threeVoters(4785 + crashAt), crashAt, false));
        }
        // Three actions (logging the 2nd, 3rd and 4th DIFF txn) lie between the heal and NEWLEADER, which waits for
        // the fsync: crash points 0-2 land before them, 3 after NEWLEADER. Every one with the DIFF partly durable.
        assertEquals(List.of("before NEWLEADER", "before NEWLEADER", "before NEWLEADER", "after NEWLEADER"), bounces);
    }

    /** Positive control: peer 3's driver acks the rest of the DIFF when its fsync starts. */
    @Test
    void zk4785PositiveControlAckBeforeFsyncIsCaught() {
        Simulator sim = threeVoters(4785);
        SimulationFailure f = assertThrows(SimulationFailure.class, () -> zk4785(sim, 99, true));
        assertTrue(f.getMessage().contains("before its synced entries (up to 1|4) are durable"), f.getMessage());
    }

    // -------------------------------------------------------------------------------------------------- 4643

    /**
     * ZOOKEEPER-4643: the learner records the new currentEpoch before its synced txns are durable, crashes, and on
     * restart wins the election with a short log, truncating committed txns elsewhere.
     */
    private static void zk4643(Simulator sim, boolean bug) {
        leadAndCommit(sim, 1, 2);
        sim.crash(3);
        sim.propose(3);
        sim.awaitStable(30);
        sim.crash(2);
        sim.pauseElections(true);
        sim.restart(3);
        assertTrue(sim.runUntil(() -> sim.peer(1).core() == null, 20), "the leader lost its quorum");
        sim.stallDisk(3);
        if (bug) {
            sim.injectEpochBeforeTxns(3);
        }
        sim.becomeLeader(1);
        sim.becomeLearner(3, 1);
        assertTrue(sim.runUntil(() -> sim.peer(3).learnerCore() != null
                && sim.peer(3).learnerCore().phase() == LearnerCore.Phase.AWAITING_UPTODATE, 20),
                "the learner got NEWLEADER of epoch 2 with its DIFF still unsynced");
        sim.crash(3);
        sim.crash(1);
        sim.pauseElections(false);
        sim.restart(2);
        sim.restart(3);
        sim.awaitStable(60);
        sim.restart(1);
        sim.converge();
    }

    @Test
    void zk4643CrashAfterNewLeaderBeforeTheSyncedTxnsAreDurableLosesNothing() {
        Simulator sim = threeVoters(4643);
        zk4643(sim, false);
        assertEquals(2, sim.establishedLeader().id(), "the learner with the short log did not claim the new epoch");
    }

    /** Positive control: the simulated driver writes currentEpoch as soon as NEWLEADER arrives (the 4643 bug). */
    @Test
    void zk4643PositiveControlEpochBeforeTxnsIsCaught() {
        Simulator sim = threeVoters(4643);
        SimulationFailure f = assertThrows(SimulationFailure.class, () -> zk4643(sim, true));
        assertTrue(f.getMessage().contains("committed 1|5 is durable on only 1 voters"), f.getMessage());
    }

    // -------------------------------------------------------------------------------------------------- 4394

    /**
     * ZOOKEEPER-4394: DIFF, PROPOSAL, NEWLEADER, then a COMMIT for a proposal, then UPTODATE. The learner must take a
     * COMMIT between NEWLEADER and UPTODATE without failing and apply only after UPTODATE.
     */
    @Test
    void zk4394CommitBetweenNewLeaderAndUpToDateIsHandled() {
        Simulator sim = threeVoters(4394);
        sim.crash(3);
        leadAndCommit(sim, 1, 3);
        sim.stallDisk(2);
        sim.propose(2);
        sim.runTicks(1);
        assertTrue(sim.peer(1).leaderCore().outstandingProposals() > 0);
        List<String> toThree = new ArrayList<>();
        sim.setInterceptor((s, from, to, m) -> {
            if (to == 3) {
                toThree.add(m.getClass().getSimpleName());
            }
            return List.of(m);
        });
        sim.restart(3);
        sim.stallDisk(3);
        assertTrue(sim.runUntil(() -> toThree.contains("NewLeader"), 20));
        sim.releaseDisk(2);
        assertTrue(sim.runUntil(() -> toThree.lastIndexOf("Commit") > toThree.indexOf("NewLeader"), 20));
        assertFalse(toThree.contains("UpToDate"), "the learner has not acked NEWLEADER yet");
        sim.releaseDisk(3);
        sim.converge();
        assertTrue(toThree.lastIndexOf("Commit") < toThree.indexOf("UpToDate")
                || toThree.indexOf("Commit") < toThree.indexOf("UpToDate"));
    }

    // -------------------------------------------------------------------------------------------------- 4925

    /** ZOOKEEPER-4925: a DIFF stream with a hole is refused; the learner syncs again and nothing diverges. */
    @Test
    void zk4925SyncStreamWithAHoleIsRejectedAndResynced() {
        Simulator sim = threeVoters(4925);
        sim.crash(3);
        leadAndCommit(sim, 1, 6);
        boolean[] dropped = {false};
        sim.setInterceptor((s, from, to, m) -> {
            if (!dropped[0] && to == 3 && m instanceof ZabMessage.Proposal p && p.zxid() == z(1, 3)) {
                dropped[0] = true;
                return List.of();
            }
            return List.of(m);
        });
        sim.restart(3);
        sim.converge();
        assertTrue(dropped[0]);
        assertTrue(sim.stats().holesRejected >= 1);
    }

    // -------------------------------------------------------------------------------------------------- 3642 / 2872

    /** Three voters, peer 3 far behind the leader's in-memory window, so it needs a SNAP. */
    private static Simulator snapNeeded(long seed) {
        SimOptions o = SimOptions.scripted();
        o.committedLogMax = 2;
        Simulator sim = new Simulator(seed, o);
        sim.crash(3);
        leadAndCommit(sim, 1, 10);
        return sim;
    }

    /**
     * ZOOKEEPER-3642: the leader dies after sending SNAP, before NEWLEADER. The learner must not be left claiming a
     * zxid whose state it holds only in memory; a later DIFF from that zxid and a restart must lose nothing.
     */
    @Test
    void zk3642InterruptedSnapSyncLosesNothing() {
        Simulator sim = snapNeeded(3642);
        sim.setActionHook((s, p, a) -> {
            if (p.id() == 3 && a instanceof ZabAction.InstallSnapshot) {
                s.crash(1, "leader dies after SNAP");
            }
            return false;
        });
        sim.restart(3);
        assertTrue(sim.runUntil(() -> !sim.peer(1).up(), 30));
        sim.setActionHook(null);
        assertEquals(2, sim.awaitStable(60));
        sim.propose(2);
        sim.awaitStable(30);
        sim.crash(3);
        sim.restart(3);
        sim.restart(1);
        sim.converge();
        assertTrue(sim.stats().snaps >= 1);
    }

    /** ZOOKEEPER-2872: the learner crashes while writing the received snapshot; it restarts from its old state. */
    @Test
    void zk2872CrashWhileInstallingASnapshotRestartsFromThePreviousState() {
        Simulator sim = snapNeeded(2872);
        sim.setActionHook((s, p, a) -> p.id() == 3 && a instanceof ZabAction.InstallSnapshot);
        sim.restart(3);
        assertTrue(sim.runUntil(() -> !sim.peer(3).up(), 30));
        sim.setActionHook(null);
        assertEquals(0, sim.peer(3).storage().lastLogged(), "nothing of the half-written snapshot survives");
        sim.restart(3);
        sim.converge();
    }

    // -------------------------------------------------------------------------------------------------- 5094

    /**
     * ZOOKEEPER-5094: the sync is cut right after TRUNC, before NEWLEADER; the learner reconnects and restarts. The
     * old code had memory ahead of the log and then a gap; here memory only holds committed state, and the log is
     * contiguous after the retry.
     */
    @Test
    void zk5094InterruptedTruncLeavesNoGap() {
        Simulator sim = threeVoters(5094);
        leadAndCommit(sim, 1, 2);
        logAlone(sim, 1, "zk5094=lonely");
        sim.crash(1);
        sim.heal();
        assertTrue(sim.awaitStable(60) != 1);
        sim.propose(2);
        sim.awaitStable(30);
        boolean[] truncated = {false};
        sim.setActionHook((s, p, a) -> {
            if (p.id() == 1 && a instanceof ZabAction.TruncateLog) {
                truncated[0] = true;
            }
            return p.id() == 1 && truncated[0] && a instanceof ZabAction.PersistTxns;
        });
        sim.restart(1);
        assertTrue(sim.runUntil(() -> !sim.peer(1).up(), 30), "cut right after the TRUNC");
        sim.setActionHook(null);
        sim.restart(1);
        sim.converge();
        assertFalse(sim.logOf(1).contains(z(1, 3)));
        assertFalse(everCommitted(sim, "zk5094=lonely"));
    }

    // -------------------------------------------------------------------------------------------------- 4712

    /**
     * ZOOKEEPER-4712: a follower leaves its role with appends still queued on a slow disk; it takes no new role (and
     * casts no vote) until they are done, so they can never land on top of a later TRUNC or sync.
     */
    @Test
    void zk4712QueuedWritesFinishBeforeTheNextRoleStarts() {
        Simulator sim = threeVoters(4712);
        leadAndCommit(sim, 1, 2);
        sim.stallDisk(2);
        sim.propose(3);
        sim.runTicks(1);
        assertFalse(sim.peer(2).diskQueue.isEmpty() && sim.peer(2).diskBusy == null, "appends queued on p2");
        sim.crash(1);
        sim.runTicks(12);
        assertEquals(null, sim.peer(2).core(), "p2 waits for its storage queue before looking again");
        sim.releaseDisk(2);
        assertTrue(sim.runUntil(() -> sim.peer(2).core() != null, 20));
        sim.restart(1);
        sim.converge();
    }

    // -------------------------------------------------------------------------------------------------- 4685

    /** ZOOKEEPER-4685: learners join under load; no learner acks before NEWLEADER, and the leader never gives up. */
    @Test
    void zk4685LearnersJoiningUnderLoadNeverCostTheLeadership() {
        Simulator sim = threeVoters(4685);
        leadAndCommit(sim, 1, 2);
        long epoch = sim.peer(1).leaderCore().epoch();
        for (int round = 0; round < 5; round++) {
            sim.resetLinks(3);
            for (int t = 0; t < 10; t++) {
                sim.propose(3);
                sim.runTicks(1);
            }
        }
        sim.awaitStable(40);
        assertEquals(1, sim.establishedLeader().id());
        assertEquals(epoch, sim.peer(1).leaderCore().epoch(), "no re-election");
        sim.converge();
    }

    // -------------------------------------------------------------------------------------------------- 582

    /** ZOOKEEPER-582: epoch files lost while the log holds a later epoch; the next epoch is above it anyway. */
    @Test
    void zk582NewEpochIsAboveEveryEpochOnDiskAfterEpochFilesAreLost() {
        Simulator sim = threeVoters(582);
        leadAndCommit(sim, 1, 2);
        for (int i = 0; i < 3; i++) {
            sim.crash(1);
            sim.awaitStable(60);
            sim.propose(1);
            sim.awaitStable(30);
            sim.restart(1);
            sim.awaitStable(60);
        }
        long epochOnDisk = Zxid.epoch(sim.maxCommitted());
        for (SimPeer p : sim.peers()) {
            sim.crash(p.id());
            p.storage().acceptedEpoch = 0;
            p.storage().currentEpoch = 0;
        }
        for (SimPeer p : sim.peers()) {
            sim.restart(p.id());
        }
        sim.awaitStable(60);
        assertTrue(sim.establishedLeader().leaderCore().epoch() > epochOnDisk);
        sim.converge();
    }

    // -------------------------------------------------------------------------------------------------- sessions

    /** ClickHouse #121361: sessions whose clients only talk to followers stay alive on the leader. */
    @Test
    void sessionsTouchedOnlyThroughFollowersReachTheLeader() {
        Simulator sim = threeVoters(121361);
        leadAndCommit(sim, 1, 1);
        sim.runTicks(30);
        sim.converge(); // the final checks include every follower session's last touch on the leader
    }

    // -------------------------------------------------------------------------------------------------- partitions

    /** A minority leader behind a partition steps down within syncLimit, and a majority elsewhere moves on. */
    @Test
    void minorityLeaderStepsDownAndMajorityMovesOn() {
        Simulator sim = threeVoters(7);
        leadAndCommit(sim, 1, 2);
        sim.partition(Set.of(1L));
        long t0 = sim.tick();
        assertTrue(sim.runUntil(() -> sim.peer(1).core() == null || sim.peer(1).leaderCore() == null, 10));
        assertTrue(sim.tick() - t0 <= 7, "syncLimit is 5 ticks");
        long other = sim.awaitStable(60);
        assertNotNull(sim.peer(other).leaderCore());
        sim.propose(2);
        sim.converge();
    }
}
