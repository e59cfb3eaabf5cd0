package io.paddock.sim;

import static io.paddock.sim.ZooKeeperBugScenariosTest.everCommitted;
import static io.paddock.sim.ZooKeeperBugScenariosTest.leadAndCommit;
import static io.paddock.sim.ZooKeeperBugScenariosTest.logAlone;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.api.Zxid;
import io.paddock.server.txn.Txn;
import io.paddock.server.txn.TxnCodec;
import io.paddock.zab.core.ZabAction;
import io.paddock.zab.core.ZabMessage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * RELIABILITY.md section 3.2 (sessions and ephemerals) and the start-up and epoch-file rows of 3.1 and 3.3, as
 * scripted simulator runs over the server's real state machine: every replica is a {@code ZkServer} fed
 * {@code TxnCodec} txns, so sessions, ephemerals and multis are the server's own. Besides each test's own oracle, the
 * simulator checks after every step that equal zxids give equal tree digests, and that every snapshot loaded (and
 * every replica after convergence) holds exactly the sessions the committed chain left open and no ephemeral of any
 * other session.
 */
class SessionBugScenariosTest {

    private static final String EPH = "/eph";

    /** Opens a session through leader {@code leader} and creates {@code path} as its ephemeral; both committed. */
    private static long sessionWithEphemeral(Simulator sim, long leader, String path) {
        long s = sim.openSession(leader);
        assertNotEquals(0, s, "the leader takes proposals");
        assertTrue(sim.proposeOn(leader, s, sim.leaderView(leader).create(path, "owned", s)));
        sim.awaitStable(30);
        for (SimPeer p : sim.peers()) {
            if (p.up()) {
                assertTrue(p.stateMachine().exists(path), "p" + p.id() + " has " + path);
            }
        }
        return s;
    }

    private static boolean isCloseSession(byte[] txn) {
        return TxnCodec.decode(ByteBuffer.wrap(txn)).txn() instanceof Txn.CloseSession;
    }

    /** After convergence: no replica holds {@code path} or session {@code s}, and all digests are equal. */
    private static void assertGoneEverywhere(Simulator sim, String path, long s) {
        for (SimPeer p : sim.peers()) {
            SimServer.View v = p.stateMachine().view();
            assertFalse(v.exists(path), "p" + p.id() + " still holds " + path);
            assertFalse(v.sessions().containsKey(s), "p" + p.id() + " still holds session " + Long.toHexString(s));
        }
        assertDigestsEqual(sim);
    }

    static void assertDigestsEqual(Simulator sim) {
        Set<Long> digests = new HashSet<>();
        Set<Long> applied = new HashSet<>();
        for (SimPeer p : sim.peers()) {
            digests.add(p.stateMachine().digest());
            applied.add(p.stateMachine().lastApplied());
        }
        assertEquals(1, applied.size(), "every replica applied the same zxid: " + applied);
        assertEquals(1, digests.size(), "every replica has the same tree digest: " + digests);
    }

    // -------------------------------------------------------------------------------------------------- 2355

    /**
     * ZOOKEEPER-2355: a follower's link breaks exactly while the closeSession proposal is on its way to it; the rest
     * of the ensemble commits the close and moves on. The follower resyncs when it rejoins, so the ephemeral goes
     * there too.
     */
    @Test
    void zk2355FollowerThatLosesItsLinkWhileCloseSessionIsInFlightDropsTheEphemeral() {
        Simulator sim = new Simulator(2355, SimOptions.scripted());
        leadAndCommit(sim, 1, 2);
        long s = sessionWithEphemeral(sim, 1, EPH);
        boolean[] cut = {false};
        sim.setInterceptor((x, from, to, m) -> {
            if (!cut[0] && to == 3 && m instanceof ZabMessage.Proposal p && isCloseSession(p.txn())) {
                cut[0] = true;
                x.resetLinks(3); // the follower fails while reading the proposal packet
                return List.of();
            }
            return List.of(m);
        });
        assertTrue(sim.proposeOn(1, s, new Txn.CloseSession()));
        sim.propose(3);
        sim.converge();
        assertTrue(cut[0], "the close was cut on its way to p3");
        assertGoneEverywhere(sim, EPH, s);
    }

    /**
     * Positive control: the follower keeps going without the close (its driver applies the closeSession as a no-op,
     * as ZooKeeper's follower that lost the packet did). The digest comparison at equal zxids must see it.
     */
    @Test
    void zk2355PositiveControlAFollowerThatSkipsTheCloseIsCaught() {
        Simulator sim = new Simulator(2355, SimOptions.scripted());
        leadAndCommit(sim, 1, 2);
        long s = sessionWithEphemeral(sim, 1, EPH);
        sim.injectLostCloseSession(3);
        SimulationFailure f = assertThrows(SimulationFailure.class, () -> {
            sim.proposeOn(1, s, new Txn.CloseSession());
            sim.propose(3);
            sim.converge();
        });
        assertTrue(f.getMessage().contains("digest at"), f.getMessage());
    }

    // -------------------------------------------------------------------------------------------------- 4837

    /**
     * ZOOKEEPER-4837 with a SNAP: a follower is cut off; meanwhile the leader expires the session and commits more
     * than its in-memory window; the follower comes back far behind and is synced by SNAP.
     */
    @Test
    void zk4837SessionExpiredDuringANetworkFaultIsGoneAfterASnapSync() {
        SimOptions o = SimOptions.scripted();
        o.committedLogMax = 2;
        Simulator sim = new Simulator(4837, o);
        leadAndCommit(sim, 1, 2);
        long s = sessionWithEphemeral(sim, 1, EPH);
        sim.isolate(3);
        assertTrue(sim.proposeOn(1, s, new Txn.CloseSession()), "the leader expires the session during the fault");
        sim.propose(6);
        sim.awaitStable(30);
        sim.runTicks(o.syncLimitTicks + 3); // both ends give the link up
        assertTrue(sim.peer(3).stateMachine().exists(EPH), "the cut-off follower has not seen the close");
        int snapsBefore = sim.stats().snaps;
        sim.heal();
        sim.converge();
        assertTrue(sim.stats().snaps > snapsBefore, "p3 was synced by SNAP");
        assertGoneEverywhere(sim, EPH, s);
    }

    /**
     * ZOOKEEPER-4837 with a TRUNC: the leader logs a txn nobody else gets and is cut off; the others elect a leader
     * that expires the session; the old leader rejoins, is truncated, and gets the close.
     */
    @Test
    void zk4837SessionExpiredDuringANetworkFaultIsGoneAfterATruncSync() {
        Simulator sim = new Simulator(48370, SimOptions.scripted());
        leadAndCommit(sim, 1, 2);
        long s = sessionWithEphemeral(sim, 1, EPH);
        logAlone(sim, 1, "zk4837=lonely");
        sim.isolate(1);
        long leader = sim.awaitStable(60);
        assertNotEquals(1, leader);
        assertTrue(sim.proposeOn(leader, s, new Txn.CloseSession()));
        sim.propose(2);
        sim.awaitStable(30);
        int truncsBefore = sim.stats().truncs;
        sim.heal();
        sim.converge();
        assertTrue(sim.stats().truncs > truncsBefore, "the old leader was synced by TRUNC");
        assertFalse(everCommitted(sim, "zk4837=lonely"));
        assertGoneEverywhere(sim, EPH, s);
    }

    // -------------------------------------------------------------------------------------------------- 5010

    /**
     * ZOOKEEPER-5010: five voters; create, update and delete a persistent node, then create an ephemeral; the leader
     * crashes right after proposing the ephemeral, having sent it to 0, 1, 2, 3 or all 4 followers. Whether or not
     * the new leader's history holds the create, every replica ends with the same answer for {@code /eph} (and equal
     * digests), and that answer is whether the create was committed.
     */
    @Test
    void zk5010LeaderCrashRightAfterProposingAnEphemeralLeavesEveryReplicaAgreeing() {
        for (int reached = 0; reached <= 4; reached++) {
            Simulator sim = new Simulator(5010 + reached, SimOptions.scripted().voters(5));
            leadAndCommit(sim, 1, 1);
            long s = sim.openSession(1);
            sim.proposeOn(1, "p=1");
            sim.proposeOn(1, "p=2");
            assertTrue(sim.proposeOn(1, 0, new Txn.Delete("/p")));
            sim.awaitStable(30);
            long ephZxid = sim.peer(1).leaderCore().lastProposedZxid() + 1;
            // The proposal reaches the first `reached` followers only: the links to the others stall.
            for (long f = 2 + reached; f <= 5; f++) {
                sim.blockOneWay(1, f);
            }
            assertTrue(sim.proposeOn(1, s, sim.leaderView(1).create(EPH, "x", s)));
            int want = reached;
            assertTrue(sim.runUntil(() -> sim.peers().stream()
                    .filter(p -> p.id() != 1 && p.logicalRange(ephZxid - 1, ephZxid).containsKey(ephZxid))
                    .count() >= want, 5));
            sim.crash(1, "right after proposing the ephemeral");
            sim.heal();
            int diffsBefore = sim.stats().diffs;
            long leader = sim.awaitStable(60);
            assertNotEquals(1, leader);
            sim.restart(1);
            sim.converge();
            assertTrue(sim.stats().diffs > diffsBefore, "followers were synced by DIFF");
            boolean committed = sim.committed().values().stream()
                    .anyMatch(t -> TxnCodec.decode(ByteBuffer.wrap(t)).txn() instanceof Txn.Create c
                            && c.path().equals(EPH));
            for (SimPeer p : sim.peers()) {
                assertEquals(committed, p.stateMachine().exists(EPH), "reached " + reached + ": p" + p.id());
            }
            assertDigestsEqual(sim);
            if (reached >= 3) {
                assertTrue(committed, "a quorum (with the new leader) held the create, so it is committed");
            }
        }
    }

    // -------------------------------------------------------------------------------------------------- 3127

    /**
     * ZOOKEEPER-3127: a snapshot is taken while a multi is being applied, and a replica that restarts from it replays
     * the log after the snapshot's zxid. Here the real server writes a fuzzy snapshot and the multi is applied at
     * every possible point of the walk (so the snapshot holds none, some or all of the multi's changes); the
     * snapshot is labelled with the zxid applied when the walk started, as the driver does. Restored into a fresh
     * server and replayed, every one of them must give the un-crashed replica's tree.
     */
    @Test
    void zk3127MultiCaughtHalfwayInAFuzzySnapshotIsWholeAfterReplay() {
        Fuzzy f = fuzzyRun();
        int cuts = 0;
        for (byte[] snapshot : f.snapshots) {
            SimServer restored = SimServer.restore(() -> 0L, f.before, snapshot);
            for (Map.Entry<Long, byte[]> e : f.chain.tailMap(f.before, false).entrySet()) {
                restored.apply(e.getKey(), e.getValue());
            }
            assertEquals(f.expected.view().shape(), restored.view().shape(), "cut " + cuts);
            assertEquals(f.expected.digest(), restored.digest(), "cut " + cuts);
            cuts++;
        }
        assertTrue(cuts >= 5, "the multi landed at several points of the walk: " + cuts);
    }

    /**
     * Positive control: ZooKeeper's bug labelled the snapshot with the multi's zxid (lastProcessedZxid moved at the
     * first sub-txn), so replay started after the multi and its missing part never came back. The same comparison
     * must see it for a snapshot that caught the multi halfway.
     */
    @Test
    void zk3127PositiveControlASnapshotLabelledWithTheMultisZxidIsCaught() {
        Fuzzy f = fuzzyRun();
        int caught = 0;
        for (byte[] snapshot : f.snapshots) {
            SimServer restored = SimServer.restore(() -> 0L, f.multi, snapshot);
            for (Map.Entry<Long, byte[]> e : f.chain.tailMap(f.multi, false).entrySet()) {
                restored.apply(e.getKey(), e.getValue());
            }
            if (restored.digest() != f.expected.digest()) {
                caught++;
            }
        }
        assertTrue(caught > 0, "some snapshot held the multi only in part");
    }

    /**
     * ZOOKEEPER-3145 (stale pzxid after replaying a delete over a fuzzy snapshot): a plain delete of a leaf whose
     * parent the walk has already written. The snapshot holds the parent as it was before and skips the deleted leaf,
     * so no record in it carries the delete's zxid; the replay must still leave the parent as on the un-crashed
     * replica.
     *
     * <p>Failed before the server fix (cut at byte 560: equal shape, different digest): the fuzzy horizon was the
     * highest zxid found in the snapshot, below the delete here, so the replayed delete of the missing leaf was refused
     * ("node missing") and the parent kept its old pzxid. Snapshots now record the zxid the walk ended at (format 2),
     * and the tolerant delete raises the parent's pzxid; the replay must also count no apply error.
     */
    @Test
    void zk3145FuzzySnapshotThatMissedADeletedLeafReplaysToTheSameParent() {
        Simulator sim = new Simulator(31270, SimOptions.scripted());
        leadAndCommit(sim, 1, 2);
        sim.proposeOn(1, "z=1");
        sim.proposeOn(1, 0, sim.leaderView(1).create("/z/child", "c", 0));
        sim.awaitStable(30);
        long del = sim.peer(1).leaderCore().lastProposedZxid() + 1;
        assertTrue(sim.proposeOn(1, 0, new Txn.Delete("/z/child")));
        sim.propose(2);
        sim.converge();
        TreeMap<Long, byte[]> chain = sim.committed();
        long before = chain.lowerKey(del);
        SimServer base = new SimServer(() -> 0L);
        for (Map.Entry<Long, byte[]> e : chain.headMap(del, false).entrySet()) {
            base.apply(e.getKey(), e.getValue());
        }
        byte[] baseSnapshot = base.serialize();
        SimServer expected = sim.peer(2).stateMachine();
        boolean sawParentWithoutLeaf = false;
        for (int at = 0; at <= baseSnapshot.length + 16; at += 16) {
            SimServer s = SimServer.restore(() -> 0L, before, baseSnapshot);
            byte[] snapshot = s.fuzzySnapshot(at, () -> s.apply(del, chain.get(del)));
            SimServer.View v = SimServer.view(snapshot);
            sawParentWithoutLeaf |= v.exists("/z") && !v.exists("/z/child");
            SimServer restored = SimServer.restore(() -> 0L, before, snapshot);
            for (Map.Entry<Long, byte[]> e : chain.tailMap(before, false).entrySet()) {
                restored.apply(e.getKey(), e.getValue());
            }
            assertEquals(expected.view().shape(), restored.view().shape(), "cut at byte " + at);
            assertEquals(expected.digest(), restored.digest(), "cut at byte " + at);
            assertEquals(0, restored.applyErrors(), "cut at byte " + at);
        }
        assertTrue(sawParentWithoutLeaf);
    }

    private record Fuzzy(TreeMap<Long, byte[]> chain, long before, long multi, List<byte[]> snapshots,
            SimServer expected) {}

    private static Fuzzy fuzzy;

    /** A committed history with a five-op multi in the middle, and the distinct fuzzy snapshots around it. */
    private static synchronized Fuzzy fuzzyRun() {
        if (fuzzy == null) {
            fuzzy = makeFuzzyRun();
        }
        return fuzzy;
    }

    private static Fuzzy makeFuzzyRun() {
        Simulator sim = new Simulator(3127, SimOptions.scripted());
        leadAndCommit(sim, 1, 4);
        sim.proposeOn(1, "a=1");
        sim.proposeOn(1, "b=1");
        sim.proposeOn(1, "z=1");
        sim.proposeOn(1, 0, sim.leaderView(1).create("/z/child", "c", 0));
        sim.awaitStable(30);
        // Built one op at a time on a scratch view, so each op is valid after the ones before it.
        TreeModel scratch = sim.leaderView(1).copy();
        List<Txn> ops = new ArrayList<>();
        ops.add(scratch.create("/a/x", "m", 0));
        scratch.applyOne(ops.get(0));
        ops.add(scratch.create("/a/x/y", "m", 0));
        scratch.applyOne(ops.get(1));
        ops.add(scratch.setData("/b", "m"));
        scratch.applyOne(ops.get(2));
        ops.add(new Txn.Delete("/z/child"));
        scratch.applyOne(ops.get(3));
        ops.add(new Txn.Delete("/z"));
        scratch.applyOne(ops.get(4));
        long multi = sim.peer(1).leaderCore().lastProposedZxid() + 1;
        assertTrue(sim.proposeOn(1, 0, new Txn.Multi(ops)));
        sim.propose(3);
        sim.converge();
        TreeMap<Long, byte[]> chain = sim.committed();
        long before = chain.lowerKey(multi);
        assertEquals(Zxid.epoch(multi), Zxid.epoch(before));
        SimServer replica = sim.peer(2).stateMachine();
        SimServer base = new SimServer(() -> 0L);
        for (Map.Entry<Long, byte[]> e : chain.headMap(multi, false).entrySet()) {
            base.apply(e.getKey(), e.getValue());
        }
        byte[] baseSnapshot = base.serialize();
        List<byte[]> snapshots = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        // Every entry of the walk (a session is 28 bytes, a znode record more) is longer than 16 bytes, so a step of
        // 16 puts the multi between every two entries.
        for (int at = 0; at <= baseSnapshot.length + 16; at += 16) {
            SimServer s = SimServer.restore(() -> 0L, before, baseSnapshot);
            byte[] snapshot = s.fuzzySnapshot(at, () -> s.apply(multi, chain.get(multi)));
            if (seen.add(java.util.Arrays.toString(snapshot))) {
                snapshots.add(snapshot);
            }
        }
        return new Fuzzy(chain, before, multi, snapshots, replica);
    }

    // -------------------------------------------------------------------------------------------------- 2325 family

    /** Three voters with {@code n} committed txns; p3 snapshots after the first half; p3 then crashes. */
    private static Simulator withSnapshotOnP3(long seed, boolean startupChecks) {
        SimOptions o = SimOptions.scripted();
        o.startupChecks = startupChecks;
        Simulator sim = new Simulator(seed, o);
        leadAndCommit(sim, 1, 5);
        sim.takeSnapshot(3);
        sim.propose(5);
        sim.awaitStable(30);
        sim.crash(3);
        return sim;
    }

    /** The purge kept only the log after p3's snapshot, and then every snapshot was lost. */
    private static void loseSnapshotsAfterPurge(Simulator sim) {
        SimStorage disk = sim.peer(3).storage();
        long snap = disk.latestSnapshotZxid();
        assertTrue(snap > 0);
        disk.log.headMap(snap, true).clear();
        disk.snapshots.clear();
        disk.initialSnapshot = false;
    }

    /**
     * ZOOKEEPER-2325: the snapshots are gone but the log (purged up to the last snapshot) is there. Started from it,
     * the replica would serve a tree missing everything before the log; it refuses, and once its folder is emptied
     * it rejoins from the leader.
     */
    @Test
    void zk2325LogWithoutASnapshotIsRefusedAndTheReplicaRejoinsFromScratch() {
        Simulator sim = withSnapshotOnP3(2325, true);
        loseSnapshotsAfterPurge(sim);
        sim.restart(3);
        assertFalse(sim.peer(3).up(), "start-up refused");
        assertTrue(sim.peer(3).refusedStartup().contains("ZOOKEEPER-2325"), sim.peer(3).refusedStartup());
        sim.awaitStable(30);
        sim.wipe(3);
        sim.restart(3);
        assertTrue(sim.peer(3).up());
        sim.converge();
        assertDigestsEqual(sim);
    }

    /** Positive control: without the start-up rule the replica starts on the log alone, and the checks catch it. */
    @Test
    void zk2325PositiveControlWithoutTheStartupRuleTheDivergentReplicaIsCaught() {
        Simulator sim = withSnapshotOnP3(2325, false);
        loseSnapshotsAfterPurge(sim);
        SimulationFailure f = assertThrows(SimulationFailure.class, () -> {
            sim.restart(3);
            sim.converge();
        });
        assertTrue(f.getMessage().contains("p3 acks NEWLEADER") && f.getMessage().contains("ackConsistent"),
                f.getMessage());
    }

    /**
     * ClickHouse #112101: a crash after a cross-segment truncation left a gap in the log. The replica refuses to
     * start rather than replay around the gap; emptied, it rejoins.
     */
    @Test
    void clickhouse112101LogWithAGapIsRefused() {
        Simulator sim = withSnapshotOnP3(112101, true);
        SimStorage disk = sim.peer(3).storage();
        Long hole = disk.log.higherKey(disk.latestSnapshotZxid());
        hole = disk.log.higherKey(hole);
        disk.log.remove(hole);
        sim.restart(3);
        assertFalse(sim.peer(3).up());
        assertTrue(sim.peer(3).refusedStartup().contains("gap"), sim.peer(3).refusedStartup());
        sim.wipe(3);
        sim.restart(3);
        sim.converge();
        assertDigestsEqual(sim);
    }

    /** Positive control: replaying around the gap is caught. */
    @Test
    void clickhouse112101PositiveControlReplayingAroundTheGapIsCaught() {
        Simulator sim = withSnapshotOnP3(112101, false);
        SimStorage disk = sim.peer(3).storage();
        Long hole = disk.log.higherKey(disk.log.higherKey(disk.latestSnapshotZxid()));
        disk.log.remove(hole);
        SimulationFailure f = assertThrows(SimulationFailure.class, () -> {
            sim.restart(3);
            sim.converge();
        });
        assertTrue(f.getMessage().contains("p3 acks NEWLEADER") && f.getMessage().contains("ackConsistent"),
                f.getMessage());
    }

    /**
     * ClickHouse #31150: the log was lost but a newer snapshot is there. That is a valid start: the state comes from
     * the snapshot, the replica reports the snapshot's zxid and catches up by DIFF.
     */
    @Test
    void clickhouse31150SnapshotNewerThanTheLogStartsFromTheSnapshot() {
        Simulator sim = withSnapshotOnP3(31150, true);
        SimStorage disk = sim.peer(3).storage();
        long snap = disk.latestSnapshotZxid();
        disk.log.clear();
        disk.durableUpTo = snap;
        sim.restart(3);
        assertTrue(sim.peer(3).up(), "not refused: " + sim.peer(3).refusedStartup());
        assertNull(sim.peer(3).refusedStartup());
        assertEquals(snap, sim.peer(3).stateMachine().lastApplied());
        sim.converge();
        assertDigestsEqual(sim);
    }

    // -------------------------------------------------------------------------------------------------- 2307 / 2354

    /**
     * ZOOKEEPER-2307 / 2354: an epoch-file write fails (the atomic replace leaves the old value; the driver ends the
     * role, here as a crash right before the write) or both epoch files are lost. The replica comes back, every
     * epoch it announces (LearnerInfo, AckEpoch) is at least the epoch of its last logged zxid, and it rejoins.
     */
    @Test
    void zk2307EpochWriteFailuresAndLostEpochFilesNeverLowerTheAnnouncedEpoch() {
        for (int variant = 0; variant < 3; variant++) {
            Simulator sim = new Simulator(2307 + variant, SimOptions.scripted());
            leadAndCommit(sim, 1, 2);
            sim.crash(1);
            long leader = sim.awaitStable(60);
            sim.propose(3);
            sim.awaitStable(30);
            sim.restart(1);
            sim.awaitStable(60);
            long victim = leader == 2 ? 3 : 2;
            List<String> violations = new ArrayList<>();
            sim.setInterceptor((x, from, to, m) -> {
                SimPeer p = x.peer(from);
                long loggedEpoch = Zxid.epoch(p.storage().lastLogged());
                if (m instanceof ZabMessage.LearnerInfo li && li.acceptedEpoch() < loggedEpoch) {
                    violations.add("p" + from + " LearnerInfo epoch " + li.acceptedEpoch() + " < " + loggedEpoch);
                }
                if (m instanceof ZabMessage.AckEpoch ae && !ae.alreadyAccepted() && ae.currentEpoch() < loggedEpoch) {
                    violations.add("p" + from + " AckEpoch epoch " + ae.currentEpoch() + " < " + loggedEpoch);
                }
                return List.of(m);
            });
            if (variant < 2) {
                // The victim's next epoch write fails while it syncs with a leader of a new epoch.
                boolean accepted = variant == 0;
                sim.setActionHook((x, p, a) -> p.id() == victim
                        && (accepted ? a instanceof ZabAction.WriteAcceptedEpoch : a instanceof ZabAction.WriteCurrentEpoch));
                sim.crash(leader);
                assertTrue(sim.runUntil(() -> !sim.peer(victim).up(), 60), "the epoch write failed");
                sim.setActionHook(null);
                sim.restart(leader);
            } else {
                sim.crash(victim);
                sim.peer(victim).storage().acceptedEpoch = 0;
                sim.peer(victim).storage().currentEpoch = 0;
            }
            sim.restart(victim);
            sim.converge();
            assertTrue(violations.isEmpty(), "variant " + variant + ": " + violations);
            SimStorage disk = sim.peer(victim).storage();
            assertTrue(disk.currentEpoch() >= Zxid.epoch(disk.lastLogged()), "variant " + variant);
            assertDigestsEqual(sim);
        }
    }
}
