package io.paddock.zab.core;

import io.paddock.api.Zxid;
import io.paddock.api.replication.Role;
import io.paddock.zab.ZabConfig;
import io.paddock.zab.core.ZabAction.ApplyCommitted;
import io.paddock.zab.core.ZabAction.CompleteSync;
import io.paddock.zab.core.ZabAction.Disconnect;
import io.paddock.zab.core.ZabAction.PersistTxns;
import io.paddock.zab.core.ZabAction.PrepareForwarded;
import io.paddock.zab.core.ZabAction.RoleChanged;
import io.paddock.zab.core.ZabAction.Send;
import io.paddock.zab.core.ZabAction.SendSnapshot;
import io.paddock.zab.core.ZabAction.SessionsTouched;
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
import io.paddock.zab.core.ZabMessage.Request;
import io.paddock.zab.core.ZabMessage.Sync;
import io.paddock.zab.core.ZabMessage.SyncReply;
import io.paddock.zab.core.ZabMessage.Trunc;
import io.paddock.zab.core.ZabMessage.UpToDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The leader's side of ZAB for one term: discovery, synchronisation of every learner, then broadcast.
 *
 * <h2>Phases</h2>
 * <pre>
 * phase               | event                                        | actions                                   | next
 * --------------------+----------------------------------------------+-------------------------------------------+---------------------
 * DISCOVERING         | LearnerInfo from a member                    | remember its acceptedEpoch                | DISCOVERING
 * DISCOVERING         | a quorum of voters (self incl.) sent info    | WriteAcceptedEpoch(e = max+1);            | AWAITING_EPOCH_ACKS
 *                     |                                              |   LeaderInfo(e) to each                   |
 * AWAITING_EPOCH_ACKS | AckEpoch, learner more recent than us        | StepDown (the election chose badly)       | STOPPED
 * AWAITING_EPOCH_ACKS | AckEpoch: a quorum (self incl.) acked e      | WriteCurrentEpoch(e); per learner:        | SYNCHRONIZING
 *                     |                                              |   DIFF|TRUNC|SNAP, entries, NewLeader     |
 * SYNCHRONIZING       | AckNewLeader from a quorum (self incl.)      | ApplyCommitted(history); RoleChanged;     | BROADCASTING
 *                     |                                              |   UpToDate to each synced learner         |
 * any but BROADCASTING| Tick, initLimit ticks in this phase passed   | StepDown                                  | STOPPED
 * BROADCASTING        | ClientProposal                               | PersistTxns; Proposal to followers        | BROADCASTING
 * BROADCASTING        | TxnsPersisted / Ack: a quorum holds z        | Commit / Inform; ApplyCommitted(z);       | BROADCASTING
 *                     |                                              |   parked syncs answered                   |
 * BROADCASTING        | LearnerInfo / AckEpoch / AckNewLeader        | that learner alone: LeaderInfo, its sync, | BROADCASTING
 *                     |   (a learner joining late)                   |   UpToDate                                |
 * BROADCASTING        | Tick, fewer than a quorum heard within       | StepDown                                  | STOPPED
 *                     |   syncLimit                                  |                                           |
 * any                 | bad message from a learner; a learner silent | Disconnect(that learner)                  | unchanged
 *                     |   past its limit, or that has not answered   |                                           |
 *                     |   LeaderInfo / NewLeader within initLimit    |                                           |
 * STOPPED             | anything                                     | IllegalStateException                     |
 * </pre>
 * Each learner also moves through stages: INFO_RECEIVED, EPOCH_SENT, EPOCH_ACKED, SYNCING (stream and NewLeader
 * queued), SYNCED (AckNewLeader received), UP (UpToDate sent). Only SYNCED and UP voters count toward commit quorums
 * and the liveness check; observers never count.
 *
 * <h2>Where this departs from the ZAB paper (Junqueira, Reed, Serafini 2011)</h2>
 * <ul>
 *   <li>Phase 1 does not pick the most recent history among the ACKEPOCHs: like ZooKeeper, the elected leader must
 *       already hold it, and steps down if an ACKEPOCH from its quorum is more recent than its own (currentEpoch,
 *       lastZxid). Synchronisation starts only once that quorum is in, so a wrongly elected leader truncates no one.</li>
 *   <li>Phase 2 sends each learner only what it lacks (DIFF, TRUNC then DIFF, or SNAP then DIFF) instead of the whole
 *       history, and NEWLEADER carries the last zxid sent, so its ack is also a cumulative ack of the stream.</li>
 *   <li>ACK and COMMIT are cumulative ("everything up to z"), valid because a follower's log is a prefix of the
 *       leader's; one ACK per fsync gives group commit.</li>
 *   <li>Every PROPOSAL names the entry before it ({@code prevZxid}) and zxids must be consecutive, so holes are found
 *       (ZOOKEEPER-4925) rather than silently applied.</li>
 *   <li>The leader writes currentEpoch once a quorum acked the new epoch, as ZooKeeper does; the paper leaves it to
 *       the NEWLEADER round.</li>
 *   <li>Observers (not in the paper) take the sync stream like followers, then COMMIT/INFORM; they never count.</li>
 *   <li>A learner that acks a proposal before NEWLEADER is disconnected; ZooKeeper (ZOOKEEPER-4685) gave up the
 *       whole leadership.</li>
 * </ul>
 *
 * <h2>The committed log</h2>
 * The leader keeps the tail of its history in memory ({@link LeaderLog}): whatever the driver read from its log at
 * start (entries after a zxid of its choice, at most its applied zxid), then every proposal. Committed entries beyond
 * {@link ZabConfig#committedLogMax()} are dropped from the front; a learner behind the window gets a SNAP of the
 * state machine at the last committed zxid. Reading older entries from disk instead ("read log after Z") is left to
 * a later round.
 *
 * <h2>Sessions</h2>
 * The session tracker lives in the server: learners' pings carry the sessions their clients touched, and the leader
 * hands them on with {@link SessionsTouched}; the server expires what nobody touched within its timeout.
 */
public final class LeaderCore implements ZabCore {

    /** Where the leader is in its term. */
    public enum Phase { DISCOVERING, AWAITING_EPOCH_ACKS, SYNCHRONIZING, BROADCASTING, STOPPED }

    /** Where one learner is in joining this leader. */
    public enum Stage { INFO_RECEIVED, EPOCH_SENT, EPOCH_ACKED, SYNCING, SYNCED, UP }

    private static final long NO_LEARNER = -1;

    private static final class Learner {
        final long sid;
        final boolean voter;
        Stage stage = Stage.INFO_RECEIVED;
        long lastZxid;
        long newLeaderZxid;
        long sentUpTo;
        long ackedUpTo;
        long lastHeardTick;
        long stageSinceTick;

        Learner(long sid, boolean voter) {
            this.sid = sid;
            this.voter = voter;
        }
    }

    private record PendingSync(long requestId, long learner, long waitFor) {}

    private final ZabConfig config;
    private final long self;
    private final long startCurrentEpoch;
    private final long startLastZxid;
    private final LeaderLog log;
    private final TreeMap<Long, Learner> learners = new TreeMap<>();
    private final TreeSet<Long> infoVoters = new TreeSet<>();
    private final TreeSet<Long> epochAckVoters = new TreeSet<>();
    private final TreeSet<Long> newLeaderAckVoters = new TreeSet<>();
    private final ArrayDeque<PendingSync> pendingSyncs = new ArrayDeque<>();

    private Phase phase = Phase.DISCOVERING;
    private long tick;
    private long phaseStartTick;
    private long acceptedEpoch;
    private long currentEpoch;
    private long maxAcceptedEpoch;
    private long epoch;
    private long lastProposed;
    private long lastCommitted;
    private long selfPersisted;
    private long appliedZxid;
    private String stepDownReason;

    /**
     * @param config        the ensemble; {@code config.self()} must be a voter
     * @param state         this peer's durable state (its log is its history)
     * @param logBase       a zxid of the history at or below {@code state.appliedZxid()} (e.g. the snapshot loaded)
     * @param logAfterBase  every log entry after {@code logBase}, in order, ending at {@code state.lastLoggedZxid()}
     */
    public LeaderCore(ZabConfig config, DurableState state, long logBase, List<LogEntry> logAfterBase) {
        this.config = config;
        this.self = config.self();
        if (!config.isVoter(self)) {
            throw new IllegalArgumentException("observer " + self + " cannot lead");
        }
        this.log = new LeaderLog(logBase, logAfterBase);
        if (log.last() != state.lastLoggedZxid()) {
            throw new IllegalArgumentException("log ends at " + Zxids.str(log.last()) + " but the last logged zxid is "
                    + Zxids.str(state.lastLoggedZxid()));
        }
        if (logBase > state.appliedZxid() || state.appliedZxid() > state.lastLoggedZxid()) {
            throw new IllegalArgumentException("need log base <= applied <= last logged, have "
                    + Zxids.str(logBase) + ", " + Zxids.str(state.appliedZxid()) + ", "
                    + Zxids.str(state.lastLoggedZxid()));
        }
        this.startCurrentEpoch = state.currentEpoch();
        this.startLastZxid = state.lastLoggedZxid();
        // ZOOKEEPER-582: never propose an epoch at or below one already on disk, even if the epoch files lag.
        this.acceptedEpoch = Math.max(state.acceptedEpoch(),
                Math.max(state.currentEpoch(), Zxid.epoch(state.lastLoggedZxid())));
        this.currentEpoch = state.currentEpoch();
        this.maxAcceptedEpoch = acceptedEpoch;
        this.lastProposed = state.lastLoggedZxid();
        this.selfPersisted = state.lastLoggedZxid();
        this.lastCommitted = state.appliedZxid();
        this.appliedZxid = state.appliedZxid();
        infoVoters.add(self);
        log.trim(lastCommitted, config.committedLogMax(), config.committedLogBytesMax());
    }

    @Override
    public List<ZabAction> handle(ZabEvent event) {
        if (phase == Phase.STOPPED) {
            throw illegal("event after StepDown (" + stepDownReason + "): " + event);
        }
        List<ZabAction> out = new ArrayList<>();
        if (event instanceof ZabEvent.Received r) {
            onMessage(r.from(), r.message(), out);
        } else if (event instanceof ZabEvent.Tick) {
            onTick(out);
        } else if (event instanceof ZabEvent.TxnsPersisted p) {
            if (p.upToZxid() > lastProposed || p.upToZxid() < selfPersisted) {
                throw illegal("persisted up to " + Zxids.str(p.upToZxid()) + " but proposed only up to "
                        + Zxids.str(lastProposed) + ", persisted before " + Zxids.str(selfPersisted));
            }
            selfPersisted = p.upToZxid();
            tryCommit(out);
        } else if (event instanceof ZabEvent.ClientProposal p) {
            propose(p.txn(), out);
        } else if (event instanceof ZabEvent.ClientSync s) {
            requireBroadcasting("sync");
            parkSync(s.requestId(), NO_LEARNER, out);
        } else if (event instanceof ZabEvent.PeerDisconnected d) {
            learners.remove(d.peer());
        } else if (event instanceof ZabEvent.PeerConnected) {
            // A learner introduces itself with LearnerInfo; nothing to do before that.
        } else {
            throw illegal("a leader cannot take " + event);
        }
        if (phase != Phase.STOPPED) {
            advance(out);
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------ messages

    private void onMessage(long from, ZabMessage m, List<ZabAction> out) {
        if (m instanceof LearnerInfo info) {
            onLearnerInfo(from, info, out);
            return;
        }
        Learner l = learners.get(from);
        if (l == null) {
            out.add(new Disconnect(from, "message from a learner without a session: " + ZabMessage.describe(m)));
            return;
        }
        l.lastHeardTick = tick;
        if (m instanceof AckEpoch a) {
            onAckEpoch(l, a, out);
        } else if (m instanceof AckNewLeader a) {
            onAckNewLeader(l, a, out);
        } else if (m instanceof Ack a) {
            onAck(l, a, out);
        } else if (m instanceof Ping p) {
            if (p.touchedSessions().length > 0 && phase == Phase.BROADCASTING && l.stage == Stage.UP) {
                out.add(new SessionsTouched(p.touchedSessions().clone()));
            }
        } else if (m instanceof Request r) {
            if (l.stage != Stage.UP || r.request().origin() != from) {
                drop(l, "request from a learner not up to date, or for another origin", out);
                return;
            }
            out.add(new PrepareForwarded(r.request()));
        } else if (m instanceof Sync s) {
            if (l.stage != Stage.UP) {
                drop(l, "sync from a learner not up to date", out);
                return;
            }
            parkSync(s.requestId(), from, out);
        } else {
            drop(l, "unexpected " + ZabMessage.describe(m) + " in stage " + l.stage, out);
        }
    }

    private void onLearnerInfo(long from, LearnerInfo info, List<ZabAction> out) {
        if (info.sid() != from || from == self || !config.isMember(from)) {
            learners.remove(from);
            out.add(new Disconnect(from, "LearnerInfo from " + from + " claiming sid " + info.sid()
                    + ", not a member of this ensemble"));
            return;
        }
        Learner l = new Learner(from, config.isVoter(from));
        l.lastZxid = info.lastZxid();
        l.lastHeardTick = tick;
        l.stageSinceTick = tick;
        learners.put(from, l);
        if (phase == Phase.DISCOVERING) {
            maxAcceptedEpoch = Math.max(maxAcceptedEpoch, info.acceptedEpoch());
            if (l.voter) {
                infoVoters.add(from);
            }
        } else {
            sendLeaderInfo(l, out);
        }
    }

    private void onAckEpoch(Learner l, AckEpoch a, List<ZabAction> out) {
        if (l.stage != Stage.EPOCH_SENT) {
            drop(l, "AckEpoch in stage " + l.stage, out);
            return;
        }
        l.lastZxid = a.lastZxid();
        stage(l, Stage.EPOCH_ACKED);
        if (phase == Phase.AWAITING_EPOCH_ACKS) {
            if (l.voter && !a.alreadyAccepted()) {
                if (a.currentEpoch() > startCurrentEpoch
                        || (a.currentEpoch() == startCurrentEpoch && a.lastZxid() > startLastZxid)) {
                    stepDown("learner " + l.sid + " is more recent (current epoch " + a.currentEpoch() + ", last "
                            + Zxids.str(a.lastZxid()) + ") than this leader (current epoch " + startCurrentEpoch
                            + ", last " + Zxids.str(startLastZxid) + ")", out);
                    return;
                }
                epochAckVoters.add(l.sid);
            }
        } else {
            startSync(l, out);
        }
    }

    private void onAckNewLeader(Learner l, AckNewLeader a, List<ZabAction> out) {
        if (l.stage != Stage.SYNCING || a.epoch() != epoch || a.lastZxid() != l.newLeaderZxid) {
            drop(l, "AckNewLeader(e" + a.epoch() + ", " + Zxids.str(a.lastZxid()) + ") in stage " + l.stage
                    + ", expected e" + epoch + ", " + Zxids.str(l.newLeaderZxid), out);
            return;
        }
        stage(l, Stage.SYNCED);
        if (l.voter) {
            l.ackedUpTo = a.lastZxid();
        }
        if (phase == Phase.SYNCHRONIZING) {
            if (l.voter) {
                newLeaderAckVoters.add(l.sid);
            }
        } else if (phase == Phase.BROADCASTING) {
            out.add(new Send(l.sid, new UpToDate(lastCommitted)));
            stage(l, Stage.UP);
            tryCommit(out);
        }
    }

    private void onAck(Learner l, Ack a, List<ZabAction> out) {
        if (!l.voter || (l.stage != Stage.SYNCED && l.stage != Stage.UP)) {
            // ZOOKEEPER-4685: the old leader gave up leadership here; one confused learner is not worth that.
            drop(l, "Ack(" + Zxids.str(a.zxid()) + ") before its NEWLEADER ack (stage " + l.stage + ")", out);
            return;
        }
        if (a.zxid() > l.sentUpTo) {
            drop(l, "Ack(" + Zxids.str(a.zxid()) + ") beyond what was sent (" + Zxids.str(l.sentUpTo) + ")", out);
            return;
        }
        if (a.zxid() > l.ackedUpTo) {
            l.ackedUpTo = a.zxid();
            tryCommit(out);
        }
    }

    // ------------------------------------------------------------------------------------------------ phases

    /** Moves through the quorum-gated phases; a one-voter ensemble goes straight to BROADCASTING. */
    private void advance(List<ZabAction> out) {
        int quorum = config.quorumSize();
        if (phase == Phase.DISCOVERING && infoVoters.size() >= quorum) {
            if (maxAcceptedEpoch >= 0xFFFF_FFFFL) {
                stepDown("epoch space exhausted (accepted epoch " + maxAcceptedEpoch + ")", out);
                return;
            }
            epoch = maxAcceptedEpoch + 1;
            out.add(new WriteAcceptedEpoch(epoch));
            acceptedEpoch = epoch;
            epochAckVoters.add(self);
            enter(Phase.AWAITING_EPOCH_ACKS);
            for (Learner l : learners.values()) {
                if (l.stage == Stage.INFO_RECEIVED) {
                    sendLeaderInfo(l, out);
                }
            }
        }
        if (phase == Phase.AWAITING_EPOCH_ACKS && epochAckVoters.size() >= quorum) {
            out.add(new WriteCurrentEpoch(epoch));
            currentEpoch = epoch;
            newLeaderAckVoters.add(self);
            enter(Phase.SYNCHRONIZING);
            for (Learner l : learners.values()) {
                if (l.stage == Stage.EPOCH_ACKED) {
                    startSync(l, out);
                }
            }
        }
        if (phase == Phase.SYNCHRONIZING && newLeaderAckVoters.size() >= quorum) {
            establish(out);
        }
    }

    private void enter(Phase next) {
        phase = next;
        phaseStartTick = tick;
    }

    private void sendLeaderInfo(Learner l, List<ZabAction> out) {
        out.add(new Send(l.sid, new LeaderInfo(epoch)));
        stage(l, Stage.EPOCH_SENT);
    }

    /** Queues the learner's sync stream: a header, the entries it lacks, then NewLeader. */
    private void startSync(Learner l, List<ZabAction> out) {
        SyncPlan plan = SyncPlan.choose(l.lastZxid, log, appliedZxid);
        switch (plan.kind()) {
            case DIFF -> out.add(new Send(l.sid, new Diff(plan.zxid())));
            case TRUNC -> out.add(new Send(l.sid, new Trunc(plan.zxid())));
            case SNAP -> out.add(new SendSnapshot(l.sid, plan.zxid()));
        }
        long prev = plan.point();
        for (LogEntry e : log.range(prev, lastProposed)) {
            out.add(new Send(l.sid, new Proposal(e.zxid(), prev, e.txn())));
            prev = e.zxid();
        }
        out.add(new Send(l.sid, new NewLeader(epoch, prev)));
        l.newLeaderZxid = prev;
        l.sentUpTo = prev;
        stage(l, Stage.SYNCING);
    }

    /** A quorum durably holds this leader's history under currentEpoch = epoch: it is committed. */
    private void establish(List<ZabAction> out) {
        enter(Phase.BROADCASTING);
        lastCommitted = lastProposed;
        if (lastCommitted > appliedZxid) {
            out.add(new ApplyCommitted(lastCommitted));
            appliedZxid = lastCommitted;
        }
        out.add(new RoleChanged(Role.LEADER));
        for (Learner l : learners.values()) {
            if (l.stage == Stage.SYNCED) {
                out.add(new Send(l.sid, new UpToDate(lastCommitted)));
                stage(l, Stage.UP);
            }
        }
        log.trim(lastCommitted, config.committedLogMax(), config.committedLogBytesMax());
    }

    private void onTick(List<ZabAction> out) {
        tick++;
        if (phase != Phase.BROADCASTING && tick - phaseStartTick > config.initLimitTicks()) {
            stepDown("no quorum within initLimit (" + config.initLimitTicks() + " ticks) in " + phase, out);
            return;
        }
        List<Learner> silent = new ArrayList<>();
        int heard = 1;
        for (Learner l : learners.values()) {
            boolean synced = l.stage == Stage.SYNCED || l.stage == Stage.UP;
            long limit = synced ? config.syncLimitTicks() : config.initLimitTicks();
            boolean waitingOnIt = l.stage == Stage.EPOCH_SENT || l.stage == Stage.SYNCING;
            if (tick - l.lastHeardTick > limit
                    || (waitingOnIt && tick - l.stageSinceTick > config.initLimitTicks())) {
                silent.add(l);
                continue;
            }
            if (l.stage.compareTo(Stage.EPOCH_SENT) >= 0) {
                out.add(new Send(l.sid, new Ping(new long[0])));
            }
            if (synced && l.voter) {
                heard++;
            }
        }
        for (Learner l : silent) {
            drop(l, "silent, or stuck in " + l.stage + ", for more than its limit", out);
        }
        if (phase == Phase.BROADCASTING && heard < config.quorumSize()) {
            stepDown("heard from only " + heard + " synced voters (self incl.) within syncLimit ("
                    + config.syncLimitTicks() + " ticks), quorum is " + config.quorumSize(), out);
        }
    }

    // ------------------------------------------------------------------------------------------------ broadcast

    private void propose(byte[] txn, List<ZabAction> out) {
        requireBroadcasting("proposal");
        if (outstandingProposals() >= config.outstandingProposalsMax()) {
            throw illegal(outstandingProposals() + " proposals outstanding, the bound is "
                    + config.outstandingProposalsMax() + "; the driver must wait (canPropose)");
        }
        long counter = Zxid.epoch(lastProposed) == epoch ? Zxid.counter(lastProposed) + 1 : 1;
        if (counter > 0xFFFF_FFFFL) {
            // ZooKeeper forces an election when the counter rolls over; a new epoch restarts it at 1.
            stepDown("zxid counter of epoch " + epoch + " exhausted", out);
            return;
        }
        long zxid = Zxid.of(epoch, counter);
        LogEntry entry = new LogEntry(zxid, txn);
        long prev = lastProposed;
        log.append(entry);
        lastProposed = zxid;
        out.add(new PersistTxns(List.of(entry)));
        for (Learner l : learners.values()) {
            if (l.voter && l.stage.compareTo(Stage.SYNCING) >= 0) {
                out.add(new Send(l.sid, new Proposal(zxid, prev, txn)));
                l.sentUpTo = zxid;
            }
        }
    }

    private void tryCommit(List<ZabAction> out) {
        if (phase != Phase.BROADCASTING) {
            return;
        }
        int quorum = config.quorumSize();
        long[] durable = new long[config.voters().size()];
        int n = 0;
        durable[n++] = selfPersisted;
        for (Learner l : learners.values()) {
            if (l.voter && (l.stage == Stage.SYNCED || l.stage == Stage.UP)) {
                durable[n++] = l.ackedUpTo;
            }
        }
        if (n < quorum) {
            return;
        }
        long[] held = Arrays.copyOf(durable, n);
        Arrays.sort(held);
        long commit = Math.min(held[n - quorum], lastProposed);
        if (commit > lastCommitted) {
            commit(commit, out);
        }
    }

    private void commit(long zxid, List<ZabAction> out) {
        for (Learner l : learners.values()) {
            if (l.stage.compareTo(Stage.SYNCING) < 0) {
                continue; // its sync stream, still to come, will carry it
            }
            if (l.voter || zxid <= l.sentUpTo) {
                out.add(new Send(l.sid, new Commit(zxid)));
                continue;
            }
            if (l.sentUpTo > lastCommitted) {
                out.add(new Send(l.sid, new Commit(l.sentUpTo)));
            }
            for (LogEntry e : log.range(l.sentUpTo, zxid)) {
                out.add(new Send(l.sid, new Inform(e.zxid(), l.sentUpTo, e.txn())));
                l.sentUpTo = e.zxid();
            }
        }
        lastCommitted = zxid;
        out.add(new ApplyCommitted(zxid));
        appliedZxid = zxid;
        while (!pendingSyncs.isEmpty() && pendingSyncs.peekFirst().waitFor() <= lastCommitted) {
            answer(pendingSyncs.pollFirst(), out);
        }
        log.trim(lastCommitted, config.committedLogMax(), config.committedLogBytesMax());
    }

    /** ZooKeeper's sync: answered once every proposal made before it arrived has committed. */
    private void parkSync(long requestId, long learner, List<ZabAction> out) {
        PendingSync ps = new PendingSync(requestId, learner, lastProposed);
        if (lastCommitted >= lastProposed) {
            answer(ps, out);
            return;
        }
        if (pendingSyncs.size() >= config.pendingSyncsMax()) {
            if (learner == NO_LEARNER) {
                throw illegal(pendingSyncs.size() + " syncs pending, the bound is " + config.pendingSyncsMax());
            }
            drop(learners.get(learner), "more than " + config.pendingSyncsMax() + " syncs pending", out);
            return;
        }
        pendingSyncs.addLast(ps);
    }

    private void answer(PendingSync ps, List<ZabAction> out) {
        if (ps.learner() == NO_LEARNER) {
            out.add(new CompleteSync(ps.requestId()));
            return;
        }
        Learner l = learners.get(ps.learner());
        if (l != null && l.stage == Stage.UP) {
            out.add(new Send(l.sid, new SyncReply(ps.requestId(), lastCommitted)));
        }
    }

    // ------------------------------------------------------------------------------------------------ endings

    private void stage(Learner l, Stage next) {
        l.stage = next;
        l.stageSinceTick = tick;
    }

    private void drop(Learner l, String reason, List<ZabAction> out) {
        learners.remove(l.sid);
        out.add(new Disconnect(l.sid, reason));
    }

    private void stepDown(String reason, List<ZabAction> out) {
        phase = Phase.STOPPED;
        stepDownReason = reason;
        out.add(new StepDown(reason));
    }

    private void requireBroadcasting(String what) {
        if (phase != Phase.BROADCASTING) {
            throw illegal(what + " while " + phase);
        }
    }

    private IllegalStateException illegal(String what) {
        return new IllegalStateException("leader " + self + " epoch " + epoch + " (" + phase + ", last proposed "
                + Zxids.str(lastProposed) + ", committed " + Zxids.str(lastCommitted) + "): " + what);
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

    public boolean established() {
        return phase == Phase.BROADCASTING;
    }

    /** Whether a {@link ZabEvent.ClientProposal} is acceptable now; the driver blocks proposers while it is false. */
    public boolean canPropose() {
        return phase == Phase.BROADCASTING && outstandingProposals() < config.outstandingProposalsMax();
    }

    public long lastProposedZxid() {
        return lastProposed;
    }

    public long lastCommittedZxid() {
        return lastCommitted;
    }

    public int outstandingProposals() {
        if (lastProposed <= lastCommitted) {
            return 0;
        }
        long committedCounter = Zxid.epoch(lastCommitted) == Zxid.epoch(lastProposed) ? Zxid.counter(lastCommitted)
                : 0;
        return (int) (Zxid.counter(lastProposed) - committedCounter);
    }

    /** The stage of a learner's session, or null if it has none. */
    public Stage stageOf(long sid) {
        Learner l = learners.get(sid);
        return l == null ? null : l.stage;
    }

    /** Entries held in memory for DIFF (committed window plus outstanding proposals). */
    public int committedLogSize() {
        return log.size();
    }

    public String stepDownReason() {
        return stepDownReason;
    }

    @Override
    public String toString() {
        return "LeaderCore[" + self + " e" + epoch + " " + phase + " proposed " + Zxids.str(lastProposed)
                + " committed " + Zxids.str(lastCommitted) + " learners " + learners.keySet() + "]";
    }
}
