package io.paddock.sim;

import io.paddock.api.Zxid;
import io.paddock.api.replication.ForwardedRequest;
import io.paddock.api.replication.Role;
import io.paddock.server.txn.Txn;
import io.paddock.server.txn.TxnHeader;
import io.paddock.zab.ZabConfig;
import io.paddock.zab.core.DurableState;
import io.paddock.zab.core.LeaderCore;
import io.paddock.zab.core.LearnerCore;
import io.paddock.zab.core.LogEntry;
import io.paddock.zab.core.ZabAction;
import io.paddock.zab.core.ZabEvent;
import io.paddock.zab.core.ZabMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

/**
 * A deterministic discrete-event world for the ZAB cores. One thread, one priority queue of events ordered by
 * (time, sequence), one seeded {@link Random} behind every choice: the same seed and options replay the same run
 * event for event. Time is in units, {@value #TICK} per tick; each peer ticks at its own offset within the tick.
 *
 * <p>The simulated driver follows the contract of {@link ZabAction}: actions run in order; epoch writes and TRUNC
 * are durable on return; appends and snapshot installs go through one storage queue per peer (group commit: an fsync
 * covers every append queued when it starts) and report back; sends go on the peer's current connections; when a
 * core steps down the storage queue drains before anything else runs for that peer (ZOOKEEPER-4712).
 *
 * <p>Run a whole randomised run with {@link #runRandom()}, or script one with the fault and query methods; every step
 * is followed by {@link Invariants#afterStep()}, and any violation throws {@link SimulationFailure}.
 */
public final class Simulator {
    public static final int TICK = 100;
    private static final int TRACE_LINES = 400;

    private record Ev(long time, long seq, Runnable run) implements Comparable<Ev> {
        @Override
        public int compareTo(Ev o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private record SyncNeed(long peer, long appliedAtLeast) {}

    /** Counters shown after a run; a sweep asserts every sync kind was exercised. */
    public static final class Stats {
        public int elections;
        public int establishments;
        public int stepDowns;
        public int crashes;
        public int diffs;
        public int truncs;
        public int snaps;
        public int proposals;
        public int syncsCompleted;
        public int partitions;
        public int holesRejected;

        @Override
        public String toString() {
            return "elections=" + elections + " established=" + establishments + " stepDowns=" + stepDowns
                    + " crashes=" + crashes + " DIFF=" + diffs + " TRUNC=" + truncs + " SNAP=" + snaps
                    + " proposals=" + proposals + " syncs=" + syncsCompleted + " partitions=" + partitions;
        }
    }

    private final long seed;
    private final SimOptions opts;
    private final Random random;
    private final TreeMap<Long, SimPeer> peers = new TreeMap<>();
    private final Set<Long> voterIds = new TreeSet<>();
    private final Set<Long> observerIds = new TreeSet<>();
    private final PriorityQueue<Ev> queue = new PriorityQueue<>();
    private final Invariants inv = new Invariants(this);
    /** The trace tail; formatted only when a run fails (or with -Dsim.trace=all), so tracing costs little. */
    private record TraceLine(long tick, long unit, long peer, String arrow, Object item, String text) {
        String format() {
            String body = text != null ? text
                    : "p" + peer + arrow + (item instanceof ZabEvent e ? describe(e) : describe((ZabAction) item));
            return "t" + tick + "." + unit + " " + body;
        }
    }

    private final ArrayDeque<TraceLine> trace = new ArrayDeque<>();
    private final boolean traceAll = "all".equals(System.getProperty("sim.trace"));
    private final TreeMap<Long, Conn> conns = new TreeMap<>();
    private final TreeMap<Long, Integer> group = new TreeMap<>();
    private final TreeSet<String> oneWay = new TreeSet<>();
    private final TreeMap<Long, SyncNeed> syncs = new TreeMap<>();
    private final TreeMap<Long, Long> sessionTouchedTick = new TreeMap<>();
    private final Stats stats = new Stats();
    private final TreeSet<Long> ackBeforeFsyncPeers = new TreeSet<>();
    private final TreeSet<Long> epochBeforeTxnsPeers = new TreeSet<>();
    private final TreeSet<Long> lostCloseSessionPeers = new TreeSet<>();

    private long seq;
    private long now;
    private long tick;
    private long connIds;
    private long txnCounter;
    private long syncIds;
    private long sessionIds;
    private boolean faultsActive;
    private boolean loadActive;
    private boolean chaosActive;
    private boolean electionsPaused;
    private Long preferredLeader;
    private ElectionSeam election = new OracleElection();
    private Interceptor interceptor;
    private ActionHook actionHook;

    public Simulator(long seed, SimOptions opts) {
        this.seed = seed;
        this.opts = opts;
        this.random = new Random(seed);
        for (long id = 1; id <= opts.voters; id++) {
            voterIds.add(id);
        }
        for (long id = opts.voters + 1; id <= opts.voters + opts.observers; id++) {
            observerIds.add(id);
        }
        for (long id = 1; id <= opts.voters + opts.observers; id++) {
            SimPeer p = new SimPeer(id, voterIds.contains(id));
            p.sm = new SimServer(this::nowMs);
            p.snapshotThreshold = between(opts.snapshotEveryMin, opts.snapshotEveryMax);
            p.sessions.add(id * 1000 + 1);
            p.sessions.add(id * 1000 + 2);
            peers.put(id, p);
            group.put(id, 0);
            long offset = 1 + random.nextInt(TICK - 1);
            schedulePeerTick(p, offset);
        }
        faultsActive = opts.randomFaults;
        loadActive = opts.clientLoad;
        chaosActive = opts.silentDropProbability > 0 || opts.duplicateProbability > 0 || opts.reorderProbability > 0;
        scheduleWorldTick(0);
    }

    // ================================================================================================ running

    /** Fault phase, then heal everything and require convergence, then the final checks. */
    public void runRandom() {
        runTicks(opts.faultTicks);
        converge();
    }

    /** Stops faults and load, heals, restarts, and requires one leader with everyone caught up; then final checks. */
    public void converge() {
        faultsActive = false;
        loadActive = false;
        chaosActive = false;
        preferredLeader = null;
        electionsPaused = false;
        heal();
        for (SimPeer p : peers.values()) {
            if (p.diskStalled) {
                releaseDisk(p.id);
            }
            if (!p.up) {
                restart(p.id);
            }
        }
        if (!runUntil(this::converged, opts.quiesceTicksMax)) {
            fail("no convergence within " + opts.quiesceTicksMax + " ticks after healing every fault");
        }
        finalChecks();
    }

    public void runTicks(int ticks) {
        runUntilTime(now + (long) ticks * TICK);
    }

    /** Runs tick by tick until {@code condition} holds (checked at every world tick); false if it never did. */
    public boolean runUntil(BooleanSupplier condition, int maxTicks) {
        for (int i = 0; i < maxTicks; i++) {
            if (condition.getAsBoolean()) {
                return true;
            }
            runTicks(1);
        }
        return condition.getAsBoolean();
    }

    private void runUntilTime(long end) {
        while (!queue.isEmpty() && queue.peek().time() <= end) {
            Ev e = queue.poll();
            now = e.time();
            e.run().run();
            inv.afterStep();
        }
        now = end;
    }

    private void schedule(long delay, Runnable r) {
        queue.add(new Ev(now + delay, seq++, r));
    }

    private void scheduleWorldTick(long delay) {
        schedule(delay, () -> {
            tick++;
            worldTick();
            scheduleWorldTick(TICK);
        });
    }

    private void schedulePeerTick(SimPeer p, long delay) {
        schedule(delay, () -> {
            if (p.up && p.core != null) {
                deliver(p, new ZabEvent.Tick());
            }
            schedulePeerTick(p, TICK);
        });
    }

    private void worldTick() {
        for (SimPeer p : peers.values()) {
            if (p.diskStalled && p.diskStallUntilTick >= 0 && tick >= p.diskStallUntilTick) {
                releaseDisk(p.id);
            }
        }
        if (faultsActive) {
            injectFaults();
        }
        if (!electionsPaused) {
            election.onWorldTick(this);
        }
        touchSessions();
        if (loadActive) {
            clientLoad();
        }
    }

    // ================================================================================================ faults

    private void injectFaults() {
        List<SimPeer> up = upPeers();
        if (!up.isEmpty() && random.nextDouble() < opts.crashProbability) {
            // Most ZooKeeper data-loss bugs need the leader, or a learner in the middle of its sync, hit.
            SimPeer victim = up.get(random.nextInt(up.size()));
            int aim = random.nextInt(10);
            for (SimPeer p : up) {
                if ((aim < 4 && p.leaderCore() != null)
                        || (aim >= 4 && aim < 7 && p.learnerCore() != null && !p.learnerCore().serving())) {
                    victim = p;
                }
            }
            SimPeer crashed = victim;
            crash(crashed.id, "random crash");
            int after = between(opts.restartAfterTicksMin, opts.restartAfterTicksMax);
            schedule((long) after * TICK, () -> {
                if (!crashed.up) {
                    restart(crashed.id);
                }
            });
        }
        if (random.nextDouble() < opts.partitionProbability) {
            randomPartition();
        } else if (!isHealed() && random.nextDouble() < opts.healProbability) {
            heal();
        }
        if (!conns.isEmpty() && random.nextDouble() < opts.resetProbability) {
            List<Conn> open = new ArrayList<>(conns.values());
            Conn c = open.get(random.nextInt(open.size()));
            close(c, "random reset");
        }
        if (!up.isEmpty() && random.nextDouble() < opts.diskStallProbability) {
            SimPeer p = up.get(random.nextInt(up.size()));
            stallDisk(p.id);
            p.diskStallUntilTick = tick + between(1, 8);
        }
    }

    private void randomPartition() {
        stats.partitions++;
        int kind = random.nextInt(3);
        List<Long> ids = new ArrayList<>(peers.keySet());
        if (kind == 0) {
            for (Long id : ids) {
                group.put(id, random.nextInt(2));
            }
            log("partition " + group);
        } else if (kind == 1) {
            long victim = ids.get(random.nextInt(ids.size()));
            isolate(victim);
        } else {
            long a = ids.get(random.nextInt(ids.size()));
            long b = ids.get(random.nextInt(ids.size()));
            if (a != b) {
                blockOneWay(a, b);
            }
        }
        unblockHeld();
    }

    public void isolate(long id) {
        for (Long p : peers.keySet()) {
            group.put(p, p == id ? 1 : 0);
        }
        log("isolate p" + id);
        unblockHeld();
    }

    /** Puts each listed set of peers in its own side; peers not listed share one more side. */
    @SafeVarargs
    public final void partition(Set<Long>... sides) {
        for (Long p : peers.keySet()) {
            group.put(p, 0);
        }
        for (int i = 0; i < sides.length; i++) {
            for (Long p : sides[i]) {
                group.put(p, i + 1);
            }
        }
        log("partition " + group);
        unblockHeld();
    }

    /** Messages from {@code from} to {@code to} stall (the connection stays up); the other direction flows. */
    public void blockOneWay(long from, long to) {
        oneWay.add(from + ">" + to);
        log("block p" + from + " -> p" + to);
    }

    public void heal() {
        for (Long p : peers.keySet()) {
            group.put(p, 0);
        }
        oneWay.clear();
        log("heal");
        unblockHeld();
    }

    private boolean isHealed() {
        return oneWay.isEmpty() && group.values().stream().allMatch(g -> g == 0);
    }

    boolean blocked(long from, long to) {
        return !group.get(from).equals(group.get(to)) || oneWay.contains(from + ">" + to);
    }

    public boolean reachable(long a, long b) {
        return !blocked(a, b) && !blocked(b, a);
    }

    /** Releases messages that a partition held on still-open connections, in their order. */
    private void unblockHeld() {
        for (Conn c : new ArrayList<>(conns.values())) {
            for (int dir = 0; dir < 2; dir++) {
                ArrayDeque<Conn.InFlight> held = c.held.get(dir);
                if (held.isEmpty() || blocked(held.peekFirst().from(), held.peekFirst().to())) {
                    continue;
                }
                List<Conn.InFlight> release = new ArrayList<>(held);
                held.clear();
                for (Conn.InFlight m : release) {
                    long t = Math.max(now + between(opts.messageDelayMin, opts.messageDelayMax), c.lastDelivery[dir] + 1);
                    c.lastDelivery[dir] = t;
                    queue.add(new Ev(t, seq++, () -> arrive(c, m)));
                }
            }
        }
    }

    public void crash(long id, String why) {
        SimPeer p = peers.get(id);
        if (!p.up) {
            return;
        }
        log("CRASH p" + id + " (" + why + ")");
        stats.crashes++;
        p.crashes++;
        p.up = false;
        p.storage.crash();
        p.diskQueue.clear();
        p.diskBusy = null;
        p.diskEpoch++;
        p.diskStalled = false;
        closeAll(p, "p" + id + " crashed");
        p.core = null;
        p.generation++;
        p.role = Role.LOOKING;
        p.sm = null;
        p.model = null;
    }

    public void crash(long id) {
        crash(id, "scripted");
    }

    public void restart(long id) {
        SimPeer p = peers.get(id);
        if (p.up) {
            return;
        }
        String refusal = opts.startupChecks ? p.storage.startupRefusal() : null;
        p.refusedStartup = refusal;
        if (refusal != null) {
            log("p" + id + " REFUSES TO START: " + refusal);
            return;
        }
        p.up = true;
        p.generation++;
        Map.Entry<Long, byte[]> snap = p.storage.snapshots.lastEntry();
        p.sm = snap == null ? new SimServer(this::nowMs) : SimServer.restore(this::nowMs, snap.getKey(), snap.getValue());
        inv.onStateReset(p, p.sm.lastApplied(), p.sm.digest(), snap == null ? null : snap.getValue());
        p.appliedSinceSnapshot = 0;
        lookAgain(p);
        log("RESTART p" + id + " from snapshot " + Invariants.z(p.sm.lastApplied()) + ", log up to "
                + Invariants.z(p.storage.lastLogged()));
    }

    /** The data folder of a down peer is emptied (an operator's fix for a refused start-up): it rejoins from scratch. */
    public void wipe(long id) {
        SimPeer p = peers.get(id);
        if (p.up) {
            throw new IllegalStateException("p" + id + " is up");
        }
        p.storage.wipe();
        p.refusedStartup = null;
        log("WIPE p" + id);
    }

    public void stallDisk(long id) {
        SimPeer p = peers.get(id);
        p.diskStalled = true;
        p.diskStallUntilTick = -1;
        log("stall disk of p" + id);
    }

    public void releaseDisk(long id) {
        SimPeer p = peers.get(id);
        p.diskStalled = false;
        log("release disk of p" + id);
        if (p.up && p.diskBusy == null && !p.diskQueue.isEmpty()) {
            startDisk(p);
        }
    }

    /** Closes every connection of this peer, as a connection reset would. */
    public void resetLinks(long id) {
        closeAll(peers.get(id), "scripted reset");
    }

    // ================================================================================================ roles

    List<SimPeer> lookingPeers() {
        List<SimPeer> out = new ArrayList<>();
        for (SimPeer p : peers.values()) {
            if (p.up && p.core == null && tick - p.lookingSinceTick >= p.electionDelayTicks && diskIdle(p)) {
                out.add(p);
            }
        }
        return out;
    }

    public void becomeLeader(long id) {
        SimPeer p = peers.get(id);
        requireLooking(p);
        stats.elections++;
        long base = p.storage.latestSnapshotZxid();
        List<LogEntry> entries = new ArrayList<>();
        for (Map.Entry<Long, byte[]> e : p.storage.log.tailMap(base, false).entrySet()) {
            entries.add(new LogEntry(e.getKey(), e.getValue()));
        }
        p.generation++;
        try {
            p.core = new LeaderCore(config(id), durableState(p), base, entries);
        } catch (RuntimeException e) {
            fail("p" + id + " cannot lead: " + e);
        }
        p.sentAckNewLeader = false;
        p.model = TreeModel.of(p.sm.view());
        for (byte[] txn : p.storage.log.tailMap(p.sm.lastApplied(), false).values()) {
            try {
                p.model.apply(txn);
            } catch (RuntimeException e) {
                fail("p" + id + " leads with a logged txn its own tree refuses: " + e);
            }
        }
        sessionTouchedTick.clear();
        for (SimPeer q : peers.values()) {
            for (Long s : q.sessions) {
                sessionTouchedTick.put(s, tick); // a new leader gives every session a fresh timeout
            }
        }
        log("p" + id + " LEADS " + durableState(p));
    }

    public void becomeLearner(long id, long leaderId) {
        SimPeer p = peers.get(id);
        SimPeer leader = peers.get(leaderId);
        requireLooking(p);
        p.generation++;
        p.core = new LearnerCore(config(id), leaderId, durableState(p));
        p.sentAckNewLeader = false;
        Conn c = new Conn(++connIds, id, leaderId, p.generation, leader.generation);
        conns.put(c.id, c);
        p.leaderConn = c;
        log("p" + id + " FOLLOWS p" + leaderId + " " + durableState(p) + " via " + c);
        schedule(between(opts.messageDelayMin, opts.messageDelayMax), () -> connect(c));
    }

    private void connect(Conn c) {
        if (c.closed) {
            return;
        }
        SimPeer l = peers.get(c.learner);
        SimPeer leader = peers.get(c.leader);
        boolean ok = l.up && leader.up && l.generation == c.learnerGeneration
                && leader.generation == c.leaderGeneration && leader.leaderCore() != null && reachable(l.id, leader.id);
        if (!ok) {
            close(c, "connect failed");
            return;
        }
        c.open = true;
        Conn old = leader.learnerConns.put(l.id, c);
        if (old != null && old != c) {
            old.closed = true;
            conns.remove(old.id);
        }
        deliver(l, new ZabEvent.PeerConnected(c.leader));
    }

    private static boolean diskIdle(SimPeer p) {
        return p.diskBusy == null && p.diskQueue.isEmpty();
    }

    private void requireLooking(SimPeer p) {
        if (!p.up || p.core != null || !diskIdle(p)) {
            throw new IllegalStateException("p" + p.id + " is not looking: " + p.describe());
        }
    }

    private DurableState durableState(SimPeer p) {
        return new DurableState(p.storage.acceptedEpoch, p.storage.currentEpoch, p.storage.lastLogged(),
                p.sm.lastApplied());
    }

    private ZabConfig config(long self) {
        return new ZabConfig(self, voterIds, observerIds, opts.initLimitTicks, opts.syncLimitTicks,
                opts.committedLogMax, 1L << 20, opts.outstandingProposalsMax, 100, 4);
    }

    /** The core stepped down: drain the storage queue, drop the links, look for a leader again. */
    private void endRole(SimPeer p, String reason) {
        log("p" + p.id + " STEPS DOWN: " + reason);
        stats.stepDowns++;
        if (!p.diskStalled) {
            drain(p); // fast-forward: the driver waits for its storage queue before anything else
        } // else the queue finishes when the disk comes back; the peer looks for a leader only after that
        closeAll(p, "p" + p.id + " stepped down");
        p.core = null;
        p.model = null;
        p.generation++;
        p.role = Role.LOOKING;
        lookAgain(p);
    }

    private void lookAgain(SimPeer p) {
        p.lookingSinceTick = tick;
        p.electionDelayTicks = opts.electionDelayTicksMax == 0 ? 0 : random.nextInt(opts.electionDelayTicksMax + 1);
    }

    // ================================================================================================ driver

    private void deliver(SimPeer p, ZabEvent e) {
        if (traceAll || !(e instanceof ZabEvent.Tick)) {
            record(p.id, " <- ", e);
        }
        List<ZabAction> actions;
        try {
            actions = p.core.handle(e);
        } catch (RuntimeException ex) {
            fail("p" + p.id + " core threw on " + describe(e) + ": " + ex);
            return;
        }
        execute(p, actions);
    }

    private void execute(SimPeer p, List<ZabAction> actions) {
        int generation = p.generation;
        int crashAt = -1;
        if (faultsActive && !actions.isEmpty() && random.nextDouble() < opts.midStepCrashProbability) {
            crashAt = random.nextInt(actions.size());
        }
        for (int i = 0; i < actions.size(); i++) {
            if (!p.up || p.generation != generation) {
                return;
            }
            ZabAction a = actions.get(i);
            if (i == crashAt) {
                crash(p.id, "BUGGIFY before " + describe(a));
                return;
            }
            if (actionHook != null && actionHook.crashBefore(this, p, a)) {
                crash(p.id, "hook before " + describe(a));
                return;
            }
            perform(p, a);
        }
    }

    private void perform(SimPeer p, ZabAction a) {
        if (!(a instanceof ZabAction.Send s && s.message() instanceof ZabMessage.Ping)) {
            record(p.id, " do ", a);
        }
        if (a instanceof ZabAction.Send s) {
            ZabMessage m = s.message();
            if (m instanceof ZabMessage.AckNewLeader n) {
                inv.onAckNewLeader(p, n.epoch(), n.lastZxid(), peers.get(s.to()));
                p.sentAckNewLeader = true;
            } else if (m instanceof ZabMessage.Ack && !p.sentAckNewLeader) {
                fail("p" + p.id + " acks a proposal before its NEWLEADER ack (ZOOKEEPER-4685)");
            } else if (m instanceof ZabMessage.Diff) {
                stats.diffs++;
            } else if (m instanceof ZabMessage.Trunc) {
                stats.truncs++;
            }
            send(p, s.to(), m);
        } else if (a instanceof ZabAction.SendSnapshot s) {
            if (p.sm.lastApplied() != s.zxid()) {
                fail("p" + p.id + " asked for a snapshot at " + Invariants.z(s.zxid()) + " while applied up to "
                        + Invariants.z(p.sm.lastApplied()));
            }
            stats.snaps++;
            send(p, s.to(), new ZabMessage.Snap(s.zxid(), p.sm.serialize()));
        } else if (a instanceof ZabAction.PersistTxns t) {
            for (LogEntry e : t.entries()) {
                inv.onLogEntry(p, e.zxid(), e.txn());
            }
            p.diskQueue.add(new SimPeer.Append(t.entries()));
            if (p.diskBusy == null && !p.diskStalled) {
                startDisk(p);
            }
        } else if (a instanceof ZabAction.InstallSnapshot s) {
            p.diskQueue.add(new SimPeer.Install(s.zxid(), s.snapshot()));
            if (p.diskBusy == null && !p.diskStalled) {
                startDisk(p);
            }
        } else if (a instanceof ZabAction.TruncateLog t) {
            if (p.diskBusy != null || !p.diskQueue.isEmpty()) {
                fail("p" + p.id + " truncates with storage work queued");
            }
            p.storage.truncateAfter(t.afterZxid());
            inv.onTruncated(p, t.afterZxid());
        } else if (a instanceof ZabAction.WriteAcceptedEpoch w) {
            if (w.epoch() < p.storage.acceptedEpoch) {
                fail("p" + p.id + " lowers acceptedEpoch " + p.storage.acceptedEpoch + " to " + w.epoch());
            }
            p.storage.acceptedEpoch = w.epoch();
        } else if (a instanceof ZabAction.WriteCurrentEpoch w) {
            // Against the accepted epoch the core works with: after lost epoch files (ZOOKEEPER-2354) it is the
            // epoch of the last logged zxid, which the core adopts without writing it back when a leader of that
            // same epoch answers (so the file can stay below currentEpoch until the next new epoch).
            long accepted = Math.max(p.storage.acceptedEpoch, epochOf(p.storage.lastLogged()));
            if (w.epoch() > accepted) {
                fail("p" + p.id + " writes currentEpoch " + w.epoch() + " above acceptedEpoch " + accepted);
            }
            inv.onWriteCurrentEpoch(p, w.epoch());
            p.storage.currentEpoch = w.epoch();
        } else if (a instanceof ZabAction.ApplyCommitted ac) {
            if (p.leaderCore() != null) {
                inv.onLeaderCommit(p, p.sm.lastApplied(), ac.upToZxid(),
                        p.logicalRange(p.sm.lastApplied(), ac.upToZxid()));
            }
            apply(p, ac.upToZxid());
        } else if (a instanceof ZabAction.CompleteSync c) {
            SyncNeed need = syncs.remove(c.requestId());
            if (need == null || need.peer() != p.id) {
                fail("p" + p.id + " completes unknown sync " + c.requestId());
            }
            if (p.sm.lastApplied() < need.appliedAtLeast()) {
                fail("p" + p.id + " completes a sync at " + Invariants.z(p.sm.lastApplied())
                        + " but its leader had committed " + Invariants.z(need.appliedAtLeast()) + " when it was issued");
            }
            stats.syncsCompleted++;
        } else if (a instanceof ZabAction.PrepareForwarded f) {
            // The leader prepares the forwarded request against its own view, as ZooKeeper's leader does.
            schedule(0, () -> proposeRandom(p));
        } else if (a instanceof ZabAction.SessionsTouched t) {
            for (long s : t.sessionIds()) {
                sessionTouchedTick.put(s, tick);
            }
        } else if (a instanceof ZabAction.RoleChanged r) {
            p.role = r.role();
            if (r.role() == Role.LEADER) {
                stats.establishments++;
                inv.onEstablished(p, p.core.epoch());
            }
        } else if (a instanceof ZabAction.Disconnect d) {
            Conn c = p.learnerConns.get(d.peer());
            if (c != null) {
                close(c, d.reason());
            }
        } else if (a instanceof ZabAction.StepDown sd) {
            if (sd.reason().startsWith("hole")) {
                stats.holesRejected++;
            }
            endRole(p, sd.reason());
        } else {
            fail("unknown action " + a);
        }
    }

    private void apply(SimPeer p, long upTo) {
        TreeMap<Long, byte[]> entries = p.logicalRange(p.sm.lastApplied(), upTo);
        if (entries.isEmpty() || entries.lastKey() != upTo) {
            fail("p" + p.id + " told to apply up to " + Invariants.z(upTo) + " from " + Invariants.z(p.sm.lastApplied())
                    + " but its log lacks it");
        }
        for (Map.Entry<Long, byte[]> e : entries.entrySet()) {
            try {
                if (lostCloseSessionPeers.contains(p.id) && TreeModel.isCloseSession(e.getValue())) {
                    p.sm.apply(e.getKey(), TreeModel.encode(new TxnHeader(0, 0, 0), new Txn.Multi(List.of())));
                } else {
                    p.sm.apply(e.getKey(), e.getValue());
                }
            } catch (RuntimeException ex) {
                fail("p" + p.id + " cannot apply " + Invariants.z(e.getKey()) + ": " + ex);
            }
            if (p.sm.applyErrors() != 0) {
                fail("p" + p.id + "'s tree refused " + Invariants.z(e.getKey()) + " (" + p.sm.applyErrors()
                        + " apply errors): prepare and apply disagree, or a fuzzy-snapshot replay went wrong");
            }
            inv.onApply(p, e.getKey(), e.getValue(), p.sm.digest());
            p.appliedSinceSnapshot++;
        }
        if (p.appliedSinceSnapshot >= p.snapshotThreshold) {
            takeSnapshot(p.id);
        }
    }

    /** The peer snapshots its state machine now, as the driver does every snapCount txns. */
    public void takeSnapshot(long id) {
        SimPeer p = peers.get(id);
        p.appliedSinceSnapshot = 0;
        p.snapshotThreshold = between(opts.snapshotEveryMin, opts.snapshotEveryMax);
        long z = p.sm.lastApplied();
        if (z == 0 || p.storage.snapshots.containsKey(z)) {
            return;
        }
        byte[] bytes = p.sm.serialize();
        inv.onSnapshotTaken(p, z, p.sm.digest());
        p.storage.addSnapshot(z, bytes);
        log("p" + id + " snapshot at " + Invariants.z(z));
    }

    // ------------------------------------------------------------------------------------------------ storage

    private void startDisk(SimPeer p) {
        SimPeer.DiskOp op = p.diskQueue.pollFirst();
        if (op instanceof SimPeer.Append first) {
            List<LogEntry> batch = new ArrayList<>(first.entries());
            while (p.diskQueue.peekFirst() instanceof SimPeer.Append more) {
                p.diskQueue.pollFirst();
                batch.addAll(more.entries());
            }
            for (LogEntry e : batch) {
                try {
                    p.storage.append(e.zxid(), e.txn());
                } catch (IllegalStateException ex) {
                    fail("p" + p.id + ": " + ex.getMessage());
                }
            }
            op = new SimPeer.Append(batch);
            if (ackBeforeFsync(p)) {
                report(p, new ZabEvent.TxnsPersisted(batch.get(batch.size() - 1).zxid()));
            }
        }
        p.diskBusy = op;
        int diskEpoch = p.diskEpoch;
        SimPeer.DiskOp started = op;
        schedule(between(opts.diskDelayMin, opts.diskDelayMax), () -> finishDisk(p, diskEpoch, started));
    }

    private void finishDisk(SimPeer p, int diskEpoch, SimPeer.DiskOp op) {
        if (!p.up || p.diskEpoch != diskEpoch) {
            return;
        }
        if (p.diskStalled) {
            schedule(TICK, () -> finishDisk(p, diskEpoch, op));
            return;
        }
        complete(p, op, true);
        p.diskBusy = null;
        if (!p.diskQueue.isEmpty() && !p.diskStalled) {
            startDisk(p);
        }
    }

    private void complete(SimPeer p, SimPeer.DiskOp op, boolean reportIt) {
        if (op instanceof SimPeer.Append a) {
            long last = a.entries().get(a.entries().size() - 1).zxid();
            for (LogEntry e : a.entries()) {
                if (!p.storage.log.containsKey(e.zxid())) {
                    p.storage.append(e.zxid(), e.txn());
                }
            }
            p.storage.durableUpTo = Math.max(p.storage.durableUpTo, last);
            if (reportIt && !ackBeforeFsync(p)) {
                report(p, new ZabEvent.TxnsPersisted(last));
            }
        } else if (op instanceof SimPeer.Install i) {
            p.storage.installSnapshot(i.zxid(), i.snapshot());
            p.sm = SimServer.restore(this::nowMs, i.zxid(), i.snapshot());
            inv.onStateReset(p, p.sm.lastApplied(), p.sm.digest(), i.snapshot());
            p.appliedSinceSnapshot = 0;
            if (reportIt) {
                report(p, new ZabEvent.SnapshotInstalled(i.zxid()));
            }
        }
    }

    /** Role end: the storage thread finishes everything queued before the peer does anything else. */
    private void drain(SimPeer p) {
        if (p.diskBusy != null) {
            complete(p, p.diskBusy, false);
            p.diskBusy = null;
        }
        while (!p.diskQueue.isEmpty()) {
            SimPeer.DiskOp op = p.diskQueue.pollFirst();
            complete(p, op, false);
        }
        p.diskEpoch++;
    }

    private void report(SimPeer p, ZabEvent e) {
        int generation = p.generation;
        schedule(0, () -> {
            if (p.up && p.generation == generation && p.core != null) {
                deliver(p, e);
            }
        });
    }

    // ------------------------------------------------------------------------------------------------ network

    private void send(SimPeer p, long to, ZabMessage m) {
        List<ZabMessage> out = interceptor == null ? List.of(m) : interceptor.onSend(this, p.id, to, m);
        Conn c = p.leaderCore() != null ? p.learnerConns.get(to)
                : (p.leaderConn != null && p.leaderConn.leader == to ? p.leaderConn : null);
        if (c == null || c.closed || !c.open) {
            return;
        }
        int dir = c.direction(p.id);
        for (ZabMessage msg : out) {
            Conn.InFlight f = new Conn.InFlight(p.id, to, msg);
            if (chaosActive && random.nextDouble() < opts.silentDropProbability) {
                log("chaos: drop " + ZabMessage.describe(msg));
                continue;
            }
            boolean reorder = chaosActive && random.nextDouble() < opts.reorderProbability;
            int copies = chaosActive && random.nextDouble() < opts.duplicateProbability ? 2 : 1;
            for (int i = 0; i < copies; i++) {
                long t = now + between(opts.messageDelayMin, opts.messageDelayMax);
                if (!reorder) {
                    t = Math.max(t, c.lastDelivery[dir] + 1);
                    c.lastDelivery[dir] = t;
                }
                queue.add(new Ev(t, seq++, () -> arrive(c, f)));
            }
        }
    }

    private void arrive(Conn c, Conn.InFlight m) {
        if (c.closed) {
            return;
        }
        int dir = c.direction(m.from());
        if (blocked(m.from(), m.to()) || !c.held.get(dir).isEmpty()) {
            c.held.get(dir).addLast(m);
            return;
        }
        SimPeer to = peers.get(m.to());
        if (!to.up) {
            return;
        }
        boolean current = to.id == c.learner
                ? to.leaderConn == c && to.generation == c.learnerGeneration
                : to.learnerConns.get(c.learner) == c && to.generation == c.leaderGeneration;
        if (!current || to.core == null) {
            return;
        }
        if ((opts.epochBeforeTxns || epochBeforeTxnsPeers.contains(to.id))
                && m.message() instanceof ZabMessage.NewLeader n && to.learnerCore() != null) {
            to.storage.currentEpoch = n.epoch(); // the ZOOKEEPER-4643 bug: epoch before the synced txns
        }
        deliver(to, new ZabEvent.Received(m.from(), m.message()));
    }

    private void close(Conn c, String reason) {
        if (c.closed) {
            return;
        }
        c.closed = true;
        conns.remove(c.id);
        log("close " + c + ": " + reason);
        schedule(between(opts.messageDelayMin, opts.messageDelayMax), () -> {
            SimPeer l = peers.get(c.learner);
            if (l.up && l.generation == c.learnerGeneration && l.leaderConn == c && l.core != null) {
                l.leaderConn = null;
                deliver(l, new ZabEvent.PeerDisconnected(c.leader));
            }
            SimPeer leader = peers.get(c.leader);
            if (leader.up && leader.generation == c.leaderGeneration && leader.learnerConns.get(c.learner) == c
                    && leader.core != null) {
                leader.learnerConns.remove(c.learner);
                deliver(leader, new ZabEvent.PeerDisconnected(c.learner));
            }
        });
    }

    private void closeAll(SimPeer p, String reason) {
        if (p.leaderConn != null) {
            close(p.leaderConn, reason);
            p.leaderConn = null;
        }
        for (Conn c : new ArrayList<>(p.learnerConns.values())) {
            close(c, reason);
        }
        p.learnerConns.clear();
    }

    // ------------------------------------------------------------------------------------------------ clients

    private void clientLoad() {
        if (random.nextDouble() >= opts.proposeProbability) {
            return;
        }
        int ops = 1 + random.nextInt(opts.opsPerTickMax);
        List<SimPeer> up = upPeers();
        for (int i = 0; i < ops && !up.isEmpty(); i++) {
            SimPeer p = up.get(random.nextInt(up.size()));
            int kind = random.nextInt(10);
            LeaderCore lc = p.leaderCore();
            LearnerCore fc = p.learnerCore();
            if (lc != null && lc.established()) {
                if (kind == 0) {
                    clientSync(p);
                } else {
                    proposeRandom(p);
                }
            } else if (fc != null && fc.serving()) {
                if (kind == 0) {
                    clientSync(p);
                } else {
                    txnCounter++;
                    ForwardedRequest fr = new ForwardedRequest(p.id, p.sessions.get(0), (int) txnCounter, 5,
                            new byte[0], new String[0]);
                    deliver(p, new ZabEvent.ForwardRequest(fr));
                }
            }
        }
    }

    /** A random client write, prepared against the leader's view (see {@link TreeModel#random}). */
    private void proposeRandom(SimPeer p) {
        if (!canPropose(p)) {
            return;
        }
        txnCounter++;
        long[] session = new long[1];
        Txn t = p.model.random(random, "p" + p.id + "." + txnCounter, nextSessionId(), session);
        proposeTxn(p, session[0], t);
    }

    private boolean canPropose(SimPeer p) {
        return p.up && p.leaderCore() != null && p.leaderCore().canPropose();
    }

    private long nextSessionId() {
        return 0x0100_0000_0000_0000L | ++sessionIds;
    }

    /** Hands {@code t} to leader {@code p}'s core; the leader's view moves on with it. False if it cannot propose. */
    private boolean proposeTxn(SimPeer p, long sessionId, Txn t) {
        if (!canPropose(p)) {
            return false;
        }
        TxnHeader h = new TxnHeader(sessionId, (int) txnCounter, nowMs());
        try {
            p.model.apply(h, t);
        } catch (RuntimeException e) {
            fail("p" + p.id + " prepares an invalid txn " + t + ": " + e);
        }
        stats.proposals++;
        deliver(p, new ZabEvent.ClientProposal(TreeModel.encode(h, t)));
        return true;
    }

    /** Simulated wall clock in ms: one tick is 2 s (ZooKeeper's sample tickTime). */
    long nowMs() {
        return now * (2000 / TICK);
    }

    private void clientSync(SimPeer p) {
        long need;
        if (p.leaderCore() != null) {
            need = p.leaderCore().lastCommittedZxid();
        } else {
            SimPeer leader = peers.get(p.learnerCore().leader());
            need = leader.leaderCore() != null ? leader.leaderCore().lastCommittedZxid() : 0;
        }
        long id = ++syncIds;
        syncs.put(id, new SyncNeed(p.id, need));
        deliver(p, new ZabEvent.ClientSync(id));
    }

    /** Followers' clients stay active; a follower reports their sessions every tick. */
    private void touchSessions() {
        for (SimPeer p : peers.values()) {
            LearnerCore fc = p.learnerCore();
            if (p.up && fc != null && fc.serving()) {
                for (Long s : p.sessions) {
                    deliver(p, new ZabEvent.SessionTouched(s));
                    if (p.learnerCore() == null) {
                        break;
                    }
                }
            }
        }
    }

    // ================================================================================================ scripting

    /** Submits {@code n} client writes to the established leader (now, one after another). */
    public int propose(int n) {
        SimPeer l = establishedLeader();
        if (l == null) {
            fail("no established leader to propose to");
        }
        int done = 0;
        for (int i = 0; i < n; i++) {
            if (canPropose(l)) {
                proposeRandom(l);
                done++;
            }
        }
        return done;
    }

    /** Submits one client write on peer {@code id}, which must lead: {@code key=value} creates or sets {@code /key}. */
    public void proposeOn(long id, String keyValue) {
        SimPeer p = peers.get(id);
        if (canPropose(p)) {
            txnCounter++;
            proposeTxn(p, 0, p.model.keyValue(keyValue));
        }
    }

    /** Submits {@code t} with {@code sessionId} in its header on peer {@code id}; false if it cannot propose now. */
    public boolean proposeOn(long id, long sessionId, Txn t) {
        txnCounter++;
        return proposeTxn(peers.get(id), sessionId, t);
    }

    /** Opens a session through leader {@code id} (a createSession txn); returns its id, or 0 if it cannot propose. */
    public long openSession(long id) {
        long sid = nextSessionId();
        return proposeOn(id, sid, new Txn.CreateSession(6000, new byte[16])) ? sid : 0;
    }

    /** The leader's view (its tree once everything it logged is applied), for scripting txns; null unless it leads. */
    TreeModel leaderView(long id) {
        return peers.get(id).model;
    }

    public SimPeer establishedLeader() {
        SimPeer found = null;
        for (SimPeer p : peers.values()) {
            if (p.up && p.leaderCore() != null && p.leaderCore().established()) {
                if (found == null || p.leaderCore().epoch() > found.leaderCore().epoch()) {
                    found = p;
                }
            }
        }
        return found;
    }

    /** Runs until a leader is established whose whole reachable ensemble is up to date; returns its id. */
    public long awaitStable(int maxTicks) {
        if (!runUntil(this::stable, maxTicks)) {
            fail("no stable leader within " + maxTicks + " ticks");
        }
        return establishedLeader().id;
    }

    /** One established leader; every up peer that can reach it serves under it, caught up, disks idle. */
    public boolean stable() {
        SimPeer l = establishedLeader();
        if (l == null || l.leaderCore().outstandingProposals() > 0) {
            return false;
        }
        for (SimPeer p : peers.values()) {
            if (!p.up || p == l || !reachable(p.id, l.id)) {
                continue;
            }
            LearnerCore fc = p.learnerCore();
            if (fc == null || !fc.serving() || fc.leader() != l.id || p.sm.lastApplied() != l.sm.lastApplied()) {
                return false;
            }
            if (p.diskBusy != null || !p.diskQueue.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private boolean converged() {
        SimPeer l = establishedLeader();
        if (l == null) {
            return false;
        }
        for (SimPeer p : peers.values()) {
            if (!p.up) {
                return false;
            }
            if (p != l && p.leaderCore() != null) {
                return false;
            }
        }
        return stable() && l.sm.lastApplied() == l.leaderCore().lastCommittedZxid()
                && l.diskBusy == null && l.diskQueue.isEmpty();
    }

    private void finalChecks() {
        SimPeer l = establishedLeader();
        long committed = inv.maxCommitted();
        if (l.sm.lastApplied() < committed) {
            fail("after convergence the leader applied " + Invariants.z(l.sm.lastApplied()) + " but "
                    + Invariants.z(committed) + " was committed: committed txns lost");
        }
        SimServer.View leaderView = l.sm.view();
        inv.checkSessions(l, l.sm.lastApplied(), leaderView, "after convergence");
        // The leader's prepare view and the real tree must agree: a txn the tree refused would show here.
        if (l.model != null && !TreeModel.of(leaderView).sameShape(l.model)) {
            fail("after convergence leader p" + l.id + "'s tree differs from what it prepared against: "
                    + leaderView.shape());
        }
        for (SimPeer p : peers.values()) {
            if (p.sm.applyErrors() != 0) {
                fail("after convergence p" + p.id + " counts " + p.sm.applyErrors() + " apply errors");
            }
            SimServer.View v = p == l ? leaderView : p.sm.view();
            if (p.sm.lastApplied() != l.sm.lastApplied() || p.sm.digest() != l.sm.digest()
                    || !v.shape().equals(leaderView.shape())) {
                fail("after convergence p" + p.id + " differs from leader p" + l.id + ": applied "
                        + Invariants.z(p.sm.lastApplied()) + " vs " + Invariants.z(l.sm.lastApplied()) + ", tree "
                        + v.shape() + " vs " + leaderView.shape());
            }
        }
        // Quiet ensemble, every follower serving: its clients' touches must keep reaching the leader every tick or
        // two, well inside any session timeout (ClickHouse #121361).
        runTicks(opts.sessionTimeoutTicks);
        for (SimPeer p : peers.values()) {
            if (p.learnerCore() != null) {
                for (Long s : p.sessions) {
                    long last = sessionTouchedTick.getOrDefault(s, -1L);
                    if (tick - last > 2) {
                        fail("session " + s + " of follower p" + p.id + " last touched on the leader at tick " + last
                                + ", now " + tick + ": the leader would expire a live session");
                    }
                }
            }
        }
    }

    // ================================================================================================ views

    public Collection<SimPeer> peers() {
        return peers.values();
    }

    public SimPeer peer(long id) {
        return peers.get(id);
    }

    private List<SimPeer> upPeers() {
        List<SimPeer> up = new ArrayList<>();
        for (SimPeer p : peers.values()) {
            if (p.up) {
                up.add(p);
            }
        }
        return up;
    }

    public int quorumSize() {
        return voterIds.size() / 2 + 1;
    }

    public Random random() {
        return random;
    }

    public SimOptions options() {
        return opts;
    }

    public Stats stats() {
        return stats;
    }

    public long seed() {
        return seed;
    }

    public long tick() {
        return tick;
    }

    /** The committed chain so far (zxid to txn), as the invariants know it. */
    public TreeMap<Long, byte[]> committed() {
        return new TreeMap<>(inv.committed);
    }

    public long maxCommitted() {
        return inv.maxCommitted();
    }

    public String txnText(long zxid) {
        byte[] t = inv.txnOf.get(zxid);
        return t == null ? null : TreeModel.label(t);
    }

    /** The zxids in this peer's log (buffered or synced). */
    public List<Long> logOf(long id) {
        return new ArrayList<>(peers.get(id).storage.log.keySet());
    }

    Long preferredLeader() {
        return preferredLeader;
    }

    public void preferLeader(Long id) {
        preferredLeader = id;
    }

    public void pauseElections(boolean paused) {
        electionsPaused = paused;
    }

    /** Positive control: from now on this peer's simulated driver reports appends durable before they are synced. */
    public void injectAckBeforeFsync(long id) {
        ackBeforeFsyncPeers.add(id);
    }

    /** Positive control: from now on this peer writes currentEpoch as soon as NEWLEADER arrives (ZOOKEEPER-4643). */
    public void injectEpochBeforeTxns(long id) {
        epochBeforeTxnsPeers.add(id);
    }

    /**
     * Positive control: from now on this peer applies every closeSession as a no-op, as ZOOKEEPER-2355's follower
     * that lost the packet and kept going never deleted the session's ephemerals.
     */
    public void injectLostCloseSession(long id) {
        lostCloseSessionPeers.add(id);
    }

    private boolean ackBeforeFsync(SimPeer p) {
        return opts.ackBeforeFsync || ackBeforeFsyncPeers.contains(p.id);
    }

    public void setElection(ElectionSeam seam) {
        election = seam;
    }

    public void setInterceptor(Interceptor i) {
        interceptor = i;
    }

    public void setActionHook(ActionHook hook) {
        actionHook = hook;
    }

    // ================================================================================================ support

    private int between(int min, int max) {
        return max <= min ? min : min + random.nextInt(max - min + 1);
    }

    void log(String line) {
        add(new TraceLine(tick, now % TICK, 0, null, null, line));
    }

    private void record(long peer, String arrow, Object item) {
        add(new TraceLine(tick, now % TICK, peer, arrow, item, null));
    }

    private void add(TraceLine l) {
        if (traceAll) {
            System.out.println(l.format());
        }
        trace.addLast(l);
        if (trace.size() > TRACE_LINES) {
            trace.removeFirst();
        }
    }

    void fail(String what) {
        StringBuilder sb = new StringBuilder();
        sb.append("seed ").append(seed).append(" tick ").append(tick).append(": ").append(what).append('\n');
        sb.append("options: ").append(opts).append('\n');
        for (SimPeer p : peers.values()) {
            sb.append("  ").append(p.describe()).append('\n');
        }
        sb.append("committed up to ").append(Invariants.z(inv.maxCommitted())).append("; ").append(stats).append('\n');
        sb.append("last ").append(trace.size()).append(" trace lines:\n");
        for (TraceLine t : trace) {
            sb.append("  ").append(t.format()).append('\n');
        }
        sb.append("replay: mvn -o -q -f sim/pom.xml test -Dtest=SimulationSweepTest -Dsim.seed=").append(seed)
                .append(" [-Dsim.trace=all]\n");
        throw new SimulationFailure(seed, sb.toString());
    }

    private static String describe(ZabEvent e) {
        if (e instanceof ZabEvent.Received r) {
            return "from p" + r.from() + " " + ZabMessage.describe(r.message());
        }
        if (e instanceof ZabEvent.TxnsPersisted p) {
            return "TxnsPersisted(" + Invariants.z(p.upToZxid()) + ")";
        }
        if (e instanceof ZabEvent.ClientProposal c) {
            return "ClientProposal(" + TreeModel.label(c.txn()) + ")";
        }
        return e.toString();
    }

    private static String describe(ZabAction a) {
        if (a instanceof ZabAction.Send s) {
            return "Send(p" + s.to() + ", " + ZabMessage.describe(s.message()) + ")";
        }
        if (a instanceof ZabAction.PersistTxns t) {
            return "PersistTxns(.." + Invariants.z(t.lastZxid()) + ", " + t.entries().size() + ")";
        }
        if (a instanceof ZabAction.ApplyCommitted c) {
            return "ApplyCommitted(" + Invariants.z(c.upToZxid()) + ")";
        }
        if (a instanceof ZabAction.TruncateLog t) {
            return "TruncateLog(" + Invariants.z(t.afterZxid()) + ")";
        }
        if (a instanceof ZabAction.SendSnapshot s) {
            return "SendSnapshot(p" + s.to() + ", " + Invariants.z(s.zxid()) + ")";
        }
        if (a instanceof ZabAction.InstallSnapshot s) {
            return "InstallSnapshot(" + Invariants.z(s.zxid()) + ")";
        }
        return a.toString();
    }

    static long epochOf(long zxid) {
        return Zxid.epoch(zxid);
    }
}
