package io.paddock.zab.core;

import io.paddock.api.Zxid;
import io.paddock.api.replication.Role;
import io.paddock.zab.ZabConfig;
import io.paddock.zab.core.ZabAction.ApplyCommitted;
import io.paddock.zab.core.ZabAction.CompleteSync;
import io.paddock.zab.core.ZabAction.InstallSnapshot;
import io.paddock.zab.core.ZabAction.PersistTxns;
import io.paddock.zab.core.ZabAction.RoleChanged;
import io.paddock.zab.core.ZabAction.Send;
import io.paddock.zab.core.ZabAction.StepDown;
import io.paddock.zab.core.ZabAction.TruncateLog;
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
import io.paddock.zab.core.ZabMessage.Request;
import io.paddock.zab.core.ZabMessage.Snap;
import io.paddock.zab.core.ZabMessage.Sync;
import io.paddock.zab.core.ZabMessage.SyncReply;
import io.paddock.zab.core.ZabMessage.Trunc;
import io.paddock.zab.core.ZabMessage.UpToDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * A follower's or an observer's side of ZAB for one leader: register, accept the epoch, synchronise, then follow.
 *
 * <h2>Phases</h2>
 * <pre>
 * phase                | event                                     | actions                                    | next
 * ---------------------+-------------------------------------------+--------------------------------------------+--------------------
 * CONNECTING           | PeerConnected(leader)                     | LearnerInfo(acceptedEpoch, lastLogged)     | AWAITING_LEADER_INFO
 * AWAITING_LEADER_INFO | LeaderInfo(e), e > acceptedEpoch          | WriteAcceptedEpoch(e); AckEpoch            | AWAITING_SYNC
 * AWAITING_LEADER_INFO | LeaderInfo(e), e = acceptedEpoch          | AckEpoch(already accepted)                 | AWAITING_SYNC
 * AWAITING_LEADER_INFO | LeaderInfo(e), e < acceptedEpoch          | StepDown                                   | STOPPED
 * AWAITING_SYNC        | Diff(lastLogged)                          | -                                          | SYNCHRONIZING
 * AWAITING_SYNC        | Trunc(t), applied <= t < lastLogged       | TruncateLog(t)                             | SYNCHRONIZING
 * AWAITING_SYNC        | Snap(z, bytes), z > lastLogged            | InstallSnapshot(z)                         | SYNCHRONIZING
 * SYNCHRONIZING        | Proposal(z, prev) chained on the last one | PersistTxns(z)                             | SYNCHRONIZING
 * SYNCHRONIZING        | NewLeader(e, last = last received)        | (ack when durable, below)                  | AWAITING_UPTODATE
 * AWAITING_UPTODATE    | stream durable (TxnsPersisted,            | WriteCurrentEpoch(e); AckNewLeader;        | AWAITING_UPTODATE
 *                      |   SnapshotInstalled) and not yet acked    |   Ack(persisted) if more is durable        |
 * AWAITING_UPTODATE    | Proposal (follower) / Inform (observer),  | PersistTxns; remember the commit point     | AWAITING_UPTODATE
 *                      |   Commit                                  |   (nothing is applied yet)                 |
 * AWAITING_UPTODATE    | UpToDate(c) after our AckNewLeader        | RoleChanged; ApplyCommitted(c)             | BROADCASTING
 * BROADCASTING         | Proposal / TxnsPersisted                  | PersistTxns / Ack(persisted)               | BROADCASTING
 * BROADCASTING         | Commit(z) / Inform                        | ApplyCommitted(z)                          | BROADCASTING
 * BROADCASTING         | ClientSync / its SyncReply (in order)     | Sync / ApplyCommitted; CompleteSync        | BROADCASTING
 * any but CONNECTING   | Ping                                      | Ping(touched sessions)                     | unchanged
 * any                  | leader link lost; silent past initLimit   | StepDown                                   | STOPPED
 *                      |   (syncLimit once BROADCASTING); more     |                                            |
 *                      |   than initLimit ticks in one phase before|                                            |
 *                      |   BROADCASTING; a message a correct leader|                                            |
 *                      |   would not send                          |                                            |
 * STOPPED              | anything                                  | IllegalStateException                      |
 * </pre>
 *
 * <h2>Durability order (RELIABILITY.md section 7)</h2>
 * On NEWLEADER: every synced entry durable (and the snapshot installed) -> currentEpoch written -> AckNewLeader, then
 * plain Acks. Never an ack for anything still queued (ZOOKEEPER-3911, 3023, 4646, 4785, 4643). No ack of a proposal
 * before the NEWLEADER ack (ZOOKEEPER-4685).
 *
 * <h2>Where this departs from ZooKeeper and the ZAB paper</h2>
 * <ul>
 *   <li>Nothing is applied before UPTODATE, and afterwards only committed entries: the state machine (and so every
 *       snapshot taken of it) only ever holds committed state, so TRUNC never has to undo memory or a snapshot
 *       (ZOOKEEPER-1549, 2832, 2845) and an interrupted SNAP or TRUNC leaves nothing to discard (3642, 5094). A SNAP is
 *       made durable before anything after it counts as persisted.</li>
 *   <li>Every PROPOSAL / INFORM must name the entry received just before it and be the next zxid, or the learner drops
 *       the leader and syncs again (ZOOKEEPER-4925); ZooKeeper only logged a warning.</li>
 *   <li>ACKs are cumulative (one per fsync) and NEWLEADER's ack covers the whole sync stream.</li>
 * </ul>
 */
public final class LearnerCore implements ZabCore {

    /** Where the learner is in following its leader. */
    public enum Phase {
        CONNECTING, AWAITING_LEADER_INFO, AWAITING_SYNC, SYNCHRONIZING, AWAITING_UPTODATE, BROADCASTING, STOPPED
    }

    private static final long NONE = -1;

    private final ZabConfig config;
    private final long self;
    private final long leader;
    private final boolean observer;
    private final LinkedHashSet<Long> touches = new LinkedHashSet<>();
    /** Syncs sent to the leader, answered in the order sent. */
    private final ArrayDeque<Long> pendingSyncs = new ArrayDeque<>();

    private Phase phase = Phase.CONNECTING;
    private long acceptedEpoch;
    private long currentEpoch;
    private long epoch;
    private long lastLogged;
    private long lastReceived;
    private long persisted;
    private long snapshotPending = NONE;
    private long newLeaderZxid = NONE;
    private boolean newLeaderAcked;
    private long lastAckSent;
    private long committed;
    private long applied;
    private long silentTicks;
    private long phaseTicks;
    private String stepDownReason;

    public LearnerCore(ZabConfig config, long leader, DurableState state) {
        this.config = config;
        this.self = config.self();
        this.leader = leader;
        if (leader == self || !config.isVoter(leader)) {
            throw new IllegalArgumentException(self + " cannot follow " + leader + ": not another voter");
        }
        this.observer = config.isObserver(self);
        // ZOOKEEPER-582: report at least the epoch found on disk, so the next epoch is above it.
        this.acceptedEpoch = Math.max(state.acceptedEpoch(),
                Math.max(state.currentEpoch(), Zxid.epoch(state.lastLoggedZxid())));
        this.currentEpoch = state.currentEpoch();
        this.lastLogged = state.lastLoggedZxid();
        this.lastReceived = lastLogged;
        this.persisted = lastLogged;
        this.applied = state.appliedZxid();
        this.committed = applied;
    }

    @Override
    public List<ZabAction> handle(ZabEvent event) {
        if (phase == Phase.STOPPED) {
            throw illegal("event after StepDown (" + stepDownReason + "): " + event);
        }
        List<ZabAction> out = new ArrayList<>();
        if (event instanceof ZabEvent.Received r) {
            if (r.from() == leader) {
                silentTicks = 0;
                onMessage(r.message(), out);
            }
        } else if (event instanceof ZabEvent.Tick) {
            silentTicks++;
            long limit = phase == Phase.BROADCASTING ? config.syncLimitTicks() : config.initLimitTicks();
            if (silentTicks > limit) {
                stepDown("leader " + leader + " silent for " + silentTicks + " ticks", out);
            } else if (phase != Phase.BROADCASTING && ++phaseTicks > config.initLimitTicks()) {
                // Pings alone must not keep a learner waiting for a sync step that will never come.
                stepDown("stuck in " + phase + " for " + phaseTicks + " ticks (initLimit)", out);
            }
        } else if (event instanceof ZabEvent.PeerConnected c) {
            if (c.peer() == leader) {
                if (phase != Phase.CONNECTING) {
                    throw illegal("connected twice to leader " + leader);
                }
                out.add(new Send(leader, new LearnerInfo(self, acceptedEpoch, lastLogged)));
                enter(Phase.AWAITING_LEADER_INFO);
            }
        } else if (event instanceof ZabEvent.PeerDisconnected d) {
            if (d.peer() == leader) {
                stepDown("lost the link to leader " + leader, out);
            }
        } else if (event instanceof ZabEvent.TxnsPersisted p) {
            onPersisted(p.upToZxid(), out);
        } else if (event instanceof ZabEvent.SnapshotInstalled s) {
            if (s.zxid() != snapshotPending) {
                throw illegal("snapshot " + Zxids.str(s.zxid()) + " installed, but pending is "
                        + (snapshotPending == NONE ? "none" : Zxids.str(snapshotPending)));
            }
            snapshotPending = NONE;
            persisted = s.zxid();
            lastLogged = s.zxid();
            applied = Math.max(applied, s.zxid());
            committed = Math.max(committed, s.zxid());
            maybeAckNewLeader(out);
        } else if (event instanceof ZabEvent.ForwardRequest f) {
            requireBroadcasting("forwarded request");
            out.add(new Send(leader, new Request(f.request())));
        } else if (event instanceof ZabEvent.ClientSync s) {
            requireBroadcasting("sync");
            if (pendingSyncs.size() >= config.pendingSyncsMax()) {
                throw illegal(pendingSyncs.size() + " syncs pending, the bound is " + config.pendingSyncsMax());
            }
            pendingSyncs.addLast(s.requestId());
            out.add(new Send(leader, new Sync(s.requestId())));
        } else if (event instanceof ZabEvent.SessionTouched t) {
            if (phase == Phase.BROADCASTING) {
                touches.add(t.sessionId());
                if (touches.size() >= config.touchesPerPingMax()) {
                    sendTouches(out); // bounded: flush a full batch at once rather than grow
                }
            }
        } else {
            throw illegal("a learner cannot take " + event);
        }
        return out;
    }

    private void onMessage(ZabMessage m, List<ZabAction> out) {
        if (m instanceof Ping) {
            if (phase == Phase.CONNECTING) {
                protocolError(m, out);
                return;
            }
            sendTouches(out);
        } else if (m instanceof LeaderInfo li) {
            onLeaderInfo(li, out);
        } else if (m instanceof Diff d) {
            if (phase != Phase.AWAITING_SYNC || d.fromZxid() != lastLogged) {
                protocolError(m, out);
                return;
            }
            enter(Phase.SYNCHRONIZING);
        } else if (m instanceof Trunc t) {
            if (phase != Phase.AWAITING_SYNC || t.toZxid() >= lastLogged) {
                protocolError(m, out);
                return;
            }
            if (t.toZxid() < applied) {
                stepDown("leader " + leader + " would truncate to " + Zxids.str(t.toZxid())
                        + ", below the committed state applied here (" + Zxids.str(applied) + ")", out);
                return;
            }
            out.add(new TruncateLog(t.toZxid()));
            lastLogged = t.toZxid();
            persisted = lastLogged;
            lastReceived = lastLogged;
            enter(Phase.SYNCHRONIZING);
        } else if (m instanceof Snap s) {
            if (phase != Phase.AWAITING_SYNC || s.zxid() <= lastLogged) {
                protocolError(m, out);
                return;
            }
            out.add(new InstallSnapshot(s.zxid(), s.snapshot()));
            snapshotPending = s.zxid();
            lastReceived = s.zxid();
            enter(Phase.SYNCHRONIZING);
        } else if (m instanceof Proposal p) {
            boolean live = phase == Phase.AWAITING_UPTODATE || phase == Phase.BROADCASTING;
            if (!(phase == Phase.SYNCHRONIZING || (live && !observer && Zxid.epoch(p.zxid()) == epoch))) {
                protocolError(m, out);
                return;
            }
            receive(p.zxid(), p.prevZxid(), p.txn(), out);
        } else if (m instanceof Inform i) {
            boolean live = phase == Phase.AWAITING_UPTODATE || phase == Phase.BROADCASTING;
            if (!live || !observer || Zxid.epoch(i.zxid()) != epoch) {
                protocolError(m, out);
                return;
            }
            if (receive(i.zxid(), i.prevZxid(), i.txn(), out)) {
                commit(i.zxid(), out);
            }
        } else if (m instanceof Commit c) {
            boolean live = phase == Phase.AWAITING_UPTODATE || phase == Phase.BROADCASTING;
            if (!live || c.zxid() > lastReceived) {
                protocolError(m, out);
                return;
            }
            commit(c.zxid(), out);
        } else if (m instanceof NewLeader n) {
            if (phase != Phase.SYNCHRONIZING || n.epoch() != epoch || n.lastZxid() != lastReceived) {
                protocolError(m, out);
                return;
            }
            newLeaderZxid = n.lastZxid();
            enter(Phase.AWAITING_UPTODATE);
            maybeAckNewLeader(out);
        } else if (m instanceof UpToDate u) {
            if (phase != Phase.AWAITING_UPTODATE || !newLeaderAcked || u.committedZxid() > lastReceived) {
                protocolError(m, out);
                return;
            }
            enter(Phase.BROADCASTING);
            out.add(new RoleChanged(observer ? Role.OBSERVER : Role.FOLLOWER));
            commit(u.committedZxid(), out);
        } else if (m instanceof SyncReply r) {
            if (phase != Phase.BROADCASTING || r.zxid() > lastReceived || pendingSyncs.isEmpty()
                    || pendingSyncs.peekFirst() != r.requestId()) {
                protocolError(m, out);
                return;
            }
            pendingSyncs.pollFirst();
            commit(r.zxid(), out);
            out.add(new CompleteSync(r.requestId()));
        } else {
            protocolError(m, out);
        }
    }

    private void onLeaderInfo(LeaderInfo li, List<ZabAction> out) {
        if (phase != Phase.AWAITING_LEADER_INFO) {
            protocolError(li, out);
            return;
        }
        long e = li.newEpoch();
        if (e < acceptedEpoch) {
            stepDown("leader " + leader + " proposes epoch " + e + ", below the accepted epoch " + acceptedEpoch, out);
            return;
        }
        boolean already = e == acceptedEpoch;
        if (!already) {
            out.add(new WriteAcceptedEpoch(e));
            acceptedEpoch = e;
        }
        epoch = e;
        out.add(new Send(leader, new AckEpoch(currentEpoch, lastLogged, already)));
        enter(Phase.AWAITING_SYNC);
    }

    /** Checks the chain, then queues the entry for the log. False (after StepDown) on a hole. */
    private boolean receive(long zxid, long prev, byte[] txn, List<ZabAction> out) {
        if (prev != lastReceived || !Zxids.follows(prev, zxid) || Zxid.epoch(zxid) > epoch) {
            stepDown("hole in the stream from leader " + leader + ": " + Zxids.str(zxid) + " claims to follow "
                    + Zxids.str(prev) + ", last received " + Zxids.str(lastReceived), out);
            return false;
        }
        out.add(new PersistTxns(List.of(new LogEntry(zxid, txn))));
        lastReceived = zxid;
        return true;
    }

    private void onPersisted(long upTo, List<ZabAction> out) {
        if (snapshotPending != NONE || upTo < persisted || upTo > lastReceived) {
            throw illegal("persisted up to " + Zxids.str(upTo) + " but received " + Zxids.str(lastReceived)
                    + ", persisted " + Zxids.str(persisted) + (snapshotPending != NONE ? ", snapshot pending" : ""));
        }
        persisted = upTo;
        lastLogged = upTo;
        if (newLeaderAcked) {
            if (!observer && persisted > lastAckSent) {
                out.add(new Send(leader, new Ack(persisted)));
                lastAckSent = persisted;
            }
        } else {
            maybeAckNewLeader(out);
        }
    }

    /** Synced entries durable, then currentEpoch, then the ack: never the other way round. */
    private void maybeAckNewLeader(List<ZabAction> out) {
        if (phase != Phase.AWAITING_UPTODATE || newLeaderAcked || snapshotPending != NONE
                || persisted < newLeaderZxid) {
            return;
        }
        if (currentEpoch != epoch) {
            out.add(new WriteCurrentEpoch(epoch));
            currentEpoch = epoch;
        }
        out.add(new Send(leader, new AckNewLeader(epoch, newLeaderZxid)));
        newLeaderAcked = true;
        lastAckSent = newLeaderZxid;
        if (!observer && persisted > lastAckSent) {
            out.add(new Send(leader, new Ack(persisted)));
            lastAckSent = persisted;
        }
    }

    private void commit(long zxid, List<ZabAction> out) {
        committed = Math.max(committed, zxid);
        if (phase == Phase.BROADCASTING && committed > applied) {
            out.add(new ApplyCommitted(committed));
            applied = committed;
        }
    }

    private void sendTouches(List<ZabAction> out) {
        if (touches.isEmpty()) {
            out.add(new Send(leader, new Ping(new long[0])));
            return;
        }
        while (!touches.isEmpty()) {
            int n = Math.min(touches.size(), config.touchesPerPingMax());
            long[] batch = new long[n];
            Iterator<Long> it = touches.iterator();
            for (int i = 0; i < n; i++) {
                batch[i] = it.next();
                it.remove();
            }
            out.add(new Send(leader, new Ping(batch)));
        }
    }

    private void enter(Phase next) {
        phase = next;
        phaseTicks = 0;
    }

    private void protocolError(ZabMessage m, List<ZabAction> out) {
        stepDown("unexpected " + ZabMessage.describe(m) + " from leader " + leader + " in " + phase, out);
    }

    private void stepDown(String reason, List<ZabAction> out) {
        phase = Phase.STOPPED;
        stepDownReason = reason;
        out.add(new StepDown(reason));
    }

    private void requireBroadcasting(String what) {
        if (phase != Phase.BROADCASTING) {
            throw illegal(what + " while " + phase + "; the driver must check serving()");
        }
    }

    private IllegalStateException illegal(String what) {
        return new IllegalStateException((observer ? "observer " : "follower ") + self + " of " + leader + " epoch "
                + epoch + " (" + phase + ", received " + Zxids.str(lastReceived) + ", persisted "
                + Zxids.str(persisted) + ", committed " + Zxids.str(committed) + "): " + what);
    }

    // ------------------------------------------------------------------------------------------------ views

    public Phase phase() {
        return phase;
    }

    @Override
    public long epoch() {
        return epoch;
    }

    @Override
    public boolean stopped() {
        return phase == Phase.STOPPED;
    }

    /** Up to date with the leader: may serve clients, forward writes and syncs. */
    public boolean serving() {
        return phase == Phase.BROADCASTING;
    }

    public long leader() {
        return leader;
    }

    public boolean observer() {
        return observer;
    }

    public long lastReceivedZxid() {
        return lastReceived;
    }

    public long persistedZxid() {
        return persisted;
    }

    public long committedZxid() {
        return committed;
    }

    /** The zxid this learner last told its leader it holds durably through NEWLEADER ack, or -1 before that. */
    public long newLeaderAckedZxid() {
        return newLeaderAcked ? newLeaderZxid : NONE;
    }

    public String stepDownReason() {
        return stepDownReason;
    }

    @Override
    public String toString() {
        return "LearnerCore[" + self + "->" + leader + " e" + epoch + " " + phase + " received "
                + Zxids.str(lastReceived) + " persisted " + Zxids.str(persisted) + " committed "
                + Zxids.str(committed) + "]";
    }
}
