package io.paddock.server;

import io.paddock.api.replication.ForwardedRequest;
import io.paddock.api.replication.NotLeaderException;
import io.paddock.api.replication.Replicator;
import io.paddock.api.replication.Role;
import io.paddock.api.replication.StateMachine;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replication for a single server: assigns zxids in proposal order and applies each txn on one thread. It sits
 * behind the same {@link Replicator}/{@link StateMachine} seam as ZAB, so standalone and ensemble share one request
 * path. The apply loop drains everything queued at once, which is where the storage engines will do their group
 * commit (one sync per batch, before any txn of the batch is applied and acknowledged). Until then txns are applied
 * from memory only.
 */
public final class StandaloneReplicator implements Replicator, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StandaloneReplicator.class);

    private sealed interface Entry permits Proposal, SyncMarker, Stop {}

    private record Proposal(long zxid, ByteBuffer txn, Object context) implements Entry {}

    private record SyncMarker(Object context) implements Entry {}

    private record Stop() implements Entry {}

    private final StateMachine stateMachine;
    private final BlockingQueue<Entry> queue;
    private volatile long lastProposed;
    private volatile boolean running;
    private Thread thread;

    /**
     * @param queueCapacity proposals that may wait to be applied; when full, {@link #propose} blocks the prepare
     *                      thread, which in turn stops taking requests (back-pressure)
     */
    public StandaloneReplicator(StateMachine stateMachine, int queueCapacity) {
        this.stateMachine = stateMachine;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.lastProposed = stateMachine.lastAppliedZxid();
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        lastProposed = Math.max(lastProposed, stateMachine.lastAppliedZxid());
        stateMachine.roleChanged(Role.STANDALONE);
        thread = new Thread(this::applyLoop, "paddock-apply");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public Role role() {
        return Role.STANDALONE;
    }

    @Override
    public long propose(ByteBuffer txn, Object context) throws NotLeaderException {
        if (!running) {
            throw new NotLeaderException("standalone replicator is not running");
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
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, 4095);
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
                    return;
                }
            }
            batch.clear();
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
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
