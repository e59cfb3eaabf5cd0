package io.paddock.sim;

import io.paddock.api.Zxid;
import io.paddock.server.inspect.SnapshotNode;
import io.paddock.server.txn.Txn;
import io.paddock.server.txn.TxnCodec;
import io.paddock.zab.core.LearnerCore;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The protocol's safety properties, checked against a global view no real peer has. Named after the properties of
 * the ZooKeeper TLA+ specification where they match (prefixConsistency, leaderLogCompleteness, ackConsistent...).
 *
 * <ol>
 *   <li>One txn per zxid: any two logs holding zxid z hold the same bytes.</li>
 *   <li>At most one established leader per epoch.</li>
 *   <li>Committed txns form one chain; a leader only extends it, and an established leader's history holds all of
 *       it (leaderLogCompleteness).</li>
 *   <li>Every peer applies exactly the committed chain, in strictly increasing zxid order, skipping nothing, and
 *       only committed txns; equal zxid implies equal tree digest ({@code ZkServer#treeDigest}), also for state
 *       loaded from a snapshot.</li>
 *   <li>The newest committed txn is durable (synced log or snapshot) on a quorum of voters, after every step, through
 *       every crash.</li>
 *   <li>A learner's NEWLEADER ack comes after the synced entries and currentEpoch are durable, and its durable log
 *       then equals the leader's history (ackConsistent); currentEpoch is written only after the entries.</li>
 *   <li>Snapshots only ever hold committed state; a TRUNC target is on the learner's own history.</li>
 *   <li>A sync completes only after the peer applied what its leader had committed when the sync was issued.</li>
 *   <li>No session is resurrected or lost: every snapshot taken or loaded at zxid z (and every replica's state after
 *       convergence) holds exactly the sessions the committed chain opened and did not close up to z, and no
 *       ephemeral node of any other session.</li>
 * </ol>
 */
final class Invariants {
    private final Simulator sim;
    final TreeMap<Long, byte[]> txnOf = new TreeMap<>();
    final TreeMap<Long, byte[]> committed = new TreeMap<>();
    final TreeMap<Long, Long> digestAt = new TreeMap<>();
    final TreeMap<Long, Long> leaderOfEpoch = new TreeMap<>();
    private final TreeMap<Long, Long> lastAppliedBy = new TreeMap<>();
    /** Session id to the zxid of the committed createSession / closeSession. */
    final TreeMap<Long, Long> sessionOpenedAt = new TreeMap<>();
    final TreeMap<Long, Long> sessionClosedAt = new TreeMap<>();

    Invariants(Simulator sim) {
        this.sim = sim;
    }

    long maxCommitted() {
        return committed.isEmpty() ? 0 : committed.lastKey();
    }

    void onLogEntry(SimPeer p, long zxid, byte[] txn) {
        byte[] known = txnOf.putIfAbsent(zxid, txn);
        if (known != null && !Arrays.equals(known, txn)) {
            sim.fail("two different txns with zxid " + z(zxid) + " (p" + p.id + " logs another one)");
        }
    }

    void onLeaderCommit(SimPeer leader, long from, long upTo, TreeMap<Long, byte[]> entries) {
        if (entries.isEmpty() || entries.lastKey() != upTo) {
            sim.fail("leader p" + leader.id + " commits up to " + z(upTo) + " but its log has "
                    + (entries.isEmpty() ? "nothing" : "up to " + z(entries.lastKey())) + " after " + z(from));
        }
        long prev = from;
        for (Map.Entry<Long, byte[]> e : entries.entrySet()) {
            long zx = e.getKey();
            if (!follows(prev, zx)) {
                sim.fail("leader p" + leader.id + " commits " + z(zx) + " right after " + z(prev) + ": a hole");
            }
            if (zx <= maxCommitted()) {
                byte[] c = committed.get(zx);
                if (c == null || !Arrays.equals(c, e.getValue())) {
                    sim.fail("leader p" + leader.id + " commits " + z(zx) + ", which differs from the committed chain");
                }
            } else {
                if (prev != maxCommitted()) {
                    sim.fail("leader p" + leader.id + " commits " + z(zx) + " after " + z(prev)
                            + " but the committed chain ends at " + z(maxCommitted()) + ": committed txns lost");
                }
                committed.put(zx, e.getValue());
                noteSessions(zx, e.getValue());
            }
            prev = zx;
        }
    }

    void onApply(SimPeer p, long zxid, byte[] txn, long digestAfter) {
        long prev = lastAppliedBy.getOrDefault(p.id, 0L);
        byte[] c = committed.get(zxid);
        if (c == null) {
            sim.fail("p" + p.id + " applies " + z(zxid) + ", which is not committed");
        }
        if (!Arrays.equals(c, txn)) {
            sim.fail("p" + p.id + " applies " + z(zxid) + " with other bytes than the committed txn");
        }
        Long before = committed.lowerKey(zxid);
        if (!Objects.equals(before, prev == 0 ? null : prev)) {
            sim.fail("p" + p.id + " applies " + z(zxid) + " after " + z(prev) + ", but the committed chain has "
                    + (before == null ? "nothing" : z(before)) + " before it");
        }
        Long d = digestAt.putIfAbsent(zxid, digestAfter);
        if (d != null && d != digestAfter) {
            sim.fail("p" + p.id + " digest at " + z(zxid) + " differs from another peer's");
        }
        lastAppliedBy.put(p.id, zxid);
    }

    private void noteSessions(long zxid, byte[] txn) {
        TxnCodec.Decoded d = TxnCodec.decode(ByteBuffer.wrap(txn));
        if (d.txn() instanceof Txn.CreateSession) {
            sessionOpenedAt.put(d.header().sessionId(), zxid);
        } else if (d.txn() instanceof Txn.CloseSession) {
            sessionClosedAt.put(d.header().sessionId(), zxid);
        }
    }

    /** The sessions the committed chain has open at {@code zxid}. */
    TreeSet<Long> openSessionsAt(long zxid) {
        TreeSet<Long> open = new TreeSet<>();
        for (Map.Entry<Long, Long> e : sessionOpenedAt.entrySet()) {
            Long closed = sessionClosedAt.get(e.getKey());
            if (e.getValue() <= zxid && (closed == null || closed > zxid)) {
                open.add(e.getKey());
            }
        }
        return open;
    }

    /** Invariant 9 on one state at {@code zxid}: its sessions and ephemerals match the committed chain's. */
    void checkSessions(SimPeer p, long zxid, SimServer.View view, String when) {
        TreeSet<Long> expected = openSessionsAt(zxid);
        if (!expected.equals(new TreeSet<>(view.sessions().keySet()))) {
            TreeSet<Long> resurrected = new TreeSet<>(view.sessions().keySet());
            resurrected.removeAll(expected);
            sim.fail("p" + p.id + " " + when + " at " + z(zxid) + " holds sessions " + hexIds(view.sessions().keySet())
                    + " but the committed chain has " + hexIds(expected) + " open"
                    + (resurrected.isEmpty() ? "" : ": closed sessions resurrected " + hexIds(resurrected)));
        }
        for (SnapshotNode n : view.nodes().values()) {
            if (n.ephemeralOwner() != 0 && !expected.contains(n.ephemeralOwner())) {
                sim.fail("p" + p.id + " " + when + " at " + z(zxid) + " holds ephemeral " + n.path() + " of session "
                        + Long.toHexString(n.ephemeralOwner()) + ", which is not open (ZOOKEEPER-2355/4837/5010)");
            }
        }
    }

    private static String hexIds(java.util.Collection<Long> ids) {
        StringBuilder sb = new StringBuilder("[");
        for (Long id : ids) {
            sb.append(sb.length() > 1 ? " " : "").append(Long.toHexString(id));
        }
        return sb.append(']').toString();
    }

    /** The state machine was replaced (restart from a snapshot, SNAP installed); {@code snapshot} is what it loaded. */
    void onStateReset(SimPeer p, long zxid, long digest, byte[] snapshot) {
        lastAppliedBy.put(p.id, zxid);
        if (snapshot != null) {
            checkSessions(p, zxid, SimServer.view(snapshot), "loads a snapshot");
        }
        if (zxid == 0) {
            return;
        }
        if (!committed.containsKey(zxid)) {
            sim.fail("p" + p.id + " loads state at " + z(zxid) + ", which is not committed");
        }
        Long d = digestAt.get(zxid);
        if (d != null && d != digest) {
            sim.fail("p" + p.id + " loads state at " + z(zxid) + " whose digest differs from the applied one");
        }
    }

    void onSnapshotTaken(SimPeer p, long zxid, long digest) {
        if (zxid != 0 && (!committed.containsKey(zxid) || !Objects.equals(digestAt.get(zxid), digest))) {
            sim.fail("p" + p.id + " snapshots state at " + z(zxid) + " that is not committed state (ZOOKEEPER-1549)");
        }
        // Its sessions are checked when it is loaded (onStateReset): decoding every snapshot taken would double the
        // sweep's cost, and a snapshot that is never loaded cannot resurrect anything.
    }

    void onEstablished(SimPeer leader, long epoch) {
        Long other = leaderOfEpoch.putIfAbsent(epoch, leader.id);
        if (other != null && other != leader.id) {
            sim.fail("two leaders established in epoch " + epoch + ": p" + other + " and p" + leader.id);
        }
        long c = maxCommitted();
        if (!leader.storage.durablyHolds(c)) {
            sim.fail("leader p" + leader.id + " established in epoch " + epoch + " without committed " + z(c)
                    + " (leaderLogCompleteness)");
        }
    }

    void onWriteCurrentEpoch(SimPeer p, long epoch) {
        LearnerCore lc = p.learnerCore();
        if (lc == null) {
            return;
        }
        long synced = lc.newLeaderAckedZxid();
        if (synced < 0 || !p.storage.durablyHolds(synced) || p.diskBusy instanceof SimPeer.Install) {
            sim.fail("p" + p.id + " writes currentEpoch " + epoch + " before its synced entries (up to "
                    + z(synced) + ") are durable (ZOOKEEPER-4643)");
        }
    }

    void onAckNewLeader(SimPeer p, long epoch, long zxid, SimPeer leader) {
        if (p.storage.currentEpoch != epoch) {
            sim.fail("p" + p.id + " acks NEWLEADER e" + epoch + " with durable currentEpoch " + p.storage.currentEpoch);
        }
        if (!p.storage.durablyHolds(zxid)) {
            sim.fail("p" + p.id + " acks NEWLEADER up to " + z(zxid) + " before it is durable (ZOOKEEPER-3911/3023)");
        }
        long from = p.storage.latestSnapshotZxid();
        if (zxid < from) {
            sim.fail("p" + p.id + " acks NEWLEADER up to " + z(zxid) + " below its own snapshot " + z(from));
        }
        List<Long> have = new ArrayList<>(p.storage.log.subMap(from, false, zxid, true).keySet());
        List<Long> expected = new ArrayList<>();
        long leaderSnap = leader.storage.latestSnapshotZxid();
        if (leaderSnap > from) {
            expected.addAll(committed.subMap(from, false, Math.min(zxid, leaderSnap), true).keySet());
        }
        expected.addAll(leader.logicalRange(Math.max(from, leaderSnap), zxid).keySet());
        if (!have.equals(expected)) {
            sim.fail("p" + p.id + " acks NEWLEADER up to " + z(zxid) + " holding " + hex(have) + " after its snapshot "
                    + z(from) + ", but leader p" + leader.id + "'s history there is " + hex(expected)
                    + " (ackConsistent / ZOOKEEPER-1154, 2832)");
        }
    }

    void onTruncated(SimPeer p, long to) {
        long last = p.storage.log.isEmpty() ? 0 : p.storage.log.lastKey();
        if (to != 0 && last != to && p.storage.latestSnapshotZxid() < to) {
            sim.fail("p" + p.id + " truncated to " + z(to) + ", which is not on its own history (log ends at "
                    + z(last) + ")");
        }
    }

    void afterStep() {
        long c = maxCommitted();
        if (c == 0) {
            return;
        }
        int holding = 0;
        for (SimPeer p : sim.peers()) {
            if (p.voter && p.storage.durablyHolds(c)) {
                holding++;
            }
        }
        if (holding < sim.quorumSize()) {
            sim.fail("committed " + z(c) + " is durable on only " + holding + " voters, quorum is "
                    + sim.quorumSize());
        }
    }

    static boolean follows(long prev, long next) {
        long pe = Zxid.epoch(prev);
        long ne = Zxid.epoch(next);
        if (ne == pe) {
            return Zxid.counter(next) == Zxid.counter(prev) + 1;
        }
        return ne > pe && Zxid.counter(next) == 1;
    }

    static String z(long zxid) {
        return Zxid.epoch(zxid) + "|" + Zxid.counter(zxid);
    }

    private static String hex(List<Long> zxids) {
        StringBuilder sb = new StringBuilder("[");
        for (Long x : zxids) {
            if (sb.length() > 1) {
                sb.append(' ');
            }
            sb.append(z(x));
        }
        return sb.append(']').toString();
    }
}
