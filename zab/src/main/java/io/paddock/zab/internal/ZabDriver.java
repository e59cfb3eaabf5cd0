package io.paddock.zab.internal;

import io.paddock.api.Zxid;
import io.paddock.api.election.ElectionAction;
import io.paddock.api.election.ElectionService;
import io.paddock.api.election.PeerState;
import io.paddock.api.replication.ForwardedRequest;
import io.paddock.api.replication.NotLeaderException;
import io.paddock.api.replication.Replicator;
import io.paddock.api.replication.Role;
import io.paddock.api.replication.StateMachine;
import io.paddock.api.storage.SnapshotStore;
import io.paddock.api.storage.Storage;
import io.paddock.api.storage.TxnCursor;
import io.paddock.api.time.Ticker;
import io.paddock.api.transport.ClientListener;
import io.paddock.api.transport.PeerLink;
import io.paddock.api.transport.PeerLinkHandler;
import io.paddock.api.transport.Transport;
import io.paddock.zab.ZabConfig;
import io.paddock.zab.ZabPeerSettings;
import io.paddock.zab.core.DurableState;
import io.paddock.zab.core.LeaderCore;
import io.paddock.zab.core.LearnerCore;
import io.paddock.zab.core.LogEntry;
import io.paddock.zab.core.ZabAction;
import io.paddock.zab.core.ZabCore;
import io.paddock.zab.core.ZabEvent;
import io.paddock.zab.core.ZabMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The imperative shell around the ZAB cores: one quorum peer. It looks for a leader through an
 * {@link ElectionService}, builds a {@link LeaderCore} or {@link LearnerCore} for the term, feeds it events on one
 * driver thread and executes its actions in list order (zab/README.md, "What the driver must do").
 *
 * <p>Threads (all named {@code paddock-zab-<what>-<sid>}):
 * <ul>
 *   <li>{@code driver}: owns the core, the link tables and every core event; ticks it every {@code tickMs}. Transport,
 *       storage, apply and election callbacks only post tasks to it. Epoch writes run here, durable on return.</li>
 *   <li>{@code storage}: the single writer of the log. Appends queued back to back are written and synced once
 *       (group commit), then one {@code TxnsPersisted} goes back; snapshot installs and truncations run in queue
 *       order.</li>
 *   <li>{@code apply}: {@code StateMachine.apply} in zxid order, {@code syncCompleted}, {@code roleChanged},
 *       {@code prepareForwarded}, {@code sessionsTouched} and snapshot writes for SNAP, in the order the core asked.</li>
 *   <li>{@code dial}: blocking dials to the leader, so a dead leader never delays ticks.</li>
 * </ul>
 *
 * <p>Role cycle: LOOKING (storage and apply queues drained, durable state read) → election decides → core built →
 * core returns StepDown (or a storage/apply failure) → links closed → LOOKING. A storage failure ends the role and
 * the peer stays LOOKING for good: it must not serve on a poisoned log.
 *
 * <p>Departures from ZooKeeper: the quorum link format is Paddock's own ({@link ZabCodec}); a learner's first frame
 * is a hello with its sid, checked against the config and the configured address of that sid before anything reaches
 * the core.
 */
public final class ZabDriver implements Replicator, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ZabDriver.class);
    static final String ACCEPTED_EPOCH = "acceptedEpoch";
    static final String CURRENT_EPOCH = "currentEpoch";
    /** Network messages waiting for the driver thread; above it the link that sent one more is dropped. */
    private static final int NETWORK_BACKLOG_MAX = 65_536;
    /** Accepted links that have not said hello yet; above it new links are refused. */
    private static final int UNAUTHENTICATED_MAX = 64;
    /** Proposals waiting for {@code canPropose()}; the prepare thread is single, so one is the norm. */
    private static final int WAITING_PROPOSALS_MAX = 1_024;
    /** Client syncs waiting for the peer to serve; above it a sync is dropped (logged). */
    private static final int PARKED_SYNCS_MAX = 10_000;
    /** Messages held behind a SNAP being written; above it the learner is disconnected. */
    private static final int HELD_MESSAGES_MAX = 100_000;

    private final ZabConfig config;
    private final ZabPeerSettings settings;
    private final StateMachine sm;
    private final Storage storage;
    private final Transport transport;
    private final ElectionService election;
    private final Ticker ticker;
    private final long self;
    private final ClientListener listener;

    private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final AtomicInteger networkBacklog = new AtomicInteger();
    private final LinkedBlockingQueue<StorageOp> storageQueue = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<Runnable> applyQueue = new LinkedBlockingQueue<>();
    private final ExecutorService dialer;
    private final Thread driverThread;
    private final Thread storageThread;
    private final Thread applyThread;

    /** Log entries not applied yet (appended, queued or read at the start of the term), for the apply thread. */
    private final ConcurrentSkipListMap<Long, byte[]> unapplied = new ConcurrentSkipListMap<>();
    /** What this peer passed to propose, by zxid, until applied. */
    private final ConcurrentHashMap<Long, Object> contexts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Object> syncContexts = new ConcurrentHashMap<>();
    private final AtomicLong syncIds = new AtomicLong();
    private final ConcurrentHashMap<PeerLink, Long> unauthenticated = new ConcurrentHashMap<>();
    private final AtomicLong droppedLinks = new AtomicLong();

    // Driver-thread state.
    private ZabCore core;
    private int generation;
    private final Map<Long, PeerLink> learnerLinks = new HashMap<>();
    private PeerLink leaderLink;
    private boolean dialing;
    private final Map<Long, Held> held = new HashMap<>();
    /** Learners that said hello while this peer had no core yet, with what they sent since; handed to a leader core. */
    private final Map<Long, Parked> parked = new HashMap<>();
    private final ArrayDeque<PendingProposal> waitingProposals = new ArrayDeque<>();
    private final ArrayDeque<Long> parkedSyncs = new ArrayDeque<>();
    private boolean lookPending;
    private CompletableFuture<ElectionAction.Decided> look;
    private volatile long tick;

    private volatile Role role = Role.LOOKING;
    private volatile long lastProposed;
    private volatile boolean closing;
    private volatile boolean closed;
    private volatile boolean failed;
    private volatile long terms;

    private record PendingProposal(byte[] txn, Object context, CompletableFuture<Long> result) {}

    /** Messages to one learner waiting behind its SNAP. */
    private static final class Held {
        final ArrayDeque<ZabMessage> messages = new ArrayDeque<>();
    }

    /** A learner link waiting for this peer's election to end. */
    private record Parked(PeerLink link, ArrayDeque<ZabMessage> messages) {}

    /** Messages one parked link may send before this peer leads; a learner sends one (LearnerInfo) and waits. */
    private static final int PARKED_MESSAGES_MAX = 16;

    private sealed interface StorageOp permits Append, Install, Task {}

    private record Append(int generation, List<LogEntry> entries) implements StorageOp {}

    private record Install(int generation, long zxid, byte[] snapshot) implements StorageOp {}

    private record Task(IoRunnable body, CompletableFuture<Void> done) implements StorageOp {}

    @FunctionalInterface
    private interface IoRunnable {
        void run() throws Exception;
    }

    private ZabDriver(ZabConfig config, ZabPeerSettings settings, StateMachine sm, Storage storage,
            Transport transport, ElectionService election, Ticker ticker) throws IOException {
        this.config = config;
        this.settings = settings;
        this.sm = sm;
        this.storage = storage;
        this.transport = transport;
        this.election = election;
        this.ticker = ticker;
        this.self = config.self();
        recover();
        this.listener = transport.listenForPeers(settings.listenAddress(), this::accepted);
        this.dialer = Executors.newSingleThreadExecutor(r -> thread(r, "dial"));
        this.driverThread = thread(this::driverLoop, "driver");
        this.storageThread = thread(this::storageLoop, "storage");
        this.applyThread = thread(this::applyLoop, "apply");
    }

    /** Recovers the state machine from the newest snapshot and binds the quorum port; threads start in {@link #start}. */
    public static ZabDriver open(ZabConfig config, ZabPeerSettings settings, StateMachine sm, Storage storage,
            Transport transport, ElectionService election, Ticker ticker) throws IOException {
        return new ZabDriver(config, settings, sm, storage, transport, election, ticker);
    }

    public void start() {
        storageThread.start();
        applyThread.start();
        driverThread.start();
        post(this::startLook);
    }

    public InetSocketAddress quorumAddress() {
        return listener.localAddress();
    }

    /** Role terms begun so far (cores built), for tests and status. */
    public long terms() {
        return terms;
    }

    public long droppedLinks() {
        return droppedLinks.get();
    }

    private Thread thread(Runnable r, String what) {
        Thread t = new Thread(r, "paddock-zab-" + what + "-" + config.self());
        t.setDaemon(true);
        return t;
    }

    private void recover() throws IOException {
        Optional<SnapshotStore.SnapshotReader> latest = storage.snapshots().openLatest();
        if (latest.isPresent()) {
            try (SnapshotStore.SnapshotReader r = latest.get()) {
                if (r.zxid() > sm.lastAppliedZxid()) {
                    sm.restoreSnapshot(r.stream(), r.zxid());
                }
            }
        }
    }

    // ------------------------------------------------------------------ Replicator

    @Override
    public Role role() {
        return role;
    }

    @Override
    public long propose(ByteBuffer txn, Object context) throws NotLeaderException {
        if (role != Role.LEADER) {
            throw new NotLeaderException("server " + self + " is " + role.displayName() + ", not the leader");
        }
        byte[] bytes = new byte[txn.remaining()];
        txn.get(bytes);
        CompletableFuture<Long> result = new CompletableFuture<>();
        post(() -> onPropose(new PendingProposal(bytes, context, result)));
        try {
            while (true) {
                try {
                    return result.get(100, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    if (closed) { // the driver thread is gone and will never answer
                        throw new NotLeaderException("server " + self + " closed");
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotLeaderException("interrupted while proposing");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof NotLeaderException n) {
                throw n;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void forward(ForwardedRequest request) throws NotLeaderException {
        Role r = role;
        if (r != Role.FOLLOWER && r != Role.OBSERVER) {
            throw new NotLeaderException("server " + self + " is " + r.displayName() + ", not a serving learner");
        }
        post(() -> {
            if (core instanceof LearnerCore l && l.serving()) {
                step(new ZabEvent.ForwardRequest(request));
            } else {
                LOG.warn("zab {}: drops a forwarded request of session {}: no longer serving", self,
                        Long.toHexString(request.sessionId()));
            }
        });
    }

    @Override
    public void sync(Object context) {
        long id = syncIds.incrementAndGet();
        syncContexts.put(id, context);
        post(() -> {
            if (serving()) {
                step(new ZabEvent.ClientSync(id));
            } else if (parkedSyncs.size() < PARKED_SYNCS_MAX) {
                parkedSyncs.add(id);
            } else {
                syncContexts.remove(id);
                LOG.warn("zab {}: drops a sync: {} already wait for this peer to serve", self, PARKED_SYNCS_MAX);
            }
        });
    }

    @Override
    public void touchSession(long sessionId, int timeoutMs) {
        post(() -> {
            if (core instanceof LearnerCore l && l.serving()) {
                step(new ZabEvent.SessionTouched(sessionId));
            }
        });
    }

    @Override
    public long lastProposedZxid() {
        return lastProposed;
    }

    @Override
    public synchronized void close() {
        if (closing) {
            return;
        }
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        closing = true;
        tasks.add(() -> {
            closed = true;
            if (look != null) {
                look.cancel(false);
            }
            closeLinks();
            for (PendingProposal p : waitingProposals) {
                p.result().completeExceptionally(new NotLeaderException("server " + self + " closed"));
            }
            waitingProposals.clear();
            stopped.complete(null);
        });
        try {
            if (driverThread.isAlive()) {
                stopped.get(5, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            LOG.warn("zab {}: driver did not stop in time", self);
        }
        closed = true;
        listener.close();
        for (PeerLink l : unauthenticated.keySet()) {
            l.close();
        }
        dialer.shutdownNow();
        driverThread.interrupt();
        join(driverThread);
        // Not interrupted: an interrupt during fsync closes the log's channel (ClosedByInterruptException).
        storageQueue.add(new Task(() -> { }, new CompletableFuture<>()));
        join(storageThread);
        if (storageThread.isAlive()) {
            storageThread.interrupt();
            join(storageThread);
        }
        applyQueue.add(() -> { }); // wakes it to see closed; finishes the apply in progress first
        joinFor(applyThread, 1_000);
        if (applyThread.isAlive()) {
            applyThread.interrupt(); // waits in propose (prepareForwarded) for a driver that is gone, or is stuck
            join(applyThread);
        }
        role = Role.LOOKING;
    }

    private static void join(Thread t) {
        joinFor(t, 5_000);
    }

    private static void joinFor(Thread t, long ms) {
        try {
            t.join(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ driver thread

    private void post(Runnable task) {
        tasks.add(task);
    }

    private void driverLoop() {
        long tickNs = TimeUnit.MILLISECONDS.toNanos(settings.tickMs());
        long nextTick = ticker.nanoTime() + tickNs;
        while (!closed) {
            try {
                long now = ticker.nanoTime();
                if (now - nextTick >= 0) {
                    nextTick = now - nextTick > tickNs ? now + tickNs : nextTick + tickNs;
                    if (!closed) {
                        onTick();
                    }
                    continue;
                }
                Runnable task = tasks.poll(nextTick - now, TimeUnit.NANOSECONDS);
                if (task != null) {
                    task.run();
                }
            } catch (InterruptedException e) {
                if (closed) {
                    return;
                }
            } catch (RuntimeException | Error e) {
                LOG.error("zab {}: driver step failed; ending the role", self, e);
                if (core != null) {
                    endTerm("driver failure: " + e);
                }
            }
        }
    }

    private void onTick() {
        tick++;
        for (Map.Entry<PeerLink, Long> e : unauthenticated.entrySet()) {
            if (tick - e.getValue() > config.initLimitTicks()) {
                unauthenticated.remove(e.getKey());
                drop(e.getKey(), "no hello within " + config.initLimitTicks() + " ticks");
            }
        }
        if (core != null) {
            if (core instanceof LearnerCore l && leaderLink == null && !dialing) {
                dial(l.leader());
            }
            step(new ZabEvent.Tick());
        } else if (lookPending) {
            startLook();
        }
    }

    /** Feeds one event to the current core and runs its actions. */
    private void step(ZabEvent event) {
        if (core == null) {
            return;
        }
        ZabCore c = core;
        List<ZabAction> actions = c.handle(event);
        execute(actions);
        afterStep();
    }

    private void afterStep() {
        if (core instanceof LeaderCore leader) {
            lastProposed = leader.lastProposedZxid();
            while (!waitingProposals.isEmpty() && leader.established() && leader.canPropose() && core == leader) {
                submit(leader, waitingProposals.poll());
            }
        }
        while (!parkedSyncs.isEmpty() && serving()) {
            ZabCore c = core;
            execute(c.handle(new ZabEvent.ClientSync(parkedSyncs.poll())));
        }
    }

    private boolean serving() {
        return core instanceof LeaderCore l && l.established() && !l.stopped()
                || core instanceof LearnerCore l2 && l2.serving();
    }

    private void onPropose(PendingProposal p) {
        if (!(core instanceof LeaderCore leader) || !leader.established() || leader.stopped()) {
            p.result().completeExceptionally(new NotLeaderException("server " + self + " is not an established leader"));
        } else if (leader.canPropose() && waitingProposals.isEmpty()) {
            submit(leader, p);
        } else if (waitingProposals.size() < WAITING_PROPOSALS_MAX) {
            waitingProposals.add(p); // back-pressure: the caller blocks until the core takes more
        } else {
            p.result().completeExceptionally(new NotLeaderException("replication queue full"));
        }
    }

    private void submit(LeaderCore leader, PendingProposal p) {
        List<ZabAction> actions = leader.handle(new ZabEvent.ClientProposal(p.txn()));
        long zxid = leader.lastProposedZxid();
        if (p.context() != null) {
            contexts.put(zxid, p.context());
        }
        lastProposed = zxid;
        p.result().complete(zxid);
        execute(actions);
    }

    private void execute(List<ZabAction> actions) {
        int gen = generation;
        for (ZabAction a : actions) {
            if (gen != generation) {
                return; // an earlier action ended the term
            }
            try {
                executeOne(a);
            } catch (IOException e) {
                fail("storage failed executing " + a.getClass().getSimpleName(), e);
                return;
            }
        }
    }

    private void executeOne(ZabAction a) throws IOException {
        int gen = generation;
        if (a instanceof ZabAction.Send s) {
            send(s.to(), s.message());
        } else if (a instanceof ZabAction.SendSnapshot s) {
            Held h = new Held();
            held.put(s.to(), h);
            applyQueue.add(() -> writeSnapshotFor(gen, s.to(), s.zxid(), h));
        } else if (a instanceof ZabAction.PersistTxns p) {
            for (LogEntry e : p.entries()) {
                unapplied.put(e.zxid(), e.txn());
            }
            storageQueue.add(new Append(gen, p.entries()));
        } else if (a instanceof ZabAction.TruncateLog t) {
            unapplied.tailMap(t.afterZxid(), false).clear();
            onStorage(() -> storage.log().truncateAfter(t.afterZxid()));
        } else if (a instanceof ZabAction.InstallSnapshot i) {
            unapplied.clear();
            storageQueue.add(new Install(gen, i.zxid(), i.snapshot()));
        } else if (a instanceof ZabAction.WriteAcceptedEpoch w) {
            storage.values().put(ACCEPTED_EPOCH, w.epoch());
        } else if (a instanceof ZabAction.WriteCurrentEpoch w) {
            storage.values().put(CURRENT_EPOCH, w.epoch());
        } else if (a instanceof ZabAction.ApplyCommitted c) {
            applyQueue.add(() -> applyUpTo(c.upToZxid()));
        } else if (a instanceof ZabAction.CompleteSync c) {
            applyQueue.add(() -> sm.syncCompleted(syncContexts.remove(c.requestId())));
        } else if (a instanceof ZabAction.PrepareForwarded p) {
            applyQueue.add(() -> sm.prepareForwarded(p.request()));
        } else if (a instanceof ZabAction.SessionsTouched s) {
            applyQueue.add(() -> sm.sessionsTouched(s.sessionIds()));
        } else if (a instanceof ZabAction.RoleChanged r) {
            role = r.role();
            LOG.info("zab {}: now {} in epoch {}", self, r.role().displayName(), core.epoch());
            applyQueue.add(() -> sm.roleChanged(r.role()));
        } else if (a instanceof ZabAction.Disconnect d) {
            PeerLink l = learnerLinks.remove(d.peer());
            held.remove(d.peer());
            if (l != null) {
                LOG.info("zab {}: disconnects learner {}: {}", self, d.peer(), d.reason());
                l.close();
            }
        } else if (a instanceof ZabAction.StepDown s) {
            endTerm(s.reason());
        }
    }

    /** Runs {@code body} on the storage thread after everything queued before it; durable when this returns. */
    private void onStorage(IoRunnable body) throws IOException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        storageQueue.add(new Task(body, done));
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for storage", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    private void send(long to, ZabMessage message) {
        Held h = held.get(to);
        if (h != null) {
            if (h.messages.size() >= HELD_MESSAGES_MAX) {
                held.remove(to);
                PeerLink l = learnerLinks.remove(to);
                if (l != null) {
                    drop(l, "more than " + HELD_MESSAGES_MAX + " messages behind its SNAP");
                }
                int gen = generation;
                post(() -> {
                    if (gen == generation && !learnerLinks.containsKey(to)) {
                        step(new ZabEvent.PeerDisconnected(to));
                    }
                });
                return;
            }
            h.messages.add(message);
            return;
        }
        PeerLink link = core instanceof LearnerCore l ? (l.leader() == to ? leaderLink : null) : learnerLinks.get(to);
        if (link != null) {
            link.send(ZabCodec.encode(message));
        }
    }

    private void snapshotReady(int gen, long to, long zxid, byte[] bytes, Held h) {
        if (gen != generation || held.get(to) != h) {
            return; // the term ended or the learner reconnected: this SNAP is for nobody
        }
        held.remove(to);
        send(to, new ZabMessage.Snap(zxid, bytes));
        for (ZabMessage m : h.messages) {
            send(to, m);
        }
    }

    private void endTerm(String reason) {
        LOG.info("zab {}: leaves {} role in epoch {}: {}", self, role.displayName(), core == null ? 0 : core.epoch(),
                reason);
        core = null;
        generation++;
        closeLinks();
        role = Role.LOOKING;
        lastProposed = 0;
        applyQueue.add(() -> sm.roleChanged(Role.LOOKING));
        for (PendingProposal p : waitingProposals) {
            p.result().completeExceptionally(new NotLeaderException("server " + self + " stepped down: " + reason));
        }
        waitingProposals.clear();
        startLook();
    }

    private void closeParked() {
        for (Parked p : parked.values()) {
            p.link().close();
        }
        parked.clear();
    }

    private void closeLinks() {
        closeParked();
        for (PeerLink l : learnerLinks.values()) {
            l.close();
        }
        learnerLinks.clear();
        held.clear();
        if (leaderLink != null) {
            leaderLink.close();
            leaderLink = null;
        }
        dialing = false;
    }

    private void fail(String what, Throwable e) {
        LOG.error("zab {}: {}; this peer stops serving until restarted", self, what, e);
        failed = true;
        if (core != null) {
            endTerm(what);
        }
    }

    // ------------------------------------------------------------------ looking

    /** Drains storage and apply work of the last term (ZOOKEEPER-4712), then asks the election. */
    private void startLook() {
        lookPending = false;
        if (closed || failed) {
            return;
        }
        int gen = generation;
        CompletableFuture<Void> storageDrained = new CompletableFuture<>();
        storageQueue.add(new Task(() -> { }, storageDrained));
        CompletableFuture<Void> applyDrained = new CompletableFuture<>();
        storageDrained.whenComplete((v, err) -> applyQueue.add(() -> applyDrained.complete(null)));
        applyDrained.whenComplete((v, err) -> post(() -> lookNow(gen)));
    }

    private void lookNow(int gen) {
        if (gen != generation || closed || failed || core != null) {
            return;
        }
        contexts.clear(); // work of a role that ended: the server dropped it on roleChanged(LOOKING)
        long lastLogged;
        long currentEpoch;
        try {
            lastLogged = lastLogged();
            currentEpoch = storage.values().get(CURRENT_EPOCH).orElse(0);
        } catch (IOException e) {
            fail("cannot read durable state", e);
            return;
        }
        // The election refuses a log epoch above the current epoch; the cores take the max too (ZOOKEEPER-582).
        look = election.lookForLeader(lastLogged, Math.max(currentEpoch, Zxid.epoch(lastLogged)));
        CompletableFuture<ElectionAction.Decided> mine = look;
        mine.whenComplete((d, err) -> post(() -> decided(gen, mine, d, err)));
    }

    private long lastLogged() throws IOException {
        List<Long> snaps = storage.snapshots().list();
        return Math.max(storage.log().lastZxid(), snaps.isEmpty() ? 0 : snaps.get(0));
    }

    private void decided(int gen, CompletableFuture<ElectionAction.Decided> which, ElectionAction.Decided d,
            Throwable err) {
        if (gen != generation || which != look || closed || failed || core != null) {
            return;
        }
        look = null;
        if (err != null) {
            LOG.info("zab {}: election failed ({}); looking again next tick", self, err.toString());
            lookPending = true;
            return;
        }
        try {
            buildCore(d);
        } catch (IOException e) {
            fail("cannot read the log to start a role", e);
        } catch (IllegalArgumentException | IllegalStateException e) {
            LOG.warn("zab {}: cannot start the role {}: {}; looking again", self, d.state(), e.getMessage());
            lookPending = true;
        }
    }

    private void buildCore(ElectionAction.Decided d) throws IOException {
        long applied = sm.lastAppliedZxid();
        long lastLogged = lastLogged();
        DurableState state = new DurableState(storage.values().get(ACCEPTED_EPOCH).orElse(0),
                storage.values().get(CURRENT_EPOCH).orElse(0), lastLogged, applied);
        List<LogEntry> after = new ArrayList<>();
        unapplied.clear();
        try (TxnCursor c = storage.log().readAfter(applied)) {
            while (c.next()) {
                ByteBuffer b = c.txn();
                byte[] txn = new byte[b.remaining()];
                b.get(txn);
                after.add(new LogEntry(c.zxid(), txn));
                unapplied.put(c.zxid(), txn);
            }
        }
        long leader = d.vote().leader().value();
        generation++;
        terms++;
        if (d.state() == PeerState.LEADING) {
            core = new LeaderCore(config, state, applied, after);
            LOG.info("zab {}: leading (log {} .. {})", self, Long.toHexString(applied), Long.toHexString(lastLogged));
            List<Map.Entry<Long, Parked>> waiting = new ArrayList<>(parked.entrySet());
            parked.clear();
            for (Map.Entry<Long, Parked> e : waiting) {
                learnerLinkUp(e.getValue().link(), e.getKey());
                for (ZabMessage m : e.getValue().messages()) {
                    if (learnerLinks.get(e.getKey()) == e.getValue().link()) {
                        step(new ZabEvent.Received(e.getKey(), m));
                    }
                }
            }
        } else {
            closeParked();
            core = new LearnerCore(config, leader, state);
            LOG.info("zab {}: {} leader {}", self, d.state() == PeerState.OBSERVING ? "observing" : "following",
                    leader);
            dial(leader);
        }
    }

    // ------------------------------------------------------------------ links

    private void dial(long leader) {
        dialing = true;
        int gen = generation;
        dialer.execute(() -> {
            InetSocketAddress address = settings.quorumAddresses().apply(leader);
            if (address == null) {
                post(() -> dialFailed(gen, "no quorum address for " + leader));
                return;
            }
            try {
                PeerLink link = transport.connectToPeer(address, settings.connectTimeoutMs(),
                        new LeaderLinkHandler(gen, leader));
                link.send(ZabCodec.hello(self));
                post(() -> dialed(gen, leader, link));
            } catch (IOException | RuntimeException e) {
                post(() -> dialFailed(gen, e.toString()));
            }
        });
    }

    private void dialed(int gen, long leader, PeerLink link) {
        if (gen != generation || !(core instanceof LearnerCore)) {
            link.close();
            return;
        }
        dialing = false;
        leaderLink = link;
        step(new ZabEvent.PeerConnected(leader));
    }

    private void dialFailed(int gen, String why) {
        if (gen == generation) {
            dialing = false; // the next tick dials again, until the core gives up (initLimit)
            LOG.debug("zab {}: dial to leader failed: {}", self, why);
        }
    }

    private void received(PeerLink link, long from, ZabMessage m) {
        networkBacklog.decrementAndGet();
        if (core == null) {
            Parked p = parked.get(from);
            if (p != null && p.link() == link) {
                if (p.messages().size() < PARKED_MESSAGES_MAX) {
                    p.messages().add(m);
                } else {
                    parked.remove(from);
                    drop(link, "more than " + PARKED_MESSAGES_MAX + " messages before this peer leads");
                }
            }
            return;
        }
        boolean current = core instanceof LearnerCore ? link == leaderLink : learnerLinks.get(from) == link;
        if (current) {
            step(new ZabEvent.Received(from, m));
        }
    }

    private void linkClosed(PeerLink link, long peer) {
        Parked p = parked.get(peer);
        if (p != null && p.link() == link) {
            parked.remove(peer);
            return;
        }
        if (core instanceof LearnerCore && link == leaderLink) {
            leaderLink = null;
            step(new ZabEvent.PeerDisconnected(peer));
        } else if (core instanceof LeaderCore && learnerLinks.get(peer) == link) {
            learnerLinks.remove(peer);
            held.remove(peer);
            step(new ZabEvent.PeerDisconnected(peer));
        }
    }

    private void learnerLinkUp(PeerLink link, long sid) {
        if (core == null && !closed && !failed) {
            // Still looking: the learner's election may have ended first. Keep its link until ours ends.
            Parked old = parked.put(sid, new Parked(link, new ArrayDeque<>()));
            if (old != null) {
                old.link().close();
            }
            return;
        }
        if (!(core instanceof LeaderCore) || core.stopped()) {
            link.close(); // not leading: the learner steps down and looks again
            return;
        }
        PeerLink old = learnerLinks.remove(sid);
        if (old != null) {
            old.close();
            held.remove(sid);
            step(new ZabEvent.PeerDisconnected(sid));
        }
        if (core instanceof LeaderCore && !core.stopped()) {
            learnerLinks.put(sid, link);
        } else {
            link.close();
        }
    }

    private void drop(PeerLink link, String why) {
        droppedLinks.incrementAndGet();
        LOG.warn("zab {}: drops link from {}: {}", self, link.remoteAddress(), why);
        link.close();
    }

    /** Delivers network input to the driver thread, bounded: a peer that floods it loses its link. */
    private boolean postNetwork(PeerLink link, Runnable task) {
        if (networkBacklog.incrementAndGet() > NETWORK_BACKLOG_MAX) {
            networkBacklog.decrementAndGet();
            drop(link, "more than " + NETWORK_BACKLOG_MAX + " messages waiting");
            return false;
        }
        post(task);
        return true;
    }

    private PeerLinkHandler accepted(PeerLink link) {
        if (closed || unauthenticated.size() >= UNAUTHENTICATED_MAX) {
            droppedLinks.incrementAndGet();
            return null;
        }
        unauthenticated.put(link, tick);
        return new LearnerLinkHandler();
    }

    /** Leader side of an accepted link: hello first, then messages. */
    private final class LearnerLinkHandler implements PeerLinkHandler {
        private long sid = -1;

        @Override
        public void messageReceived(PeerLink link, ByteBuffer payload) {
            if (sid < 0) {
                if (unauthenticated.remove(link) == null) {
                    return; // timed out
                }
                long s = ZabCodec.readHello(payload);
                String bad = s < 0 ? "first frame is not a hello"
                        : s == self || !config.isMember(s) ? "hello from sid " + s + ", not another server of the config"
                        : addressMismatch(s, link);
                if (bad != null) {
                    sid = Long.MIN_VALUE;
                    drop(link, bad);
                    return;
                }
                sid = s;
                long from = s;
                post(() -> learnerLinkUp(link, from));
                return;
            }
            if (sid == Long.MIN_VALUE) {
                return;
            }
            ZabMessage m = ZabCodec.decode(payload);
            if (m == null) {
                sid = Long.MIN_VALUE;
                drop(link, "malformed message from sid " + sid);
                return;
            }
            long from = sid;
            postNetwork(link, () -> received(link, from, m));
        }

        @Override
        public void linkClosed(PeerLink link, Throwable cause) {
            unauthenticated.remove(link);
            if (sid >= 0) {
                long from = sid;
                post(() -> ZabDriver.this.linkClosed(link, from));
            }
        }
    }

    /** The sid must come from where the config says that server is (CVE-2023-44981 class); null if it does. */
    private String addressMismatch(long sid, PeerLink link) {
        InetSocketAddress configured = settings.quorumAddresses().apply(sid);
        InetSocketAddress remote = link.remoteAddress();
        if (configured == null || configured.getAddress() == null || remote == null
                || configured.getAddress().isAnyLocalAddress()) {
            return null;
        }
        if (configured.getAddress().equals(remote.getAddress())) {
            return null;
        }
        return "hello from sid " + sid + " at " + remote + ", configured at " + configured;
    }

    /** Learner side: the link this peer dialled to its leader. */
    private final class LeaderLinkHandler implements PeerLinkHandler {
        private final int gen;
        private final long leader;
        private boolean bad;

        LeaderLinkHandler(int gen, long leader) {
            this.gen = gen;
            this.leader = leader;
        }

        @Override
        public void messageReceived(PeerLink link, ByteBuffer payload) {
            if (bad) {
                return;
            }
            ZabMessage m = ZabCodec.decode(payload);
            if (m == null) {
                bad = true;
                drop(link, "malformed message from leader " + leader);
                return;
            }
            postNetwork(link, () -> received(link, leader, m));
        }

        @Override
        public void linkClosed(PeerLink link, Throwable cause) {
            post(() -> {
                if (gen == generation) {
                    ZabDriver.this.linkClosed(link, leader);
                }
            });
        }
    }

    // ------------------------------------------------------------------ storage thread

    private void storageLoop() {
        while (!closed) {
            StorageOp op;
            try {
                op = storageQueue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (failed && !(op instanceof Task)) {
                continue; // a poisoned log takes nothing more
            }
            try {
                if (op instanceof Append a) {
                    List<Append> batch = new ArrayList<>();
                    batch.add(a);
                    while (storageQueue.peek() instanceof Append next) {
                        batch.add(next);
                        storageQueue.poll();
                    }
                    Map<Integer, Long> upTo = new HashMap<>();
                    for (Append b : batch) {
                        for (LogEntry e : b.entries()) {
                            storage.log().append(e.zxid(), ByteBuffer.wrap(e.txn()));
                        }
                        upTo.merge(b.generation(), b.entries().get(b.entries().size() - 1).zxid(), Math::max);
                    }
                    storage.log().sync(); // group commit: one sync for every append queued back to back
                    upTo.forEach((gen, z) -> post(() -> persisted(gen, z)));
                } else if (op instanceof Install i) {
                    install(i);
                } else if (op instanceof Task t) {
                    try {
                        t.body().run();
                        t.done().complete(null);
                    } catch (Exception e) {
                        t.done().completeExceptionally(e);
                    }
                }
            } catch (Exception | Error e) {
                post(() -> fail("storage failed", e));
            }
        }
    }

    private void install(Install i) throws Exception {
        try (SnapshotStore.SnapshotWriter w = storage.snapshots().begin(i.zxid())) {
            w.stream().write(i.snapshot());
            w.commit();
        }
        CompletableFuture<Void> restored = new CompletableFuture<>();
        applyQueue.add(() -> {
            try (InputStream in = new ByteArrayInputStream(i.snapshot())) {
                sm.restoreSnapshot(in, i.zxid());
                restored.complete(null);
            } catch (Exception e) {
                restored.completeExceptionally(e);
            }
        });
        restored.get();
        // The log now lies wholly below the snapshot (superseded or off the leader's history).
        storage.log().truncateAfter(Zxid.NONE);
        post(() -> {
            if (i.generation() == generation) {
                step(new ZabEvent.SnapshotInstalled(i.zxid()));
            }
        });
    }

    private void persisted(int gen, long upTo) {
        if (gen == generation) {
            step(new ZabEvent.TxnsPersisted(upTo));
        }
    }

    // ------------------------------------------------------------------ apply thread

    private void applyLoop() {
        while (!closed) {
            Runnable r;
            try {
                r = applyQueue.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                r.run();
            } catch (RuntimeException | Error e) {
                post(() -> fail("apply failed", e));
            }
        }
    }

    private void applyUpTo(long upTo) {
        long last = sm.lastAppliedZxid();
        if (upTo <= last) {
            return;
        }
        for (Map.Entry<Long, byte[]> e : unapplied.subMap(last, false, upTo, true).entrySet()) {
            sm.apply(e.getKey(), ByteBuffer.wrap(e.getValue()).asReadOnlyBuffer(), contexts.remove(e.getKey()));
            unapplied.remove(e.getKey());
        }
        if (sm.lastAppliedZxid() != upTo) {
            throw new IllegalStateException("asked to apply up to " + Long.toHexString(upTo) + " but the log held only "
                    + "up to " + Long.toHexString(sm.lastAppliedZxid()));
        }
    }

    private void writeSnapshotFor(int gen, long to, long zxid, Held h) {
        long applied = sm.lastAppliedZxid();
        if (applied != zxid) {
            LOG.error("zab {}: SNAP for {} asked at {} but applied is {}", self, to, Long.toHexString(zxid),
                    Long.toHexString(applied));
            return;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            sm.writeSnapshot(out);
        } catch (IOException e) {
            LOG.error("zab {}: cannot write a snapshot for {}", self, to, e);
            return;
        }
        byte[] bytes = out.toByteArray();
        post(() -> snapshotReady(gen, to, zxid, bytes, h));
    }
}
