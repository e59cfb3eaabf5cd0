package io.paddock.server;

import io.paddock.api.replication.ForwardedRequest;
import io.paddock.api.replication.NotLeaderException;
import io.paddock.api.replication.Replicator;
import io.paddock.api.replication.Role;
import io.paddock.api.replication.StateMachine;
import io.paddock.api.storage.SnapshotStore;
import io.paddock.api.storage.Storage;
import io.paddock.api.storage.TxnCursor;
import io.paddock.api.time.Ticker;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replication for a single server: assigns zxids in proposal order, logs them, and applies them on one thread. It
 * sits behind the same {@link Replicator}/{@link StateMachine} seam as ZAB, so standalone and ensemble share one
 * request path.
 *
 * <p>Group commit: the apply thread drains everything queued, appends it all, syncs once, and only then applies (and
 * so acknowledges) any txn of the batch. Nothing is acknowledged before the sync that covers it.
 *
 * <p>Storage failure (EIO, disk full): the log is poisoned, so the server stops serving (role LOOKING: clients are
 * disconnected, new ones refused) and nothing of the failed batch is applied. Every second the replicator reopens the
 * storage, cuts the log back to the last applied txn (the failed batch was never acknowledged) and serves again.
 *
 * <p>Snapshots are fuzzy: taken on a background thread while writes go on, after a number of txns chosen at random in
 * [snapCount/2, snapCount] as ZooKeeper does, so the servers of an ensemble do not all snapshot at once.
 */
public final class StandaloneReplicator implements Replicator, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StandaloneReplicator.class);
    private static final int BATCH_MAX = 4096;
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** Reopens storage after a failure. */
    @FunctionalInterface
    public interface StorageOpener {
        Storage open() throws IOException;
    }

    /**
     * Durability settings.
     *
     * @param opener           opens the storage (at start and after a failure)
     * @param snapCount        txns between snapshots, randomised in [snapCount/2, snapCount] ({@code snapCount})
     * @param snapRetainCount  snapshots kept by purge ({@code autopurge.snapRetainCount}, at least 3)
     * @param purgeIntervalMs  how often purge runs; 0 disables it ({@code autopurge.purgeInterval}, hours in zoo.cfg)
     * @param ticker           monotonic time for the purge schedule
     * @param random           picks the snapshot thresholds
     */
    public record Durability(StorageOpener opener, int snapCount, int snapRetainCount, long purgeIntervalMs,
            Ticker ticker, Random random) {
        public Durability {
            if (snapCount < 2) {
                throw new IllegalArgumentException("snapCount must be at least 2: " + snapCount);
            }
            snapRetainCount = Math.max(3, snapRetainCount);
        }
    }

    private sealed interface Entry permits Proposal, SyncMarker, Stop {}

    private record Proposal(long zxid, ByteBuffer txn, Object context) implements Entry {}

    private record SyncMarker(Object context) implements Entry {}

    private record Stop() implements Entry {}

    private final StateMachine stateMachine;
    private final BlockingQueue<Entry> queue;
    private final Durability durability;
    private final AtomicBoolean snapshotting = new AtomicBoolean();
    private volatile Storage storage;
    private volatile long lastProposed;
    private volatile boolean running;
    private volatile boolean failed;
    private Thread thread;
    private Thread snapshotThread;
    private long txnsSinceSnapshot;
    private long snapshotThreshold;
    private long nextPurgeNanos;
    private long nextRetryNanos;

    /** A replicator that keeps nothing on disk (tests, and servers run without a storage plugin). */
    public StandaloneReplicator(StateMachine stateMachine, int queueCapacity) {
        this(stateMachine, queueCapacity, null);
    }

    /**
     * @param queueCapacity proposals that may wait to be logged; when full, {@link #propose} blocks the prepare
     *                      thread, which in turn stops taking requests (back-pressure)
     * @param durability    where and how to log; null keeps everything in memory
     */
    public StandaloneReplicator(StateMachine stateMachine, int queueCapacity, Durability durability) {
        this.stateMachine = stateMachine;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.durability = durability;
        this.lastProposed = stateMachine.lastAppliedZxid();
    }

    /** Opens storage, restores the newest snapshot, replays the log after it, then starts applying. */
    public synchronized void start() throws IOException {
        if (running) {
            return;
        }
        if (durability != null) {
            storage = durability.opener().open();
            recover();
            snapshotThreshold = nextThreshold();
            if (durability.purgeIntervalMs() > 0) {
                nextPurgeNanos = durability.ticker().nanoTime()
                        + TimeUnit.MILLISECONDS.toNanos(durability.purgeIntervalMs());
            }
        }
        lastProposed = Math.max(lastProposed, stateMachine.lastAppliedZxid());
        running = true;
        stateMachine.roleChanged(Role.STANDALONE);
        thread = new Thread(this::applyLoop, "paddock-apply");
        thread.setDaemon(true);
        thread.start();
    }

    private void recover() throws IOException {
        long snapZxid = 0;
        Optional<SnapshotStore.SnapshotReader> latest = storage.snapshots().openLatest();
        if (latest.isPresent()) {
            try (SnapshotStore.SnapshotReader reader = latest.get()) {
                stateMachine.restoreSnapshot(reader.stream(), reader.zxid());
                snapZxid = reader.zxid();
            }
        }
        long replayed = 0;
        try (TxnCursor cursor = storage.log().readAfter(snapZxid)) {
            while (cursor.next()) {
                stateMachine.apply(cursor.zxid(), cursor.txn(), null);
                replayed++;
            }
        }
        lastProposed = Math.max(snapZxid, Math.max(storage.log().lastZxid(), stateMachine.lastAppliedZxid()));
        txnsSinceSnapshot = replayed;
        LOG.info("recovered: snapshot at 0x{}, {} txns replayed from the log, last zxid 0x{}",
                Long.toHexString(snapZxid), replayed, Long.toHexString(lastProposed));
    }

    private long nextThreshold() {
        int half = durability.snapCount() / 2;
        return half + durability.random().nextInt(durability.snapCount() - half + 1);
    }

    @Override
    public Role role() {
        return failed ? Role.LOOKING : Role.STANDALONE;
    }

    @Override
    public long propose(ByteBuffer txn, Object context) throws NotLeaderException {
        if (!running || failed) {
            throw new NotLeaderException(failed ? "storage failed; not accepting writes" : "not running");
        }
        long zxid = lastProposed + 1;
        put(new Proposal(zxid, txn, context));
        lastProposed = zxid;
        return zxid;
    }

    @Override
    public void forward(ForwardedRequest request) throws NotLeaderException {
        throw new NotLeaderException("a standalone server prepares every write itself");
    }

    @Override
    public void sync(Object context) {
        put(new SyncMarker(context));
    }

    @Override
    public void touchSession(long sessionId, int timeoutMs) {
        // The standalone server tracks its own sessions; nothing to report.
    }

    @Override
    public long lastProposedZxid() {
        return lastProposed;
    }

    private void put(Entry e) {
        try {
            queue.put(e);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while queueing a proposal", ie);
        }
    }

    private void applyLoop() {
        List<Entry> batch = new ArrayList<>(256);
        while (true) {
            try {
                Entry first = queue.poll(1, TimeUnit.SECONDS);
                if (first != null) {
                    batch.add(first);
                    queue.drainTo(batch, BATCH_MAX - 1);
                }
            } catch (InterruptedException e) {
                return;
            }
            if (failed) {
                tryToRecover(batch);
                batch.clear();
                continue;
            }
            if (!batch.isEmpty() && !logAndApply(batch)) {
                return;
            }
            batch.clear();
            housekeeping();
        }
    }

    /** Returns false when the loop should stop. */
    private boolean logAndApply(List<Entry> batch) {
        if (storage != null) {
            int proposals = 0;
            try {
                for (Entry e : batch) {
                    if (e instanceof Proposal p) {
                        storage.log().append(p.zxid(), p.txn().duplicate());
                        proposals++;
                    }
                }
                if (proposals > 0) {
                    storage.log().sync();
                }
            } catch (IOException | RuntimeException ex) {
                fail(ex);
                return true;
            }
            txnsSinceSnapshot += proposals;
        }
        for (Entry e : batch) {
            if (e instanceof Proposal p) {
                try {
                    stateMachine.apply(p.zxid(), p.txn(), p.context());
                } catch (RuntimeException ex) {
                    LOG.error("applying txn 0x{} failed", Long.toHexString(p.zxid()), ex);
                }
            } else if (e instanceof SyncMarker s) {
                stateMachine.syncCompleted(s.context());
            } else {
                return false;
            }
        }
        return true;
    }

    private void fail(Exception cause) {
        LOG.error("storage failed; no longer accepting writes until it works again (last applied zxid 0x{})",
                Long.toHexString(stateMachine.lastAppliedZxid()), cause);
        failed = true;
        stateMachine.roleChanged(Role.LOOKING);
        nextRetryNanos = durability.ticker().nanoTime() + RETRY_NANOS;
    }

    /**
     * Reopens the storage and cuts the log back to what was applied: the failed batch was never acknowledged, and
     * with the old file handle poisoned we cannot know which of its bytes reached the disk.
     */
    private void tryToRecover(List<Entry> dropped) {
        for (Entry e : dropped) {
            if (e instanceof Stop) {
                running = false;
                return;
            }
        }
        long now = durability.ticker().nanoTime();
        if (now < nextRetryNanos) {
            return;
        }
        nextRetryNanos = now + RETRY_NANOS;
        try {
            Storage old = storage;
            if (old != null) {
                old.close();
            }
            Storage reopened = durability.opener().open();
            long applied = stateMachine.lastAppliedZxid();
            if (reopened.log().lastZxid() > applied) {
                reopened.log().truncateAfter(applied);
            }
            storage = reopened;
            queue.clear();
            lastProposed = applied;
            failed = false;
            LOG.info("storage works again; serving from zxid 0x{}", Long.toHexString(applied));
            stateMachine.roleChanged(Role.STANDALONE);
        } catch (IOException | RuntimeException ex) {
            LOG.warn("storage still failing: {}", ex.toString());
        }
    }

    private void housekeeping() {
        if (storage == null) {
            return;
        }
        if (txnsSinceSnapshot >= snapshotThreshold && snapshotting.compareAndSet(false, true)) {
            txnsSinceSnapshot = 0;
            snapshotThreshold = nextThreshold();
            startSnapshot(stateMachine.lastAppliedZxid());
        }
        if (durability.purgeIntervalMs() > 0 && durability.ticker().nanoTime() >= nextPurgeNanos) {
            nextPurgeNanos = durability.ticker().nanoTime() + TimeUnit.MILLISECONDS.toNanos(durability.purgeIntervalMs());
            purge();
        }
    }

    /** Writes a fuzzy snapshot from {@code zxid} on a background thread while the apply thread goes on. */
    private void startSnapshot(long zxid) {
        Storage target = storage;
        snapshotThread = new Thread(() -> {
            long started = durability.ticker().nanoTime();
            try (SnapshotStore.SnapshotWriter writer = target.snapshots().begin(zxid)) {
                stateMachine.writeSnapshot(writer.stream());
                writer.commit();
                LOG.info("snapshot at 0x{} written in {} ms", Long.toHexString(zxid),
                        TimeUnit.NANOSECONDS.toMillis(durability.ticker().nanoTime() - started));
            } catch (IOException | RuntimeException e) {
                LOG.warn("snapshot at 0x{} failed; the log still holds everything", Long.toHexString(zxid), e);
            } finally {
                snapshotting.set(false);
            }
        }, "paddock-snapshot");
        snapshotThread.setDaemon(true);
        snapshotThread.start();
    }

    /** Keeps the newest snapshots and the log they need (autopurge); runs on the apply thread, the log's writer. */
    private void purge() {
        try {
            SnapshotStore snapshots = storage.snapshots();
            snapshots.retainNewest(durability.snapRetainCount());
            List<Long> kept = snapshots.list();
            if (kept.size() >= durability.snapRetainCount()) {
                storage.log().purgeUpTo(kept.get(kept.size() - 1));
            }
        } catch (IOException e) {
            LOG.warn("purge failed", e);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
        }
        queue.clear();
        queue.offer(new Stop());
        try {
            thread.join(5000);
            Thread snap = snapshotThread;
            if (snap != null) {
                snap.join(30_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Storage s = storage;
        if (s != null) {
            s.close();
        }
    }
}
