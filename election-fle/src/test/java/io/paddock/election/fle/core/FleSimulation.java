package io.paddock.election.fle.core;

import io.paddock.api.PeerId;
import io.paddock.api.Zxid;
import io.paddock.api.election.ElectionAction;
import io.paddock.api.election.ElectionAction.Decided;
import io.paddock.api.election.ElectionAction.Send;
import io.paddock.api.election.ElectionConfig;
import io.paddock.api.election.ElectionEvent;
import io.paddock.api.election.Notification;
import io.paddock.api.election.PeerState;
import io.paddock.api.election.Vote;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * A deterministic simulation of N election cores: one seeded {@link Random} decides the scenario (voters, observers,
 * logs, start times), the network (drop, duplicate, delay and so reorder), partitions and crashes. Time is discrete:
 * a tick is {@value #STEPS_PER_TICK} steps and every peer ticks at its own phase within it.
 *
 * <p>FLE alone cannot promise one leader: under loss or partition two majorities may decide in different rounds, and
 * ZooKeeper relies on ZAB's epoch protocol to keep only one of them. So the simulator also plays a small stand-in for
 * ZAB's liveness side ("zab-lite"): a leader that does not gather a majority of followers within
 * {@code initLimit} ticks, or loses it for {@code syncLimit} ticks, looks again; a follower whose leader is not
 * leading (or not reachable) for {@code initLimit} ticks looks again, and at once if the leader itself went back to
 * looking or crashed. No transactions are written: each peer's zxid and epoch stay fixed.
 *
 * <p>Checked after every step:
 * <ul>
 *   <li>every decision names a voter, with that voter's own zxid and epoch, and the state that goes with it
 *       (LEADING iff the leader is us, OBSERVING iff we observe);</li>
 *   <li>every decided leader's (epoch, zxid, sid) is at least that of a majority of voters (what ZAB's recovery
 *       relies on: the leader's log is not behind a quorum's), by an order written apart from {@link VoteOrder};</li>
 *   <li>every decided vote was announced by a majority of voters (observers never count);</li>
 *   <li>a send goes to another configured peer and carries the sender's current vote and state;</li>
 *   <li>no peer's logical clock goes back (within one incarnation);</li>
 *   <li>at most one leader has a majority of voters currently following it;</li>
 *   <li>no peer sends more than {@value #SENDS_PER_PEER_PER_TICK_MAX} notifications in one tick (no reply loops).</li>
 * </ul>
 * And at the end: within {@code livenessBoundTicks} after the last fault heals, every peer has decided for the same
 * leader and that leader holds a majority. For a fault-free network whose delays are shorter than the finalize
 * wait, also: every peer's first decision is the best voter overall, and nobody looks twice.
 */
final class FleSimulation {
    static final int STEPS_PER_TICK = 10;
    /**
     * Most notifications one peer may send within one tick. Legitimate traffic is a handful of broadcasts per tick;
     * a reply loop between two peers exceeds this within a tick or two.
     */
    static final int SENDS_PER_PEER_PER_TICK_MAX = 100;

    enum Kind {
        /** No loss, delays under the finalize wait, everyone starts at tick 0. */
        FAULT_FREE,
        /** Loss, duplicates, reordering, staggered starts, crashes with restart; no partition. */
        LOSSY,
        /** Like LOSSY plus partitions (halves, a minority, one node) that heal. */
        PARTITIONED
    }

    record Partition(int startTick, int endTick, Set<PeerId> side) {}

    record Crash(PeerId peer, int downTick, int upTick) {}

    record Params(Kind kind, int voters, int observers, double drop, double duplicate, int maxDelaySteps,
            int startSpreadTicks, int finalizeWaitTicks, int resendMaxTicks, int initLimitTicks, int syncLimitTicks,
            List<Partition> partitions, List<Crash> crashes, int livenessBoundTicks) {

        int lastFaultTick() {
            int last = startSpreadTicks;
            for (Partition p : partitions) {
                last = Math.max(last, p.endTick());
            }
            for (Crash c : crashes) {
                last = Math.max(last, c.upTick());
            }
            return last;
        }
    }

    record Result(long seed, Params params, boolean converged, int convergedTick, PeerId leader, long steps,
            long messages, long dropped, int decisions, int restarts, long digest) {}

    /** The run failed an invariant; the message says which, with the seed and the last steps. */
    static final class InvariantViolation extends AssertionError {
        private static final long serialVersionUID = 1L;

        InvariantViolation(String message) {
            super(message);
        }
    }

    // --------------------------------------------------------------------------------------------- scenario

    static Params randomParams(Random r, Kind kind) {
        int voters = new int[] {3, 5, 7}[r.nextInt(3)];
        int observers = r.nextInt(3);
        int finalize = kind == Kind.FAULT_FREE ? 2 + r.nextInt(2) : 1 + r.nextInt(3);
        int resendMax = 4 + r.nextInt(13);
        int initLimit = 5 + r.nextInt(6);
        int syncLimit = 2 + r.nextInt(4);
        List<Partition> partitions = new ArrayList<>();
        List<Crash> crashes = new ArrayList<>();
        double drop = 0;
        double duplicate = 0;
        int maxDelay;
        int spread = 0;
        if (kind == Kind.FAULT_FREE) {
            // Everyone starts at step 0 and every message lands before the earliest possible end of a finalize
            // wait, which is (finalize - 1) ticks and 2 steps away: a majority needs one delivery, then a tick.
            maxDelay = 1 + r.nextInt((finalize - 1) * STEPS_PER_TICK + 1);
        } else {
            drop = r.nextDouble() * 0.3;
            duplicate = r.nextDouble() * 0.1;
            maxDelay = 1 + r.nextInt(4 * STEPS_PER_TICK);
            spread = r.nextInt(8);
            int peers = voters + observers;
            int crashCount = r.nextInt(3);
            for (int i = 0; i < crashCount; i++) {
                int down = r.nextInt(60);
                crashes.add(new Crash(new PeerId(1 + r.nextInt(peers)), down, down + 1 + r.nextInt(30)));
            }
            if (kind == Kind.PARTITIONED) {
                int count = 1 + r.nextInt(3);
                for (int i = 0; i < count; i++) {
                    int start = r.nextInt(80);
                    int end = start + 1 + r.nextInt(60);
                    int sideSize = 1 + r.nextInt(peers / 2 + 1);
                    List<Long> sids = new ArrayList<>();
                    for (long s = 1; s <= peers; s++) {
                        sids.add(s);
                    }
                    Collections.shuffle(sids, r);
                    Set<PeerId> side = new TreeSet<>();
                    for (int k = 0; k < sideSize; k++) {
                        side.add(new PeerId(sids.get(k)));
                    }
                    partitions.add(new Partition(start, end, side));
                }
            }
        }
        return new Params(kind, voters, observers, drop, duplicate, maxDelay, spread, finalize, resendMax, initLimit,
                syncLimit, List.copyOf(partitions), List.copyOf(crashes), 400);
    }

    /**
     * One complete run: the scenario and every random choice come from {@code seed}. Runs without tracing; if an
     * invariant fails, the same seed runs again with tracing so the failure shows the last steps.
     */
    static Result run(long seed, Kind kind) {
        try {
            return run(seed, kind, false);
        } catch (InvariantViolation quiet) {
            run(seed, kind, true);
            throw new InvariantViolation(quiet.getMessage() + "\n  (the traced re-run did not fail: not deterministic!)");
        }
    }

    static Result run(long seed, Kind kind, boolean traced) {
        Random random = new Random(seed);
        Params params = randomParams(random, kind);
        return new FleSimulation(seed, params, random, traced).run();
    }

    // -------------------------------------------------------------------------------------------------- state

    private final long seed;
    private final boolean traced;
    private final Params params;
    private final Random random;
    private final List<Peer> peers = new ArrayList<>();
    private final Set<PeerId> voterIds = new TreeSet<>();
    private final Set<PeerId> observerIds = new TreeSet<>();
    private final int quorum;
    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private final Deque<String> recent = new ArrayDeque<>();
    /** Which voters have sent each vote (in any state): a decided vote must have a majority behind it. */
    private final Map<Vote, Set<PeerId>> announcedBy = new HashMap<>();
    private long sequence;
    private long step;
    private long digest = 1125899906842597L;
    private long messages;
    private long dropped;
    private int decisions;
    private int restarts;
    private int leaderTerms;

    private FleSimulation(long seed, Params params, Random random, boolean traced) {
        this.seed = seed;
        this.traced = traced;
        this.params = params;
        this.random = random;
        for (long s = 1; s <= params.voters(); s++) {
            voterIds.add(new PeerId(s));
        }
        for (long s = params.voters() + 1; s <= params.voters() + params.observers(); s++) {
            observerIds.add(new PeerId(s));
        }
        quorum = params.voters() / 2 + 1;
        for (long s = 1; s <= params.voters() + params.observers(); s++) {
            PeerId id = new PeerId(s);
            // A small space of logs, so ties on epoch and zxid are common and the sid has to break them.
            long epoch = 1 + random.nextInt(2);
            long zxidEpoch = random.nextInt(4) == 0 ? epoch - 1 : epoch;
            long zxid = Zxid.of(zxidEpoch, random.nextInt(3));
            peers.add(new Peer(id, voterIds.contains(id), zxid, epoch, random.nextInt(STEPS_PER_TICK)));
        }
    }

    private final class Peer {
        final PeerId id;
        final boolean voter;
        final long zxid;
        final long epoch;
        final int tickPhase;
        FastLeaderElection core;
        boolean up = true;
        long sendTick = -1;
        int sendsThisTick;
        long lastClock;
        Decided decision;
        long decidedTick;
        Decided firstDecision;
        // zab-lite
        int term; // when leading: our leader term
        boolean established;
        long lastQuorumTick;
        int followedTerm; // when following: the leader term we attached to, 0 if not yet
        long lastLeaderOkTick;

        Peer(PeerId id, boolean voter, long zxid, long epoch, int tickPhase) {
            this.id = id;
            this.voter = voter;
            this.zxid = zxid;
            this.epoch = epoch;
            this.tickPhase = tickPhase;
            this.core = newCore();
        }

        FastLeaderElection newCore() {
            ElectionConfig config = new ElectionConfig(id, voterIds, observerIds, params.resendMaxTicks());
            return new FastLeaderElection(config, new FleSettings(params.finalizeWaitTicks(), 1, 0, 0));
        }

        void resetRole() {
            decision = null;
            established = false;
            term = 0;
            followedTerm = 0;
        }
    }

    // ------------------------------------------------------------------------------------------------- events

    private abstract static class Event implements Comparable<Event> {
        long at;
        long seq;

        @Override
        public int compareTo(Event o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private static final class Deliver extends Event {
        final Peer from;
        final Peer to;
        final Notification notification;

        Deliver(Peer from, Peer to, Notification notification) {
            this.from = from;
            this.to = to;
            this.notification = notification;
        }
    }

    private static final class TickEvent extends Event {
        final Peer peer;

        TickEvent(Peer peer) {
            this.peer = peer;
        }
    }

    private static final class StartEvent extends Event {
        final Peer peer;

        StartEvent(Peer peer) {
            this.peer = peer;
        }
    }

    private static final class FaultEvent extends Event {
        final String what;
        final Runnable action;

        FaultEvent(String what, Runnable action) {
            this.what = what;
            this.action = action;
        }
    }

    private void schedule(Event e, long at) {
        e.at = at;
        e.seq = sequence++;
        queue.add(e);
    }

    private long tickOf(long s) {
        return s / STEPS_PER_TICK;
    }

    // --------------------------------------------------------------------------------------------------- run

    private Result run() {
        for (Peer p : peers) {
            if (params.kind() == Kind.FAULT_FREE) {
                schedule(new StartEvent(p), 0);
            } else {
                int startTick = random.nextInt(params.startSpreadTicks() + 1);
                schedule(new StartEvent(p), (long) startTick * STEPS_PER_TICK + p.tickPhase);
            }
            schedule(new TickEvent(p), STEPS_PER_TICK + p.tickPhase);
        }
        for (Partition part : params.partitions()) {
            schedule(new FaultEvent("partition " + part.side() + " from the rest", () -> reachability()),
                    (long) part.startTick() * STEPS_PER_TICK);
            schedule(new FaultEvent("heal " + part.side(), () -> reachability()),
                    (long) part.endTick() * STEPS_PER_TICK);
        }
        for (Crash c : params.crashes()) {
            Peer p = peer(c.peer());
            schedule(new FaultEvent("crash " + c.peer(), () -> crash(p)), (long) c.downTick() * STEPS_PER_TICK);
            schedule(new FaultEvent("restart " + c.peer(), () -> recover(p)), (long) c.upTick() * STEPS_PER_TICK);
        }
        long deadlineTick = params.lastFaultTick() + params.livenessBoundTicks();
        lastReachable = reachableMatrix();
        while (!queue.isEmpty()) {
            Event e = queue.poll();
            step = e.at;
            if (tickOf(step) > deadlineTick) {
                break;
            }
            process(e);
            checkInvariants();
            if (tickOf(step) >= params.lastFaultTick() && converged() != null) {
                return result(true, (int) tickOf(step), converged());
            }
        }
        throw violation("no convergence within " + params.livenessBoundTicks() + " ticks after the last fault (tick "
                + params.lastFaultTick() + "): " + describePeers());
    }

    private Result result(boolean converged, int tick, PeerId leader) {
        if (params.kind() == Kind.FAULT_FREE) {
            PeerId best = bestVoter();
            for (Peer p : peers) {
                if (p.firstDecision == null || !p.firstDecision.vote().leader().equals(best)) {
                    throw violation("fault-free run: peer " + p.id + " first decided " + p.firstDecision
                            + ", but the best voter is " + best);
                }
            }
            if (restarts > 0) {
                throw violation("fault-free run needed " + restarts + " restarts");
            }
        }
        return new Result(seed, params, converged, tick, leader, step, messages, dropped, decisions, restarts, digest);
    }

    private PeerId bestVoter() {
        Peer best = null;
        for (Peer p : peers) {
            if (p.voter && (best == null || ahead(p, best))) {
                best = p;
            }
        }
        return best.id;
    }

    /**
     * The oracle's own order, written apart from {@link VoteOrder} so a bug there cannot hide: (epoch, zxid, sid)
     * compared lexicographically.
     */
    private static boolean ahead(Peer a, Peer b) {
        if (a.epoch != b.epoch) {
            return a.epoch > b.epoch;
        }
        if (a.zxid != b.zxid) {
            return a.zxid > b.zxid;
        }
        return a.id.value() > b.id.value();
    }

    private void process(Event e) {
        if (e instanceof StartEvent s) {
            Peer p = s.peer;
            if (!p.up || p.core.phase() != FastLeaderElection.Phase.IDLE) {
                return;
            }
            mix(1, p.id.value());
            if (traced) {
                trace(p.id + " start zxid=0x" + Long.toHexString(p.zxid) + " epoch=" + p.epoch);
            }
            apply(p, p.core.handle(new ElectionEvent.Start(p.zxid, p.epoch)));
        } else if (e instanceof TickEvent t) {
            Peer p = t.peer;
            schedule(new TickEvent(p), step + STEPS_PER_TICK);
            if (!p.up) {
                return;
            }
            mix(2, p.id.value());
            apply(p, p.core.handle(new ElectionEvent.Tick()));
            zabLite(p);
        } else if (e instanceof Deliver d) {
            if (!d.to.up || !connected(d.from, d.to)) {
                dropped++;
                return;
            }
            Vote v = d.notification.vote();
            mix(3, d.from.id.value(), d.to.id.value(), d.notification.state().ordinal(), v.leader().value(),
                    v.zxid(), v.electionEpoch(), v.peerEpoch());
            if (traced) {
                trace(d.from.id + "->" + d.to.id + " " + d.notification.state() + " " + v);
            }
            apply(d.to, d.to.core.handle(new ElectionEvent.Received(d.notification)));
        } else if (e instanceof FaultEvent f) {
            mix(4, f.what.hashCode());
            trace("fault: " + f.what);
            f.action.run();
        }
    }

    private void apply(Peer p, List<ElectionAction> actions) {
        int decidedAt = -1;
        for (int i = 0; i < actions.size(); i++) {
            if (actions.get(i) instanceof Decided) {
                decidedAt = i;
            }
        }
        for (int i = 0; i < actions.size(); i++) {
            ElectionAction a = actions.get(i);
            if (a instanceof Send s) {
                checkSend(p, s, i < decidedAt);
                if (p.voter) {
                    announcedBy.computeIfAbsent(s.notification().vote(), v -> new TreeSet<>()).add(p.id);
                }
                send(p, peer(s.to()), s.notification());
            } else if (a instanceof Decided d) {
                onDecided(p, d);
            }
        }
        if (p.core.logicalClock() < p.lastClock) {
            throw violation(p.id + " logical clock went back from " + p.lastClock + " to " + p.core.logicalClock());
        }
        p.lastClock = p.core.logicalClock();
    }

    private void send(Peer from, Peer to, Notification n) {
        messages++;
        long tick = tickOf(step);
        if (from.sendTick != tick) {
            from.sendTick = tick;
            from.sendsThisTick = 0;
        }
        if (++from.sendsThisTick > SENDS_PER_PEER_PER_TICK_MAX) {
            throw violation("message storm: " + from.id + " sent more than " + SENDS_PER_PEER_PER_TICK_MAX
                    + " notifications in tick " + tick + " (last one to " + to.id + ": " + n + ")");
        }
        if (!connected(from, to) || random.nextDouble() < params.drop()) {
            dropped++;
            return;
        }
        schedule(new Deliver(from, to, n), step + 1 + random.nextInt(params.maxDelaySteps()));
        if (random.nextDouble() < params.duplicate()) {
            schedule(new Deliver(from, to, n), step + 1 + random.nextInt(params.maxDelaySteps()));
        }
    }

    // -------------------------------------------------------------------------------------------- zab-lite

    private void onDecided(Peer p, Decided d) {
        decisions++;
        mix(5, p.id.value(), d.vote().leader().value(), d.vote().electionEpoch());
        if (traced) {
            trace(p.id + " decided " + d.state() + " " + d.vote());
        }
        checkDecision(p, d);
        p.decision = d;
        p.decidedTick = tickOf(step);
        if (p.firstDecision == null) {
            p.firstDecision = d;
        }
        if (d.state() == PeerState.LEADING) {
            p.term = ++leaderTerms;
            p.established = false;
            p.lastQuorumTick = tickOf(step);
        } else {
            p.followedTerm = 0;
            p.lastLeaderOkTick = tickOf(step);
        }
    }

    private void zabLite(Peer p) {
        if (p.decision == null) {
            return;
        }
        long now = tickOf(step);
        if (p.decision.state() == PeerState.LEADING) {
            if (followerCount(p) >= quorum) {
                p.established = true;
                p.lastQuorumTick = now;
            } else if (!p.established && now - p.decidedTick > params.initLimitTicks()) {
                restart(p, "leader without a majority for initLimit");
            } else if (p.established && now - p.lastQuorumTick > params.syncLimitTicks()) {
                restart(p, "leader lost its majority for syncLimit");
            }
            return;
        }
        Peer leader = peer(p.decision.vote().leader());
        boolean leaderLeads = leader.up && leader.decision != null && leader.decision.state() == PeerState.LEADING;
        boolean connectionLost = !leader.up || (!leaderLeads || leader.term != p.followedTerm) && connected(p, leader);
        if (p.followedTerm != 0 && connectionLost) {
            restart(p, "leader " + leader.id + " closed our connection or crashed");
            return;
        }
        if (leaderLeads && connected(p, leader)) {
            p.followedTerm = leader.term;
            p.lastLeaderOkTick = now;
        } else if (now - p.lastLeaderOkTick > params.initLimitTicks()) {
            restart(p, "no leader " + leader.id + " for initLimit");
        }
    }

    private int followerCount(Peer leader) {
        int count = 1;
        for (Peer f : peers) {
            if (f != leader && f.voter && f.up && f.decision != null && f.decision.state() == PeerState.FOLLOWING
                    && f.decision.vote().leader().equals(leader.id) && connected(f, leader)) {
                count++;
            }
        }
        return count;
    }

    private void restart(Peer p, String why) {
        restarts++;
        mix(6, p.id.value());
        if (traced) {
            trace(p.id + " looks again: " + why);
        }
        p.resetRole();
        apply(p, p.core.handle(new ElectionEvent.Start(p.zxid, p.epoch)));
    }

    private void crash(Peer p) {
        if (!p.up) {
            return;
        }
        p.up = false;
        p.resetRole();
        reachability();
    }

    private void recover(Peer p) {
        if (p.up) {
            return;
        }
        p.up = true;
        p.core = p.newCore(); // a new process: the logical clock starts again
        p.lastClock = 0;
        restarts++;
        mix(7, p.id.value());
        trace(p.id + " restarts (new process)");
        reachability();
        apply(p, p.core.handle(new ElectionEvent.Start(p.zxid, p.epoch)));
    }

    // ------------------------------------------------------------------------------------------- reachability

    private boolean[] lastReachable;

    private boolean connected(Peer a, Peer b) {
        if (!a.up || !b.up) {
            return false;
        }
        long tick = tickOf(step);
        for (Partition part : params.partitions()) {
            if (tick >= part.startTick() && tick < part.endTick()
                    && part.side().contains(a.id) != part.side().contains(b.id)) {
                return false;
            }
        }
        return true;
    }

    private boolean[] reachableMatrix() {
        int n = peers.size();
        boolean[] m = new boolean[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                m[i * n + j] = i != j && connected(peers.get(i), peers.get(j));
            }
        }
        return m;
    }

    /** Tells every live peer which links went down or came up, as a driver would. */
    private void reachability() {
        boolean[] now = reachableMatrix();
        int n = peers.size();
        for (int i = 0; i < n; i++) {
            Peer p = peers.get(i);
            for (int j = 0; j < n; j++) {
                if (i == j || now[i * n + j] == lastReachable[i * n + j] || !p.up) {
                    continue;
                }
                apply(p, p.core.handle(new ElectionEvent.PeerReachable(peers.get(j).id, now[i * n + j])));
            }
        }
        lastReachable = now;
    }

    // ------------------------------------------------------------------------------------------- invariants

    /** {@code beforeDecision}: the send precedes a Decided of the same batch, so it still says LOOKING. */
    private void checkSend(Peer p, Send s, boolean beforeDecision) {
        if (s.to().equals(p.id) || peerOrNull(s.to()) == null) {
            throw violation(p.id + " sends to " + s.to());
        }
        Notification n = s.notification();
        PeerState expected = beforeDecision ? PeerState.LOOKING : p.core.announcedState();
        if (!n.from().equals(p.id) || !n.vote().equals(p.core.currentVote()) || n.state() != expected) {
            throw violation(p.id + " sends " + n + " but its vote is " + p.core.currentVote() + " in state "
                    + p.core.announcedState());
        }
    }

    private void checkDecision(Peer p, Decided d) {
        Vote v = d.vote();
        Peer leader = peerOrNull(v.leader());
        if (leader == null || !leader.voter) {
            throw violation(p.id + " decided for non-voter " + v.leader());
        }
        if (v.zxid() != leader.zxid || v.peerEpoch() != leader.epoch) {
            throw violation(p.id + " decided " + v + " but leader " + leader.id + " has zxid 0x"
                    + Long.toHexString(leader.zxid) + ", epoch " + leader.epoch);
        }
        PeerState expected = !p.voter ? PeerState.OBSERVING
                : v.leader().equals(p.id) ? PeerState.LEADING : PeerState.FOLLOWING;
        if (d.state() != expected) {
            throw violation(p.id + " decided " + d.state() + " for " + v.leader() + ", expected " + expected);
        }
        int notBetter = 0;
        for (Peer q : peers) {
            if (q.voter && !ahead(q, leader)) {
                notBetter++;
            }
        }
        if (notBetter < quorum) {
            throw violation(p.id + " decided for " + leader.id + ", whose log is behind a majority (only "
                    + notBetter + " of " + params.voters() + " voters are not ahead of it)");
        }
        Set<PeerId> backers = new TreeSet<>(announcedBy.getOrDefault(v, Set.of()));
        if (p.voter) {
            backers.add(p.id);
        }
        if (backers.size() < quorum) {
            throw violation(p.id + " decided " + v + ", which only voters " + backers + " ever announced");
        }
    }

    private void checkInvariants() {
        PeerId ruling = null;
        for (Peer p : peers) {
            if (p.up && p.decision != null && p.decision.state() == PeerState.LEADING && followerCount(p) >= quorum) {
                if (ruling != null) {
                    throw violation("two leaders with a majority following: " + ruling + " and " + p.id);
                }
                ruling = p.id;
            }
        }
    }

    /** The leader everyone agrees on, once every peer is up, decided for it, and it holds a majority. */
    private PeerId converged() {
        PeerId leader = null;
        for (Peer p : peers) {
            if (!p.up || p.decision == null) {
                return null;
            }
            PeerId l = p.decision.vote().leader();
            if (leader != null && !leader.equals(l)) {
                return null;
            }
            leader = l;
        }
        Peer l = peer(leader);
        return l.decision.state() == PeerState.LEADING && followerCount(l) >= quorum ? leader : null;
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private Peer peer(PeerId id) {
        Peer p = peerOrNull(id);
        if (p == null) {
            throw violation("no peer " + id);
        }
        return p;
    }

    private Peer peerOrNull(PeerId id) {
        long s = id.value();
        return s >= 1 && s <= peers.size() ? peers.get((int) s - 1) : null;
    }

    /** Folds one step into the run's digest: two runs of a seed must produce the same one. */
    private void mix(long... values) {
        long h = digest ^ step;
        for (long v : values) {
            h = (h ^ v) * 0x100000001B3L;
            h ^= h >>> 29;
        }
        digest = h;
    }

    private void trace(String line) {
        if (!traced) {
            return;
        }
        String entry = "t" + tickOf(step) + "." + (step % STEPS_PER_TICK) + " " + line;
        recent.addLast(entry);
        if (recent.size() > 60) {
            recent.removeFirst();
        }
    }

    private String describePeers() {
        StringBuilder b = new StringBuilder();
        for (Peer p : peers) {
            b.append("\n  ").append(p.id).append(p.voter ? "" : " (observer)").append(p.up ? "" : " DOWN")
                    .append(": ").append(p.core).append(", decision ").append(p.decision)
                    .append(p.established ? ", established" : "");
        }
        return b.toString();
    }

    private InvariantViolation violation(String what) {
        StringBuilder b = new StringBuilder();
        b.append("seed ").append(seed).append(" (").append(params.kind()).append("), tick ").append(tickOf(step))
                .append(": ").append(what)
                .append("\n  replay: mvn -o test -f election-fle/pom.xml -Dtest=FleSimulationTest#replaysOneSeed")
                .append(" -Dfle.sim.seed=").append(seed).append(" -Dfle.sim.kind=").append(params.kind())
                .append("\n  params: ").append(params)
                .append("\n  peers:").append(describePeers())
                .append("\n  last steps:");
        for (String line : recent) {
            b.append("\n    ").append(line);
        }
        return new InvariantViolation(b.toString());
    }
}
