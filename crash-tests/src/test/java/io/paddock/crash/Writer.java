package io.paddock.crash;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * The load: one thread issuing async writes through the official client, at most {@link #WINDOW} in flight, so a kill
 * always finds writes queued in the server, some logged but not synced, some synced but not yet acknowledged. Every
 * write is entered in the {@link Ledger} as sent before it is issued, and as acknowledged when its reply comes.
 *
 * <p>{@link #stopAndKill} stops the load and kills the server in one step under the submit lock, so no write can be
 * issued after the kill (the client would queue it for the next server, muddling the rounds).
 */
final class Writer {
    static final int WINDOW = 32;

    private final ZooKeeper zk;
    private final Ledger ledger;
    private final Random random;
    private final Semaphore window = new Semaphore(WINDOW);
    private final AtomicInteger inflight = new AtomicInteger();
    private final ReentrantLock submitLock = new ReentrantLock();
    private final Condition submitted = submitLock.newCondition();
    private final CountDownLatch firstAck = new CountDownLatch(1);
    private final Thread thread;
    private boolean stopped;

    Writer(ZooKeeper zk, Ledger ledger, long seed) {
        this.zk = zk;
        this.ledger = ledger;
        this.random = new Random(seed);
        this.thread = new Thread(this::run, "crash-writer");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Waits for this load's first acknowledged write: the server is serving it. */
    void awaitFirstAck(long timeoutMs) throws InterruptedException {
        if (!firstAck.await(timeoutMs, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("no write acknowledged within " + timeoutMs + " ms of starting the load");
        }
    }

    private void run() {
        try {
            while (true) {
                window.acquire();
                submitLock.lock();
                try {
                    if (stopped) {
                        window.release();
                        return;
                    }
                    inflight.incrementAndGet();
                    submitOne();
                    submitted.signalAll();
                } finally {
                    submitLock.unlock();
                }
            }
        } catch (InterruptedException e) {
            // stopped
        } catch (RuntimeException e) {
            ledger.anomaly("the writer failed: " + e);
        }
    }

    private void submitOne() {
        long op = ledger.nextOp();
        int pick = random.nextInt(10);
        if (pick < 4) {
            String name = ledger.sendNode(op);
            zk.create(Ledger.NODES + "/" + name, name.getBytes(StandardCharsets.US_ASCII), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT, (AsyncCallback.Create2Callback) (rc, path, ctx, created, stat) -> done(() -> {
                        if (rc == Code.OK.intValue()) {
                            ledger.ackNode(name, stat.getCzxid());
                            firstAck.countDown();
                        } else {
                            failed("create " + path, rc);
                        }
                    }), null);
        } else if (pick < 7) {
            String id = ledger.sendSeq(op);
            zk.create(Ledger.SEQ + "/" + Ledger.SEQ_PREFIX, id.getBytes(StandardCharsets.US_ASCII),
                    ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL,
                    (AsyncCallback.Create2Callback) (rc, path, ctx, created, stat) -> done(() -> {
                        if (rc == Code.OK.intValue()) {
                            ledger.ackSeq(id, created, stat.getCzxid());
                            firstAck.countDown();
                        } else {
                            failed("sequential create " + id, rc);
                        }
                    }), null);
        } else if (pick < 8) {
            String id = ledger.sendMulti(op);
            byte[] data = id.getBytes(StandardCharsets.US_ASCII);
            zk.multi(List.of(
                    Op.create(Ledger.MULTI + "/" + id + "-a", data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                    Op.create(Ledger.MULTI + "/" + id + "-b", data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                    // the setData's Stat carries the multi's zxid, for the zxid rule
                    Op.setData(Ledger.MULTI, data, -1)),
                    (rc, path, ctx, results) -> done(() -> {
                        if (rc == Code.OK.intValue()) {
                            ledger.ackMulti(id, ((OpResult.SetDataResult) results.get(2)).getStat().getMzxid());
                            firstAck.countDown();
                        } else {
                            failed("multi " + id, rc);
                        }
                    }), null);
        } else {
            ledger.sendCounter(op);
            zk.setData(Ledger.COUNTER, Long.toString(op).getBytes(StandardCharsets.US_ASCII), -1,
                    (rc, path, ctx, stat) -> done(() -> {
                        if (rc == Code.OK.intValue()) {
                            ledger.ackCounter(op, stat.getMzxid());
                            firstAck.countDown();
                        } else {
                            failed("setData " + path + " " + op, rc);
                        }
                    }), null);
        }
    }

    /** Runs on the client's event thread, in reply order. */
    private void done(Runnable record) {
        try {
            record.run();
        } finally {
            inflight.decrementAndGet();
            window.release();
        }
    }

    private void failed(String what, int rc) {
        if (rc == Code.CONNECTIONLOSS.intValue()) {
            ledger.unknown(); // the server died with it: maybe applied, maybe not
        } else {
            ledger.anomaly(what + " failed: " + Code.get(rc));
        }
    }

    /**
     * Stops the load and SIGKILLs the server in the same moment: waits (bounded) until writes are in flight, so the
     * kill lands mid-load, then sends the signal with the submit lock held. Returns the writes in flight at the kill.
     */
    int stopAndKill(ServerProcess server, long timeoutMs) throws InterruptedException {
        int atKill;
        submitLock.lock();
        try {
            long left = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (inflight.get() == 0) {
                if (left <= 0) {
                    throw new AssertionError("no write in flight for " + timeoutMs + " ms: the load stalled");
                }
                left = submitted.awaitNanos(left);
            }
            stopped = true;
            atKill = inflight.get();
            server.sigkill();
        } finally {
            submitLock.unlock();
        }
        thread.interrupt();
        thread.join(TimeUnit.SECONDS.toMillis(30));
        return atKill;
    }

    /** Waits until every write issued has its outcome (a reply or a connection loss). */
    void drain(long timeoutMs) throws InterruptedException {
        if (!window.tryAcquire(WINDOW, timeoutMs, TimeUnit.MILLISECONDS)) {
            throw new AssertionError(inflight.get() + " writes still without an outcome " + timeoutMs
                    + " ms after the kill");
        }
        window.release(WINDOW);
    }
}
