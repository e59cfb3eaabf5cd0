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
import io.paddock.zab.ZabSnapshotPolicy;
import io.paddock.zab.core.DurableState;
import io.paddock.zab.core.LeaderCore;
import io.paddock.zab.core.LearnerCore;
import io.paddock.zab.core.LogEntry;
import io.paddock.zab.core.ZabAction;
import io.paddock.zab.core.ZabCore;
import io.paddock.zab.core.ZabEvent;
import io.paddock.zab.core.ZabMessage;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The imperative shell around the ZAB cores: one quorum peer. It looks for a leader through an
 * {@link ElectionService}, builds a {@link LeaderCore} or {@link LearnerCore} for the term, feeds it events on one
 * driver thread and executes its actions in list order (zab/README.md, "What the driver must do").
 *
 * <p>Threads (all named {@code paddock-zab-<what>-<sid>}):
 * <ul>
 *   <li>{@code driver}: owns the core, the link tables and every core event; ticks it every {@code tickMs}.
 *       Transport, apply and election callbacks only post tasks to it. Epoch writes run here, durable on return.
 *       Every task runs holding {@code driverLock}, and two other threads take the same lock to run their step
 *       themselves when they can, instead of posting it and waking this thread: the server's prepare thread
 *       ({@code propose}, {@code forward}, {@code sync}) and the storage thread ({@code TxnsPersisted} after a
 *       group commit). Each keeps its own calls in order. So "driver-thread state" below means state guarded by
 *       {@code driverLock}; the core still sees one event at a time. Synchronous storage actions
 *       ({@code onStorage}) never run on the storage thread.</li>
 *   <li>{@code storage}: the single writer of the log. Appends queued back to back are written and synced once
 *       (group commit), then one {@code TxnsPersisted} goes back; snapshot installs and truncations run in queue
 *       order.</li>
 *   <li>{@code apply}: {@code StateMachine.apply} in zxid order, {@code syncCompleted}, {@code roleChanged},
 *       {@code prepareForwarded}, {@code sessionsTouched} and snapshot writes for SNAP, in the order the core asked.</li>
 *   <li>{@code dial}: blocking dials to the leader, so a dead leader never delays ticks.</li>
 *   <li>{@code snapshot}: periodic (fuzzy) snapshots, while applies go on.</li>
 *   <li>{@code snap-send}: one per SNAP being sent, streaming a snapshot from the store in chunks paced by the
 *       link's unsent bytes.</li>
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
    /** Messages held behind a SNAP being written or sent; above it the learner is disconnected. */
    private static final int HELD_MESSAGES_MAX = 100_000;
    /**
     * Bytes queued on a learner's link and not yet written to its socket; above it the leader drops the learner (the
     * transport only pauses reads at its own bound, it never refuses a send).
     */
    private static final long LEARNER_UNSENT_BYTES_MAX = 64L << 20;
    /** Snapshot stream bytes received and not yet written by the driver thread; above it the leader link is dropped. */
    private static final long SNAP_BYTES_QUEUED_MAX = 32L << 20;
    /** Unsent bytes a SNAP sender leaves on a link before it waits for the transport to drain (flow control). */
    private static final long SNAP_SEND_WINDOW = 1L << 20;
    /** Bound on a SNAP sender waiting for a link that does not drain: it gives up and drops the learner. */
    private static final long SNAP_SEND_STALL_NANOS = TimeUnit.SECONDS.toNanos(30);
    /**
     * Txn bytes logged or committed but not yet both written and applied (the storage backlog plus the apply backlog).
     * A leader stops taking proposals above it (callers of propose block) until storage and the state machine catch
     * up; a learner above it leaves its role and syncs again once they have.
     */
    static final long BACKLOG_BYTES_MAX = 64L << 20;
    /** The same backlog counted in txns. */
    static final int BACKLOG_TXNS_MAX = 100_000;
    /**
     * Tasks the core's actions put on the apply queue and the apply thread has not run yet; above it (a state machine
     * stuck for a long time while pings and syncs keep coming) the role ends, and the next one waits for the queue.
     */
    static final int APPLY_TASKS_MAX = 200_000;
    /** Forwarded requests waiting for the apply thread (prepareForwarded); above it they are dropped and logged. */
    private static final int FORWARDED_WAITING_MAX = 10_000;
    /** Calls of sync, touchSession and forward waiting for the driver thread; above it the callers block. */
    private static final int API_BACKLOG_MAX = 65_536;
    /**
     * Distinct sessions touched since the core last took the touches; above it a touch is posted as a task (and so
     * counts toward {@link #API_BACKLOG_MAX}). One entry per live session of this server, so normally far below.
     */
    private static final int TOUCHES_PENDING_MAX = 65_536;
    /** How long a caller of propose/forward/sync waits for {@code driverLock} before it posts the call instead. */
    private static final long DRIVER_LOCK_WAIT_MS = 5;

    private final ZabConfig config;
    private final ZabSnapshotPolicy policy;
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

    // Bounds (see the constants): bytes and txns waiting for storage or apply, forwarded requests, API calls.
    private final AtomicLong unappliedBytes = new AtomicLong();
    /** {@code unapplied.size()}, which is not constant-time on a skip list. */
    private final AtomicInteger unappliedTxns = new AtomicInteger();
    private final AtomicInteger applyTasks = new AtomicInteger();
    private final AtomicLong storageBacklogBytes = new AtomicLong();
    private final AtomicInteger storageBacklogTxns = new AtomicInteger();
    private final AtomicInteger forwardedWaiting = new AtomicInteger();
    private final Semaphore apiBacklog = new Semaphore(API_BACKLOG_MAX);
    /** Guards the driver-thread state: held by the driver thread around each task, or by a caller running one. */
    private final ReentrantLock driverLock = new ReentrantLock();
    /**
     * forward/sync calls posted to the driver thread and not run yet: while any is, later ones are posted too, so
     * that they reach the core in call order (a sync after a write leaves after it).
     */
    private final AtomicInteger apiPosted = new AtomicInteger();
    /** The same for the storage thread's TxnsPersisted: posted and not run yet (so a later one never overtakes). */
    private final AtomicInteger storagePosted = new AtomicInteger();
    /**
     * Sessions a learner's clients touched, not yet given to the core. The core only sends them with its next ping,
     * so they are handed over in one go before the next event it takes, rather than one driver wake-up per request.
     */
    private final Set<Long> pendingTouches = ConcurrentHashMap.newKeySet();
    /** Set when a proposal waits on the backlog bound; the apply and storage threads then wake the driver. */
    private volatile boolean backlogWaiters;

    // Snapshots (zab/README.md, "Snapshots").
    /** One snapshot written to, or restored from, the store at a time. */
    private final ReentrantLock snapshotLock = new ReentrantLock();
    private final ExecutorService snapshotter;
    private final ExecutorService snapSenders;
    private final AtomicBoolean snapshotting = new AtomicBoolean();
    private final AtomicInteger activeSnapStreams = new AtomicInteger();
    private final AtomicLong snapshotsTaken = new AtomicLong();
    private final AtomicLong snapshotsSent = new AtomicLong();
    private final AtomicLong purges = new AtomicLong();
    private final AtomicLong snapBytesQueued = new AtomicLong();
    /**
     * Spreads snapshot points so members do not all snapshot at once. Seeded by the sid: each member draws a different
     * sequence, and a run is reproducible (only distro reads entropy or clocks).
     */
    private final Random random;
    // Apply-thread state.
    private long txnsSinceSnapshot;
    private long snapshotThreshold;
    /** zxid of the last snapshot this peer wrote at exactly its applied zxid (for SNAP), or -1. */
    private volatile long exactSnapshotZxid = -1;
    // Driver-thread state of snapshots.
    private long nextPurgeNanos;
    /** The snapshot stream being received from the leader, or null. */
    private Incoming incoming;

    // Driver-thread state.
    private ZabCore core;
    /** Written by the driver thread only; volatile so SNAP senders see a term end. */
    private volatile int generation;
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

    /** A snapshot stream from the leader being written into the store (driver thread). */
    private static final class Incoming {
        final int generation;
        final long zxid;
        final CRC32C crc = new CRC32C();
        SnapshotStore.SnapshotWriter writer;
        long bytes;

        Incoming(int generation, long zxid) {
            this.generation = generation;
            this.zxid = zxid;
        }
    }

    /** A learner link waiting for this peer's election to end. */
    private record Parked(PeerLink link, ArrayDeque<ZabMessage> messages) {}

    /** Messages one parked link may send before this peer leads; a learner sends one (LearnerInfo) and waits. */
    private static final int PARKED_MESSAGES_MAX = 16;

    private sealed interface StorageOp permits Append, Install, Task {}

    private record Append(int generation, List<LogEntry> entries) implements StorageOp {}

    /** Restore the state machine from the snapshot at {@code zxid}, already committed in the store, then cut the log. */
    private record Install(int generation, long zxid) implements StorageOp {}

    private record Task(IoRunnable body, CompletableFuture<Void> done) implements StorageOp {}

    @FunctionalInterface
    private interface IoRunnable {
        void run() throws Exception;
    }

    private ZabDriver(ZabConfig config, ZabPeerSettings settings, ZabSnapshotPolicy policy, StateMachine sm,
            Storage storage, Transport transport, ElectionService election, Ticker ticker) throws IOException {
        this.config = config;
        this.random = new Random(config.self());
        this.policy = policy;
        this.settings = settings;
        this.sm = sm;
        this.storage = storage;
        this.transport = transport;
        this.election = election;
        this.ticker = ticker;
        this.self = config.self();
        recover();
        this.snapshotThreshold = nextThreshold();
        this.listener = transport.listenForPeers(settings.listenAddress(), this::accepted);
        this.dialer = Executors.newSingleThreadExecutor(r -> thread(r, "dial"));
        this.snapshotter = Executors.newSingleThreadExecutor(r -> thread(r, "snapshot"));
        this.snapSenders = Executors.newCachedThreadPool(r -> thread(r, "snap-send"));
        this.driverThread = thread(this::driverLoop, "driver");
        this.storageThread = thread(this::storageLoop, "storage");
        this.applyThread = thread(this::applyLoop, "apply");
    }

    /** Recovers the state machine from the newest snapshot and binds the quorum port; threads start in {@link #start}. */
    public static ZabDriver open(ZabConfig config, ZabPeerSettings settings, ZabSnapshotPolicy policy,
            StateMachine sm, Storage storage, Transport transport, ElectionService election, Ticker ticker)
            throws IOException {
        return new ZabDriver(config, settings, policy, sm, storage, transport, election, ticker);
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

    /**
     * Start-up (RELIABILITY §7.7): checks the log against the newest snapshot, repairs epoch files that lag the log,
     * then loads the newest snapshot into the state machine if it is ahead of it. The log after the snapshot is
     * replayed by the first role's core, once it is known to be on the leader's history.
     *
     * @throws IOException the log has a gap after the newest snapshot, or starts above it with nothing covering the
     *                     txns between (ZOOKEEPER-2325, ClickHouse #31150/#112101), or the storage cannot be read
     */
    private void recover() throws IOException {
        Optional<SnapshotStore.SnapshotReader> latest = storage.snapshots().openLatest();
        try {
            long snap = latest.isPresent() ? latest.get().zxid() : Zxid.NONE;
            long tail = checkLogAfter(snap);
            repairEpochs(Math.max(storage.log().lastZxid(), snap));
            if (latest.isPresent() && snap > sm.lastAppliedZxid()) {
                sm.restoreSnapshot(latest.get().stream(), snap);
            }
            LOG.info("zab {}: recovered: newest snapshot at {}, {} logged txns after it (last {})", self,
                    Long.toHexString(snap), tail, Long.toHexString(storage.log().lastZxid()));
        } finally {
            if (latest.isPresent()) {
                latest.get().close();
            }
        }
    }

    /** Verifies that the log after {@code snap} chains from it without a hole; returns how many txns it holds. */
    private long checkLogAfter(long snap) throws IOException {
        long prev = snap;
        long count = 0;
        try (TxnCursor c = storage.log().readAfter(snap)) {
            while (c.next()) {
                long z = c.zxid();
                if (!follows(prev, z)) {
                    if (count == 0) {
                        throw new IOException("refusing to start: the first logged txn after the newest snapshot ("
                                + (snap == Zxid.NONE ? "none" : Long.toHexString(snap)) + ") is " + Long.toHexString(z)
                                + "; the txns between are in no snapshot and no log file (a purged or lost log, "
                                + "ZOOKEEPER-2325). Restore the missing files, or empty the data directory so that "
                                + "this server syncs from the leader");
                    }
                    throw new IOException("refusing to start: the log has a gap after the newest snapshot ("
                            + Long.toHexString(snap) + "): " + Long.toHexString(prev) + " is followed by "
                            + Long.toHexString(z) + ". Restore the missing log file, or empty the data directory so "
                            + "that this server syncs from the leader");
                }
                prev = z;
                count++;
            }
        }
        return count;
    }

    /**
     * Whether {@code next} may directly follow {@code prev} on a history: the next counter of the same epoch, or the
     * first proposal of a later epoch (the rule the cores apply to every stream).
     */
    static boolean follows(long prev, long next) {
        long pe = Zxid.epoch(prev);
        long ne = Zxid.epoch(next);
        if (ne == pe) {
            return Zxid.counter(next) == Zxid.counter(prev) + 1;
        }
        return ne > pe && Zxid.counter(next) == 1;
    }

    /**
     * Epoch files behind the log (ZOOKEEPER-582, 2307, 2354): the log holds a txn of epoch E, so this server has
     * accepted E. currentEpoch below E is a legal crash state (a learner logs a late sync stream of epoch E before it
     * writes currentEpoch at NEWLEADER) and acceptedEpoch below E or below currentEpoch means a lost or rolled-back
     * file; either way the cores and the election already use the maximum, so the files are raised to it, durably,
     * before anything else runs, and the repair is logged. An unreadable value refuses the start (IOException).
     */
    private void repairEpochs(long lastLogged) throws IOException {
        long logEpoch = Zxid.epoch(lastLogged);
        long current;
        long accepted;
        try {
            current = storage.values().get(CURRENT_EPOCH).orElse(0);
            accepted = storage.values().get(ACCEPTED_EPOCH).orElse(0);
        } catch (IOException e) {
            throw new IOException("refusing to start: cannot read the epoch files: " + e.getMessage(), e);
        }
        long wantCurrent = Math.max(current, logEpoch);
        long wantAccepted = Math.max(accepted, wantCurrent);
        if (wantAccepted != accepted) { // accepted first: acceptedEpoch >= currentEpoch at every instant
            LOG.warn("zab {}: acceptedEpoch {} is below {} (epoch of the last logged txn {}, currentEpoch {}); "
                    + "raising it to {}", self, accepted, wantAccepted, Long.toHexString(lastLogged), current,
                    wantAccepted);
            storage.values().put(ACCEPTED_EPOCH, wantAccepted);
        }
        if (wantCurrent != current) {
            LOG.warn("zab {}: currentEpoch {} is below the epoch {} of the last logged txn {}; raising it", self,
                    current, logEpoch, Long.toHexString(lastLogged));
            storage.values().put(CURRENT_EPOCH, wantCurrent);
        }
    }

    private long nextThreshold() {
        int half = policy.snapCount() / 2;
        return half + random.nextInt(policy.snapCount() - half + 1);
    }

    /** Snapshots this peer wrote since open (periodic ones and those written for a SNAP). */
    public long snapshotsTaken() {
        return snapshotsTaken.get();
    }

    /** Purges that removed files below the oldest kept snapshot, since open. */
    public long purges() {
        return purges.get();
    }

    /** SNAP streams this peer finished sending since open. */
    public long snapshotsSent() {
        return snapshotsSent.get();
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
        PendingProposal p = new PendingProposal(bytes, context, result);
        if (!runLocked(() -> onPropose(p))) {
            post(() -> onPropose(p));
        }
        try {
            if (result.isDone()) {
                return result.get();
            }
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
        callInOrder(() -> {
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
        callInOrder(() -> {
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
        if (pendingTouches.size() < TOUCHES_PENDING_MAX) {
            pendingTouches.add(sessionId); // handed to the core before its next event (see step)
            return;
        }
        postApi(() -> {
            if (core instanceof LearnerCore l && l.serving()) {
                step(new ZabEvent.SessionTouched(sessionId));
            }
        });
    }

    /**
     * Runs a forward or sync call: on the caller's thread under {@code driverLock} when nothing posted before it is
     * still waiting, else posted behind what is. Either way calls reach the core in the order they were made.
     */
    private void callInOrder(Runnable call) {
        if (apiPosted.get() == 0 && runLocked(call)) {
            return;
        }
        apiPosted.incrementAndGet();
        postApi(() -> {
            try {
                call.run();
            } finally {
                apiPosted.decrementAndGet();
            }
        });
    }

    /**
     * Runs {@code body} on the calling thread holding {@code driverLock}, as the driver thread runs a task, if the lock
     * comes within {@link #DRIVER_LOCK_WAIT_MS} and the driver still runs; false if it did not run. The wait is
     * bounded so that a caller never waits on a driver thread that is itself waiting (e.g. on storage) for long.
     */
    private boolean runLocked(Runnable body) {
        if (driverThread == Thread.currentThread()) {
            return false;
        }
        try {
            if (!driverLock.tryLock(DRIVER_LOCK_WAIT_MS, TimeUnit.MILLISECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            if (closed) {
                return false; // the posted task is then failed or dropped as before
            }
            runTask(body);
            return true;
        } finally {
            driverLock.unlock();
        }
    }

    /** One driver task (lock held): a failure ends the role, as on the driver thread. */
    private void runTask(Runnable body) {
        try {
            body.run();
        } catch (RuntimeException | Error e) {
            LOG.error("zab {}: driver step failed; ending the role", self, e);
            if (core != null) {
                endTerm("driver failure: " + e);
            }
        }
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
        snapSenders.shutdownNow();
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
        snapshotter.shutdown(); // a periodic snapshot in progress finishes (or is abandoned uncommitted at exit)
        try {
            if (!snapshotter.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("zab {}: a snapshot was still being written at close", self);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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

    /**
     * Posts a call of the server's (sync, touchSession, forward): at most {@link #API_BACKLOG_MAX} wait for the driver
     * thread; beyond, the caller blocks until the driver catches up (back-pressure), or the driver closes.
     */
    private void postApi(Runnable task) {
        try {
            while (!apiBacklog.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                if (closed) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        post(() -> {
            apiBacklog.release();
            task.run();
        });
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
                        driverLock.lock();
                        try {
                            runTask(this::onTick);
                        } finally {
                            driverLock.unlock();
                        }
                    }
                    continue;
                }
                Runnable task = tasks.poll(nextTick - now, TimeUnit.NANOSECONDS);
                if (task != null) {
                    driverLock.lock();
                    try {
                        runTask(task);
                    } finally {
                        driverLock.unlock();
                    }
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
        maybePurge();
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
        if (!pendingTouches.isEmpty()) {
            deliverTouches();
        }
        if (core == null) {
            return;
        }
        ZabCore c = core;
        List<ZabAction> actions = c.handle(event);
        execute(actions);
        afterStep();
    }

    /** Hands the sessions touched since the last event to a serving learner core (dropped otherwise, as before). */
    private void deliverTouches() {
        for (Iterator<Long> it = pendingTouches.iterator(); it.hasNext(); ) {
            long id = it.next();
            it.remove();
            if (core instanceof LearnerCore l && l.serving()) {
                execute(l.handle(new ZabEvent.SessionTouched(id)));
            }
        }
    }

    private void afterStep() {
        if (core instanceof LeaderCore leader) {
            lastProposed = leader.lastProposedZxid();
            while (!waitingProposals.isEmpty() && leader.established() && leader.canPropose() && core == leader
                    && backlogAdmits()) {
                submit(leader, waitingProposals.poll());
            }
        } else if (core instanceof LearnerCore learner && learner.serving() && !backlogWithinBounds(2)) {
            endTerm("storage or state machine backlog above its bound (" + backlogString() + "); syncing again once "
                    + "it has drained");
            return;
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
        } else if (leader.canPropose() && waitingProposals.isEmpty() && backlogAdmits()) {
            submit(leader, p);
        } else if (waitingProposals.size() < WAITING_PROPOSALS_MAX) {
            waitingProposals.add(p); // back-pressure: the caller blocks until the core takes more
        } else {
            p.result().completeExceptionally(new NotLeaderException("replication queue full"));
        }
    }

    private boolean backlogWithinBounds() {
        return backlogWithinBounds(1);
    }

    /**
     * Whether the backlog is within {@code factor} times its bounds. A learner gets twice the leader's: right after a
     * restart its log tail (up to a snapCount of txns) and the DIFF are unapplied at once, which is no overload.
     */
    private boolean backlogWithinBounds(int factor) {
        return unappliedBytes.get() <= factor * BACKLOG_BYTES_MAX && unappliedTxns.get() <= factor * BACKLOG_TXNS_MAX
                && storageBacklogBytes.get() <= factor * BACKLOG_BYTES_MAX
                && storageBacklogTxns.get() <= factor * BACKLOG_TXNS_MAX;
    }

    /** Whether a proposal may be taken now; if not, the storage and apply threads wake the driver when it may. */
    private boolean backlogAdmits() {
        if (backlogWithinBounds()) {
            return true;
        }
        backlogWaiters = true;
        if (backlogWithinBounds()) { // drained in between: nobody would wake us
            backlogWaiters = false;
            return true;
        }
        return false;
    }

    private String backlogString() {
        return unappliedTxns.get() + " txns / " + unappliedBytes.get() + " B unapplied, " + storageBacklogTxns.get()
                + " txns / " + storageBacklogBytes.get() + " B unwritten";
    }

    /** Called by the storage and apply threads after progress. */
    private void backlogProgress() {
        if (backlogWaiters && backlogWithinBounds()) {
            backlogWaiters = false;
            post(this::afterStep);
        }
    }

    private void addUnapplied(long zxid, byte[] txn) {
        byte[] old = unapplied.put(zxid, txn);
        unappliedBytes.addAndGet(txn.length - (old == null ? 0 : old.length));
        if (old == null) {
            unappliedTxns.incrementAndGet();
        }
    }

    private void removeUnapplied(long zxid) {
        byte[] old = unapplied.remove(zxid);
        if (old != null) {
            unappliedBytes.addAndGet(-old.length);
            unappliedTxns.decrementAndGet();
        }
    }

    private void clearUnappliedAfter(long zxid) {
        for (Long z : new ArrayList<>(unapplied.tailMap(zxid, false).keySet())) {
            removeUnapplied(z);
        }
    }

    /** Queues a core action's work on the apply thread, within {@link #APPLY_TASKS_MAX} (driver thread). */
    private void applyTask(Runnable task) {
        if (applyTasks.incrementAndGet() > APPLY_TASKS_MAX) {
            applyTasks.decrementAndGet();
            endTerm("more than " + APPLY_TASKS_MAX + " tasks wait for the state machine");
            return;
        }
        applyQueue.add(() -> {
            applyTasks.decrementAndGet();
            task.run();
        });
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
            if (s.message() instanceof ZabMessage.Diff d) {
                LOG.info("syncing learner {} by DIFF from 0x{}", s.to(), Long.toHexString(d.fromZxid()));
            } else if (s.message() instanceof ZabMessage.Trunc t) {
                LOG.info("syncing learner {} by TRUNC to 0x{}", s.to(), Long.toHexString(t.toZxid()));
            }
            send(s.to(), s.message());
        } else if (a instanceof ZabAction.SendSnapshot s) {
            LOG.info("syncing learner {} by SNAP at 0x{}", s.to(), Long.toHexString(s.zxid()));
            Held h = new Held();
            held.put(s.to(), h);
            PeerLink link = learnerLinks.get(s.to());
            applyTask(() -> snapshotFor(gen, s.to(), s.zxid(), h, link));
        } else if (a instanceof ZabAction.PersistTxns p) {
            long bytes = 0;
            for (LogEntry e : p.entries()) {
                addUnapplied(e.zxid(), e.txn());
                bytes += e.txn().length;
            }
            storageBacklogBytes.addAndGet(bytes);
            storageBacklogTxns.addAndGet(p.entries().size());
            storageQueue.add(new Append(gen, p.entries()));
        } else if (a instanceof ZabAction.TruncateLog t) {
            clearUnappliedAfter(t.afterZxid());
            onStorage(() -> storage.log().truncateAfter(t.afterZxid()));
        } else if (a instanceof ZabAction.InstallSnapshot i) {
            // The stream announced by SNAP_BEGIN: the core accepted it, so open the store's writer for its chunks.
            Incoming in = incoming;
            if (in == null || in.zxid != i.zxid() || in.writer != null || in.generation != gen) {
                throw new IllegalStateException("InstallSnapshot(" + Long.toHexString(i.zxid())
                        + ") without a snapshot stream for it");
            }
            clearUnappliedAfter(Zxid.NONE);
            in.writer = storage.snapshots().begin(i.zxid());
        } else if (a instanceof ZabAction.WriteAcceptedEpoch w) {
            storage.values().put(ACCEPTED_EPOCH, w.epoch());
        } else if (a instanceof ZabAction.WriteCurrentEpoch w) {
            storage.values().put(CURRENT_EPOCH, w.epoch());
        } else if (a instanceof ZabAction.ApplyCommitted c) {
            applyTask(() -> applyUpTo(c.upToZxid()));
        } else if (a instanceof ZabAction.CompleteSync c) {
            applyTask(() -> sm.syncCompleted(syncContexts.remove(c.requestId())));
        } else if (a instanceof ZabAction.PrepareForwarded p) {
            if (forwardedWaiting.incrementAndGet() > FORWARDED_WAITING_MAX) {
                forwardedWaiting.decrementAndGet();
                LOG.warn("zab {}: drops a request forwarded by {} for session {}: {} wait for the state machine", self,
                        p.request().origin(), Long.toHexString(p.request().sessionId()), FORWARDED_WAITING_MAX);
            } else {
                applyTask(() -> {
                    forwardedWaiting.decrementAndGet();
                    sm.prepareForwarded(p.request());
                });
            }
        } else if (a instanceof ZabAction.SessionsTouched s) {
            applyTask(() -> sm.sessionsTouched(s.sessionIds()));
        } else if (a instanceof ZabAction.RoleChanged r) {
            role = r.role();
            LOG.info("zab {}: now {} in epoch {}", self, r.role().displayName(), core.epoch());
            applyTask(() -> sm.roleChanged(r.role()));
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
        if (Thread.currentThread() == storageThread) {
            // A core step run by the storage thread itself (see fromStorage) would wait for itself here.
            throw new IllegalStateException("a synchronous storage action inside a step run by the storage thread");
        }
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
                dropLearner(to, "more than " + HELD_MESSAGES_MAX + " messages behind its SNAP");
                return;
            }
            h.messages.add(message);
            return;
        }
        PeerLink link = core instanceof LearnerCore l ? (l.leader() == to ? leaderLink : null) : learnerLinks.get(to);
        if (link == null) {
            return;
        }
        if (core instanceof LeaderCore && link.pendingOutboundBytes() > LEARNER_UNSENT_BYTES_MAX) {
            // A learner that does not read: its link's queue must not grow without bound. It syncs again later.
            dropLearner(to, "more than " + LEARNER_UNSENT_BYTES_MAX + " bytes unsent to it");
            return;
        }
        link.send(ZabCodec.encode(message));
    }

    /** Leader side: closes the learner's link now and tells the core on the next task (not inside its step). */
    private void dropLearner(long to, String why) {
        held.remove(to);
        PeerLink l = learnerLinks.remove(to);
        if (l != null) {
            drop(l, why);
        }
        int gen = generation;
        post(() -> {
            if (gen == generation && !learnerLinks.containsKey(to)) {
                step(new ZabEvent.PeerDisconnected(to));
            }
        });
    }

    /** The SNAP stream to {@code to} is fully queued on its link: release what the core sent it meanwhile. */
    private void snapshotSent(int gen, long to, Held h) {
        if (gen != generation || held.get(to) != h) {
            return; // the term ended or the learner reconnected: this SNAP was for nobody
        }
        held.remove(to);
        for (ZabMessage m : h.messages) {
            send(to, m);
        }
    }

    /** No SNAP could be produced or sent to {@code to}: drop the learner; it syncs again on a new link. */
    private void snapshotFailed(int gen, long to, Held h, String why) {
        if (gen != generation || held.get(to) != h) {
            return;
        }
        held.remove(to);
        PeerLink l = learnerLinks.remove(to);
        if (l != null) {
            LOG.warn("zab {}: disconnects learner {}: {}", self, to, why);
            l.close();
        }
        step(new ZabEvent.PeerDisconnected(to));
    }

    /** Abandons the snapshot stream being received, if any: the uncommitted snapshot is discarded. */
    private void discardIncoming() {
        Incoming in = incoming;
        incoming = null;
        if (in != null && in.writer != null) {
            try {
                in.writer.close();
            } catch (IOException e) {
                LOG.warn("zab {}: cannot discard the partial snapshot at {}", self, Long.toHexString(in.zxid), e);
            }
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
        discardIncoming();
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
        clearUnappliedAfter(Zxid.NONE);
        try (TxnCursor c = storage.log().readAfter(applied)) {
            while (c.next()) {
                ByteBuffer b = c.txn();
                byte[] txn = new byte[b.remaining()];
                b.get(txn);
                after.add(new LogEntry(c.zxid(), txn));
                addUnapplied(c.zxid(), txn);
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

    /**
     * A frame of the SNAP stream from the leader (driver thread). BEGIN hands the core {@code Snap(zxid, empty)}; if it
     * accepts, its {@code InstallSnapshot} opens a writer in the snapshot store; chunks are written as they come
     * (nothing held in memory); END checks size and CRC-32C and commits, and only then queues the install (restore the
     * state machine from the store, cut the log, {@code SnapshotInstalled}). Anything out of order drops the link, and
     * a stream that does not end leaves an uncommitted snapshot that is discarded: the previous state stays the newest
     * valid one (ZOOKEEPER-3642, 2872).
     */
    private void snapFrame(PeerLink link, long leader, ZabCodec.SnapFrame f) {
        if (!(core instanceof LearnerCore) || link != leaderLink) {
            return; // a stale link
        }
        if (f instanceof ZabCodec.SnapBegin b) {
            if (incoming != null) {
                snapStreamBroken(link, "a second SNAP_BEGIN while one is in progress");
                return;
            }
            incoming = new Incoming(generation, b.zxid());
            step(new ZabEvent.Received(leader, new ZabMessage.Snap(b.zxid(), new byte[0])));
            if (incoming != null && incoming.writer == null) {
                incoming = null; // the core refused the SNAP (and ended the session)
            }
        } else if (f instanceof ZabCodec.SnapChunk c) {
            Incoming in = incoming;
            if (in == null || in.writer == null) {
                snapStreamBroken(link, "a snapshot chunk outside a SNAP stream");
                return;
            }
            try {
                in.writer.stream().write(c.bytes());
            } catch (IOException e) {
                fail("storage failed writing the snapshot at " + Long.toHexString(in.zxid), e);
                return;
            }
            in.crc.update(c.bytes());
            in.bytes += c.bytes().length;
        } else if (f instanceof ZabCodec.SnapEnd e) {
            Incoming in = incoming;
            if (in == null || in.writer == null) {
                snapStreamBroken(link, "SNAP_END outside a SNAP stream");
                return;
            }
            if (e.totalBytes() != in.bytes || e.crc32c() != (int) in.crc.getValue()) {
                snapStreamBroken(link, "snapshot stream at " + Long.toHexString(in.zxid) + " does not check out ("
                        + in.bytes + " B received, " + e.totalBytes() + " B sent; CRC "
                        + Integer.toHexString((int) in.crc.getValue()) + " vs " + Integer.toHexString(e.crc32c()) + ")");
                return;
            }
            incoming = null;
            try (SnapshotStore.SnapshotWriter w = in.writer) {
                w.commit();
            } catch (IOException ex) {
                fail("storage failed committing the snapshot at " + Long.toHexString(in.zxid), ex);
                return;
            }
            LOG.info("zab {}: received the snapshot at {} from leader {} ({} bytes)", self, Long.toHexString(in.zxid),
                    leader, in.bytes);
            storageQueue.add(new Install(in.generation, in.zxid));
        }
    }

    private void snapStreamBroken(PeerLink link, String why) {
        discardIncoming();
        drop(link, why); // the link's close reaches the core as PeerDisconnected: it steps down and syncs again
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
            if (ZabCodec.isSnapFrame(payload)) {
                ZabCodec.SnapFrame f = ZabCodec.decodeSnapFrame(payload);
                if (f == null) {
                    bad = true;
                    drop(link, "malformed snapshot frame from leader " + leader);
                    return;
                }
                long size = f instanceof ZabCodec.SnapChunk c ? c.bytes().length : 0;
                if (snapBytesQueued.addAndGet(size) > SNAP_BYTES_QUEUED_MAX) {
                    snapBytesQueued.addAndGet(-size);
                    bad = true;
                    drop(link, "more than " + SNAP_BYTES_QUEUED_MAX + " snapshot bytes waiting to be written");
                    return;
                }
                if (!postNetwork(link, () -> {
                    networkBacklog.decrementAndGet();
                    snapBytesQueued.addAndGet(-size);
                    snapFrame(link, leader, f);
                })) {
                    snapBytesQueued.addAndGet(-size);
                    bad = true;
                }
                return;
            }
            ZabMessage m = ZabCodec.decode(payload);
            if (m == null || m instanceof ZabMessage.Snap) {
                bad = true;
                drop(link, (m == null ? "malformed message" : "a SNAP in one frame (snapshots are streamed)")
                        + " from leader " + leader);
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
                if (op instanceof Append a) {
                    unqueued(List.of(a));
                }
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
                    try {
                        for (Append b : batch) {
                            for (LogEntry e : b.entries()) {
                                storage.log().append(e.zxid(), ByteBuffer.wrap(e.txn()));
                            }
                            upTo.merge(b.generation(), b.entries().get(b.entries().size() - 1).zxid(), Math::max);
                        }
                        storage.log().sync(); // group commit: one sync for every append queued back to back
                    } finally {
                        unqueued(batch);
                    }
                    upTo.forEach((gen, z) -> fromStorage(() -> persisted(gen, z)));
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

    /** Appends written (or skipped): they no longer count toward the storage backlog. */
    private void unqueued(List<Append> batch) {
        long bytes = 0;
        int txns = 0;
        for (Append b : batch) {
            for (LogEntry e : b.entries()) {
                bytes += e.txn().length;
            }
            txns += b.entries().size();
        }
        storageBacklogBytes.addAndGet(-bytes);
        storageBacklogTxns.addAndGet(-txns);
        backlogProgress();
    }

    private void install(Install i) throws Exception {
        CompletableFuture<Void> restored = new CompletableFuture<>();
        applyQueue.add(() -> {
            snapshotLock.lock(); // not while a periodic snapshot is reading the state machine
            try (SnapshotStore.SnapshotReader r = storage.snapshots().open(i.zxid())
                    .orElseThrow(() -> new IOException("the snapshot at " + Long.toHexString(i.zxid())
                            + " just committed cannot be opened"))) {
                sm.restoreSnapshot(r.stream(), i.zxid());
                txnsSinceSnapshot = 0;
                exactSnapshotZxid = i.zxid();
                restored.complete(null);
            } catch (Exception e) {
                restored.completeExceptionally(e);
            } finally {
                snapshotLock.unlock();
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

    /**
     * Hands a TxnsPersisted to the core: run right here under {@code driverLock} if the lock is free and no earlier one
     * is still posted (the ack or commit then leaves without waking the driver thread), else posted in order.
     */
    private void fromStorage(Runnable task) {
        if (storagePosted.get() == 0 && driverLock.tryLock()) {
            try {
                if (!closed) {
                    runTask(task);
                }
                return;
            } finally {
                driverLock.unlock();
            }
        }
        storagePosted.incrementAndGet();
        post(() -> {
            try {
                task.run();
            } finally {
                storagePosted.decrementAndGet();
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
            removeUnapplied(e.getKey());
            txnsSinceSnapshot++;
            maybeSnapshot(); // per txn, so that a long batch is cut by snapshots too
        }
        if (sm.lastAppliedZxid() != upTo) {
            throw new IllegalStateException("asked to apply up to " + Long.toHexString(upTo) + " but the log held only "
                    + "up to " + Long.toHexString(sm.lastAppliedZxid()));
        }
        backlogProgress();
    }

    /**
     * Periodic snapshot (apply thread): after a random number of applied txns in [snapCount/2, snapCount], a fuzzy
     * snapshot labelled with the applied zxid is written on the snapshot thread while applies go on (the state
     * machine tolerates replaying txns its snapshot already holds, as for standalone servers). Skipped while one is
     * still being written; the count then carries over.
     */
    private void maybeSnapshot() {
        if (txnsSinceSnapshot < snapshotThreshold || !snapshotting.compareAndSet(false, true)) {
            return;
        }
        long zxid = sm.lastAppliedZxid();
        txnsSinceSnapshot = 0;
        snapshotThreshold = nextThreshold();
        if (zxid == exactSnapshotZxid) {
            snapshotting.set(false); // written for a SNAP at this very zxid
            return;
        }
        try {
            snapshotter.execute(() -> {
                try {
                    writeSnapshot(zxid, "periodic");
                } catch (IOException | RuntimeException e) {
                    LOG.warn("zab {}: periodic snapshot at {} failed; the log keeps everything after the previous one",
                            self, Long.toHexString(zxid), e);
                } finally {
                    snapshotting.set(false);
                }
            });
        } catch (RejectedExecutionException e) {
            snapshotting.set(false); // closing
        }
    }

    /** Writes and commits a snapshot of the state machine labelled {@code zxid}; one at a time. */
    private void writeSnapshot(long zxid, String why) throws IOException {
        snapshotLock.lock();
        if (!"SNAP".equals(why) && zxid == exactSnapshotZxid) {
            snapshotLock.unlock();
            return; // an exact one at this zxid was written meanwhile; do not replace it with a fuzzy one
        }
        try (SnapshotStore.SnapshotWriter w = storage.snapshots().begin(zxid)) {
            sm.writeSnapshot(w.stream());
            w.commit();
        } finally {
            snapshotLock.unlock();
        }
        snapshotsTaken.incrementAndGet();
        LOG.info("zab {}: wrote a {} snapshot at {}", self, why, Long.toHexString(zxid));
    }

    /**
     * {@code SendSnapshot} (apply thread, in order, so the applied zxid is exactly the one the core named): writes a
     * snapshot at that zxid to the store unless this peer already has an exact one there, then streams it from disk on
     * a sender thread. Neither side holds the whole snapshot in memory.
     */
    private void snapshotFor(int gen, long to, long zxid, Held h, PeerLink link) {
        long applied = sm.lastAppliedZxid();
        if (applied != zxid || link == null) {
            LOG.error("zab {}: SNAP for {} asked at {} but applied is {} (link {})", self, to, Long.toHexString(zxid),
                    Long.toHexString(applied), link == null ? "gone" : "up");
            post(() -> snapshotFailed(gen, to, h, "no snapshot at " + Long.toHexString(zxid)));
            return;
        }
        activeSnapStreams.incrementAndGet(); // from here, no purge may remove the snapshot this SNAP streams
        try {
            if (exactSnapshotZxid != zxid || !storage.snapshots().list().contains(zxid)) {
                writeSnapshot(zxid, "SNAP");
                exactSnapshotZxid = zxid;
                txnsSinceSnapshot = 0;
            }
        } catch (IOException | RuntimeException e) {
            activeSnapStreams.decrementAndGet();
            LOG.error("zab {}: cannot write a snapshot for {}", self, to, e);
            post(() -> snapshotFailed(gen, to, h, "cannot write a snapshot: " + e));
            return;
        }
        try {
            snapSenders.execute(() -> {
                try {
                    streamSnapshot(gen, to, zxid, h, link);
                } finally {
                    activeSnapStreams.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            activeSnapStreams.decrementAndGet(); // closing
        }
    }

    /** Sender thread: BEGIN, chunks as the link drains (at most {@link #SNAP_SEND_WINDOW} unsent), END. */
    private void streamSnapshot(int gen, long to, long zxid, Held h, PeerLink link) {
        try (SnapshotStore.SnapshotReader r = storage.snapshots().open(zxid)
                .orElseThrow(() -> new IOException("the snapshot at " + Long.toHexString(zxid) + " is gone"))) {
            InputStream in = r.stream();
            link.send(ZabCodec.snapBegin(zxid));
            byte[] buf = new byte[ZabCodec.SNAP_CHUNK_BYTES];
            CRC32C crc = new CRC32C();
            long total = 0;
            while (true) {
                int n = in.readNBytes(buf, 0, buf.length);
                if (n == 0) {
                    break;
                }
                String stop = awaitWindow(gen, link);
                if (stop != null) {
                    post(() -> snapshotFailed(gen, to, h, stop));
                    return;
                }
                crc.update(buf, 0, n);
                total += n;
                link.send(ZabCodec.snapChunk(buf, n));
            }
            link.send(ZabCodec.snapEnd(total, (int) crc.getValue()));
            snapshotsSent.incrementAndGet();
            LOG.info("zab {}: sent the snapshot at {} to {} ({} bytes)", self, Long.toHexString(zxid), to, total);
            post(() -> snapshotSent(gen, to, h));
        } catch (IOException | RuntimeException e) {
            LOG.warn("zab {}: SNAP to {} failed: {}", self, to, e.toString());
            post(() -> snapshotFailed(gen, to, h, "SNAP failed: " + e));
        }
    }

    /** Waits until the link has room for another chunk; null when it has, else why the stream must stop. */
    private String awaitWindow(int gen, PeerLink link) {
        long deadline = ticker.nanoTime() + SNAP_SEND_STALL_NANOS;
        while (true) {
            if (closed || gen != generation) {
                return "the term ended";
            }
            if (!link.isOpen()) {
                return "the link closed";
            }
            if (link.pendingOutboundBytes() <= SNAP_SEND_WINDOW) {
                return null;
            }
            if (ticker.nanoTime() - deadline > 0) {
                return "the link did not drain for " + TimeUnit.NANOSECONDS.toSeconds(SNAP_SEND_STALL_NANOS) + " s";
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            if (Thread.interrupted()) {
                return "interrupted";
            }
        }
    }

    /**
     * Purge (driver thread, every {@code purgeIntervalMs}): keeps the newest {@code snapRetainCount} snapshots and
     * deletes the log files wholly at or below the oldest kept one, on the storage thread after the writes queued
     * before. Nothing a role needs is lost: every core reads the log only after the applied zxid, which is at or above
     * every local snapshot, and a leader DIFFs from its in-memory window. Skipped while a SNAP is being sent.
     */
    private void maybePurge() {
        if (policy.purgeIntervalMs() == 0 || failed) {
            return;
        }
        long now = ticker.nanoTime();
        if (nextPurgeNanos == 0) {
            nextPurgeNanos = now + TimeUnit.MILLISECONDS.toNanos(policy.purgeIntervalMs());
            return;
        }
        if (now - nextPurgeNanos < 0) {
            return;
        }
        nextPurgeNanos = now + TimeUnit.MILLISECONDS.toNanos(policy.purgeIntervalMs());
        if (activeSnapStreams.get() > 0) {
            return;
        }
        storageQueue.add(new Task(this::purge, new CompletableFuture<>()));
    }

    private void purge() throws IOException {
        snapshotLock.lock();
        try {
            storage.snapshots().retainNewest(policy.snapRetainCount());
            List<Long> kept = storage.snapshots().list();
            if (kept.size() >= policy.snapRetainCount()) {
                long oldest = kept.get(kept.size() - 1);
                storage.log().purgeUpTo(oldest);
                purges.incrementAndGet();
                LOG.info("zab {}: purged snapshots and log files below {}", self, Long.toHexString(oldest));
            }
        } finally {
            snapshotLock.unlock();
        }
    }
}
