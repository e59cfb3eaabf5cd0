package io.paddock.crash;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * Write load through chosen members of an ensemble, with a ledger of what was acknowledged. Each writer is one client
 * session, connected to one member (a follower, usually), issuing async creates {@code /load/w<i>/n-<k>} (data = the
 * name) with at most {@link #WINDOW} in flight. Every create is entered as sent before it is issued and as
 * acknowledged, with its zxid and the time, when its reply comes; a connection loss leaves its outcome unknown (it may
 * or may not have been applied).
 *
 * <p>{@link #check} reads one member's copy and holds it to the ledger: every acknowledged create is there with its
 * data, and nothing is there that was never sent.
 */
final class EnsembleLoad implements AutoCloseable {
    static final String ROOT = "/load";
    static final int WINDOW = 16;

    /** One acknowledged create: when (System.nanoTime) and at which zxid. */
    record Ack(String path, long zxid, long atNanos) {}

    private final List<WriterThread> writers = new ArrayList<>();
    private final Map<String, Ack> acked = new ConcurrentHashMap<>();
    private final Set<String> sent = ConcurrentHashMap.newKeySet();
    private final AtomicLong unknown = new AtomicLong();
    private final List<String> anomalies = java.util.Collections.synchronizedList(new ArrayList<>());

    /** One writer per connect string (each usually one member's address). */
    EnsembleLoad(List<String> connectStrings) throws Exception {
        try (ZooKeeper setup = Clients.connect(connectStrings.get(0), 30_000)) {
            ensure(setup, ROOT);
            for (int i = 0; i < connectStrings.size(); i++) {
                ensure(setup, ROOT + "/w" + i);
            }
        }
        for (int i = 0; i < connectStrings.size(); i++) {
            writers.add(new WriterThread(i, connectStrings.get(i)));
        }
    }

    private static void ensure(ZooKeeper zk, String path) throws Exception {
        try {
            zk.create(path, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        } catch (org.apache.zookeeper.KeeperException.NodeExistsException e) {
            // a second load in the same ensemble
        }
    }

    void start() {
        writers.forEach(WriterThread::begin);
    }

    /** Waits until every writer has {@code n} more acknowledged creates than when this was called. */
    void awaitAcksFromEveryWriter(int n, long timeoutMs) {
        long[] base = writers.stream().mapToLong(w -> w.acks.get()).toArray();
        Poll.untilTrue(timeoutMs, () -> n + " more acknowledged writes from every writer; now "
                + Arrays.toString(writers.stream().mapToLong(w -> w.acks.get()).toArray()) + " from "
                + Arrays.toString(base) + "; anomalies " + anomalies(), () -> {
                    for (int i = 0; i < writers.size(); i++) {
                        if (writers.get(i).acks.get() < base[i] + n) {
                            return false;
                        }
                    }
                    return true;
                });
    }

    /** Stops issuing writes and waits until every write issued has an outcome. */
    void stop(long timeoutMs) throws InterruptedException {
        for (WriterThread w : writers) {
            w.halt();
        }
        for (WriterThread w : writers) {
            w.drain(timeoutMs);
        }
    }

    long ackCount() {
        return acked.size();
    }

    long sentCount() {
        return sent.size();
    }

    long unknownCount() {
        return unknown.get();
    }

    long sessionExpiries() {
        return writers.stream().mapToLong(w -> w.expiries).sum();
    }

    List<String> anomalies() {
        synchronized (anomalies) {
            return new ArrayList<>(anomalies);
        }
    }

    /** The first acknowledgement at or after {@code fromNanos} whose zxid is in an epoch above {@code epoch}. */
    Ack firstAckAfter(long fromNanos, long epoch) {
        Ack first = null;
        for (Ack a : acked.values()) {
            if (a.atNanos >= fromNanos && (a.zxid >>> 32) > epoch && (first == null || a.atNanos < first.atNanos)) {
                first = a;
            }
        }
        return first;
    }

    /** One acknowledged create (the one with the highest zxid), or null. */
    Ack lastAck() {
        return acked.values().stream().max(java.util.Comparator.comparingLong(Ack::zxid)).orElse(null);
    }

    /** The highest epoch of any acknowledged zxid so far. */
    long highestAckedEpoch() {
        return acked.values().stream().mapToLong(a -> a.zxid >>> 32).max().orElse(0);
    }

    /**
     * Reads what {@code member} holds (through a client connected to it alone, after a {@code sync}) and checks it
     * against the ledger. Returns the list of problems (empty: every acknowledged write is there with its data, and
     * nothing unsent is) and fills {@code found} with the paths present.
     */
    List<String> check(String connectString, Set<String> found) throws Exception {
        List<String> problems = new ArrayList<>();
        try (ZooKeeper zk = Clients.connect(connectString, 30_000)) {
            Clients.sync(zk, ROOT);
            List<String> paths = new ArrayList<>();
            for (int i = 0; i < writers.size(); i++) {
                for (String child : Clients.children(zk, ROOT + "/w" + i)) {
                    paths.add(ROOT + "/w" + i + "/" + child);
                }
            }
            Map<String, byte[]> data = Clients.readAll(zk, paths);
            for (String p : paths) {
                if (!sent.contains(p)) {
                    problems.add("PHANTOM: " + p + " was never sent");
                }
                byte[] d = data.get(p);
                String name = p.substring(p.lastIndexOf('/') + 1);
                if (d != null && !name.equals(new String(d, StandardCharsets.US_ASCII))) {
                    problems.add("CORRUPT: " + p + " holds '" + new String(d, StandardCharsets.US_ASCII) + "'");
                }
            }
            Set<String> present = new HashSet<>(paths);
            for (Ack a : acked.values()) {
                if (!present.contains(a.path)) {
                    problems.add("LOST: " + a.path + " was acknowledged at zxid 0x" + Long.toHexString(a.zxid)
                            + " and is not on " + connectString);
                }
            }
            found.addAll(present);
        }
        return problems;
    }

    @Override
    public void close() throws InterruptedException {
        for (WriterThread w : writers) {
            w.halt();
        }
        for (WriterThread w : writers) {
            w.closeClient();
        }
    }

    /** One session writing through one connect string. */
    private final class WriterThread {
        private final int index;
        private final String connectString;
        private final Semaphore window = new Semaphore(WINDOW);
        private final AtomicLong acks = new AtomicLong();
        private final Thread thread;
        private volatile boolean halted;
        private volatile ZooKeeper zk;
        private volatile boolean expired;
        private long next;
        private long expiries;

        WriterThread(int index, String connectString) throws IOException {
            this.index = index;
            this.connectString = connectString;
            this.zk = newClient();
            this.thread = new Thread(this::run, "load-writer-" + index);
            this.thread.setDaemon(true);
        }

        private ZooKeeper newClient() throws IOException {
            return new ZooKeeper(connectString, Clients.SESSION_TIMEOUT_MS, event -> {
                if (event.getType() == Watcher.Event.EventType.None
                        && event.getState() == Watcher.Event.KeeperState.Expired) {
                    expired = true;
                }
            });
        }

        void begin() {
            thread.start();
        }

        private void run() {
            try {
                while (!halted) {
                    if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        continue;
                    }
                    if (halted) {
                        window.release();
                        return;
                    }
                    if (expired) {
                        // A session the ensemble expired: every call on it fails at once. Go on with a new one.
                        window.release();
                        replaceExpiredClient();
                        continue;
                    }
                    submit();
                }
            } catch (InterruptedException e) {
                // halted
            } catch (RuntimeException | IOException e) {
                anomalies.add("writer " + index + " failed: " + e);
            }
        }

        private void replaceExpiredClient() throws InterruptedException, IOException {
            // wait for the calls on the old session to come back before it is closed
            window.acquire(WINDOW);
            try {
                expiries++;
                zk.close();
                expired = false;
                zk = newClient();
            } finally {
                window.release(WINDOW);
            }
        }

        private void submit() {
            String path = ROOT + "/w" + index + "/n-" + (next++);
            String name = path.substring(path.lastIndexOf('/') + 1);
            sent.add(path);
            zk.create(path, name.getBytes(StandardCharsets.US_ASCII), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT, (AsyncCallback.Create2Callback) (rc, p, ctx, created, stat) -> {
                        try {
                            if (rc == Code.OK.intValue()) {
                                acked.put(path, new Ack(path, stat.getCzxid(), System.nanoTime()));
                                acks.incrementAndGet();
                            } else if (rc == Code.CONNECTIONLOSS.intValue() || rc == Code.SESSIONEXPIRED.intValue()
                                    || rc == Code.SESSIONMOVED.intValue()) {
                                unknown.incrementAndGet();
                            } else {
                                anomalies.add("create " + path + " failed: " + Code.get(rc));
                            }
                        } finally {
                            window.release();
                        }
                    }, null);
        }

        void halt() {
            halted = true;
        }

        void drain(long timeoutMs) throws InterruptedException {
            thread.join(timeoutMs);
            if (!window.tryAcquire(WINDOW, timeoutMs, TimeUnit.MILLISECONDS)) {
                throw new AssertionError("writer " + index + ": " + (WINDOW - window.availablePermits())
                        + " writes still without an outcome after " + timeoutMs + " ms");
            }
            window.release(WINDOW);
        }

        void closeClient() throws InterruptedException {
            thread.interrupt();
            thread.join(10_000);
            zk.close();
        }
    }
}
