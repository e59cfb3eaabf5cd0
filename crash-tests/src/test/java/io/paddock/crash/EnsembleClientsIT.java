package io.paddock.crash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.atomic.AtomicValue;
import org.apache.curator.framework.recipes.atomic.DistributedAtomicLong;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;

/**
 * A real 3-voter ensemble with an observer: the official client and Curator connected to a follower and to the
 * observer write and read, see each other's writes and watches, hold a lock against each other; then every member
 * holds the same tree, at the same zxid, with the same {@code hash} digests.
 */
class EnsembleClientsIT {
    private static final long TIMEOUT_MS = 60_000;
    private static final byte[] EMPTY = new byte[0];

    @Test
    void clientsOnAFollowerAndAnObserverWorkTogetherAndEveryMemberConverges() throws Exception {
        Path work = Ensemble.workDir("clients");
        try (Ensemble ensemble = new Ensemble(work, 3, 1, Map.of()).start()) {
            Ensemble.Member leader = ensemble.awaitLeader(TIMEOUT_MS);
            Ensemble.Member follower = ensemble.followers().get(0);
            Ensemble.Member observer = ensemble.member(4);
            assertEquals("observer", observer.mode(), "server.4 is configured as an observer: " + ensemble.modes());
            assertNotEquals(leader, follower);

            try (ZooKeeper onFollower = Clients.connect(follower.connectString(), TIMEOUT_MS);
                    ZooKeeper onObserver = Clients.connect(observer.connectString(), TIMEOUT_MS)) {
                officialClient(onFollower, onObserver, observer.connectString());
            }
            curator(follower, observer);
            bulk(observer, follower);

            long zxid = ensemble.awaitSameZxid(TIMEOUT_MS);
            Map<Integer, Map<String, String>> trees = new TreeMap<>();
            for (Ensemble.Member m : ensemble.members()) {
                try (ZooKeeper zk = Clients.connect(m.connectString(), TIMEOUT_MS)) {
                    trees.put(m.sid, Clients.tree(zk, "/"));
                }
            }
            Map<String, String> reference = trees.get(leader.sid);
            assertTrue(reference.containsKey("/bulk/n-299"), "the leader holds the bulk writes");
            trees.forEach((sid, tree) -> assertEquals(reference, tree, "server." + sid + " differs from the leader"));
            int compared = compareHashes(ensemble);
            System.out.printf("[ensemble clients] 3 voters + 1 observer converged at zxid 0x%x: %d znodes identical on"
                    + " every member, %d hash digests compared%n", zxid, reference.size(), compared);
        } catch (Throwable t) {
            throw new AssertionError(t.getMessage() + "\nServer logs kept in " + work, t);
        }
        Ensemble.cleanUp(work);
    }

    /** Writes on both, reads on both, a watch across members, an ephemeral that goes with its session, a multi. */
    private static void officialClient(ZooKeeper onFollower, ZooKeeper onObserver, String observerAddress)
            throws Exception {
        onFollower.create("/clients", EMPTY, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        onObserver.create("/clients/from-observer", bytes("o1"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        // a session reads its own writes at once, on the member it is connected to
        assertArrayEquals(bytes("o1"), onObserver.getData("/clients/from-observer", false, null));
        onFollower.create("/clients/from-follower", bytes("f1"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        assertArrayEquals(bytes("f1"), onFollower.getData("/clients/from-follower", false, null));

        // after sync, each sees the other's write
        Clients.sync(onFollower, "/clients");
        assertArrayEquals(bytes("o1"), onFollower.getData("/clients/from-observer", false, null));
        Clients.sync(onObserver, "/clients");
        assertArrayEquals(bytes("f1"), onObserver.getData("/clients/from-follower", false, null));

        // a watch set on the follower fires for a write made through the observer
        CountDownLatch changed = new CountDownLatch(1);
        onFollower.getData("/clients/from-observer", event -> {
            if (event.getType() == Watcher.Event.EventType.NodeDataChanged) {
                changed.countDown();
            }
        }, null);
        onObserver.setData("/clients/from-observer", bytes("o2"), 0);
        assertTrue(changed.await(TIMEOUT_MS, TimeUnit.MILLISECONDS), "the follower's watch fired");
        assertArrayEquals(bytes("o2"), onFollower.getData("/clients/from-observer", false, null));

        // sequential names are unique across members
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            names.add(onFollower.create("/clients/seq-", EMPTY, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT_SEQUENTIAL));
            names.add(onObserver.create("/clients/seq-", EMPTY, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT_SEQUENTIAL));
        }
        assertEquals(names.size(), names.stream().distinct().count(), "sequential names " + names);

        // a multi through the observer, and a failing one that changes nothing
        onObserver.multi(List.of(
                Op.create("/clients/multi-a", bytes("a"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                Op.setData("/clients/from-follower", bytes("f2"), 0)));
        try {
            onObserver.multi(List.of(
                    Op.create("/clients/multi-b", bytes("b"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                    Op.setData("/clients/from-follower", bytes("f3"), 0)));
            throw new AssertionError("a multi with a stale version succeeded");
        } catch (KeeperException.BadVersionException expected) {
            // the whole multi is refused
        }
        Clients.sync(onFollower, "/clients");
        assertArrayEquals(bytes("f2"), onFollower.getData("/clients/from-follower", false, null));
        assertNotNull(onFollower.exists("/clients/multi-a", false));
        assertEquals(null, onFollower.exists("/clients/multi-b", false));

        // an ephemeral made through the observer goes away, everywhere, when its session closes
        try (ZooKeeper owner = Clients.connect(observerAddress, TIMEOUT_MS)) {
            owner.create("/clients/ephemeral", EMPTY, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            Clients.sync(onFollower, "/clients");
            assertEquals(owner.getSessionId(), onFollower.exists("/clients/ephemeral", false).getEphemeralOwner());
        }
        CountDownLatch gone = new CountDownLatch(1);
        if (onFollower.exists("/clients/ephemeral", event -> {
            if (event.getType() == Watcher.Event.EventType.NodeDeleted) {
                gone.countDown();
            }
        }) != null) {
            assertTrue(gone.await(TIMEOUT_MS, TimeUnit.MILLISECONDS), "the ephemeral is deleted with its session");
        }
    }

    /** Curator on the follower and on the observer: parents created on demand, a lock, a shared counter. */
    private static void curator(Ensemble.Member follower, Ensemble.Member observer) throws Exception {
        try (CuratorFramework onFollower = curatorClient(follower); CuratorFramework onObserver = curatorClient(observer)) {
            onFollower.create().creatingParentsIfNeeded().forPath("/curator/a/b/c", bytes("deep"));
            onObserver.sync().forPath("/curator");
            assertArrayEquals(bytes("deep"), onObserver.getData().forPath("/curator/a/b/c"));

            InterProcessMutex lockF = new InterProcessMutex(onFollower, "/curator/lock");
            InterProcessMutex lockO = new InterProcessMutex(onObserver, "/curator/lock");
            assertTrue(lockF.acquire(TIMEOUT_MS, TimeUnit.MILLISECONDS));
            assertFalse(lockO.acquire(300, TimeUnit.MILLISECONDS), "the lock is held through the follower");
            CompletableFuture<Boolean> observerGotIt = new CompletableFuture<>();
            Thread waiter = new Thread(() -> {
                try {
                    // the mutex belongs to the thread that acquired it: released here
                    boolean got = lockO.acquire(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    if (got) {
                        lockO.release();
                    }
                    observerGotIt.complete(got);
                } catch (Exception e) {
                    observerGotIt.completeExceptionally(e);
                }
            }, "curator-lock-waiter");
            waiter.start();
            lockF.release();
            assertTrue(observerGotIt.get(TIMEOUT_MS, TimeUnit.MILLISECONDS), "the observer's client got the lock");
            waiter.join(TIMEOUT_MS);

            DistributedAtomicLong countF = new DistributedAtomicLong(onFollower, "/curator/count",
                    new RetryNTimes(50, 10));
            DistributedAtomicLong countO = new DistributedAtomicLong(onObserver, "/curator/count",
                    new RetryNTimes(50, 10));
            for (int i = 0; i < 10; i++) {
                assertTrue(countF.increment().succeeded());
                assertTrue(countO.increment().succeeded());
            }
            onFollower.sync().forPath("/curator/count");
            AtomicValue<Long> value = countF.get();
            assertTrue(value.succeeded());
            assertEquals(20L, value.postValue());
        }
    }

    private static CuratorFramework curatorClient(Ensemble.Member m) throws InterruptedException {
        CuratorFramework c = CuratorFrameworkFactory.newClient(m.connectString(), Clients.SESSION_TIMEOUT_MS,
                15_000, new RetryNTimes(10, 200));
        c.start();
        assertTrue(c.blockUntilConnected((int) TIMEOUT_MS, TimeUnit.MILLISECONDS), "Curator connected to " + m);
        return c;
    }

    /** 300 async creates through the observer (pipelined), read back on the follower: past a few hash points. */
    private static void bulk(Ensemble.Member observer, Ensemble.Member follower) throws Exception {
        try (ZooKeeper zk = Clients.connect(observer.connectString(), TIMEOUT_MS)) {
            zk.create("/bulk", EMPTY, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            List<CompletableFuture<Integer>> replies = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                CompletableFuture<Integer> f = new CompletableFuture<>();
                replies.add(f);
                zk.create("/bulk/n-" + i, bytes("n-" + i), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
                        (AsyncCallback.StringCallback) (rc, path, ctx, name) -> f.complete(rc), null);
            }
            for (CompletableFuture<Integer> f : replies) {
                assertEquals(KeeperException.Code.OK.intValue(), f.get(TIMEOUT_MS, TimeUnit.MILLISECONDS));
            }
        }
        try (ZooKeeper zk = Clients.connect(follower.connectString(), TIMEOUT_MS)) {
            Clients.sync(zk, "/bulk");
            assertEquals(300, zk.getChildren("/bulk", false).size());
        }
    }

    /**
     * The {@code hash} lines ({@code <zxid>: <digest>}) of every member: at a zxid two members both list, the digests
     * must be equal. Returns how many (zxid, member) pairs were compared; at least one zxid must be common to all.
     */
    private static int compareHashes(Ensemble ensemble) {
        Map<String, String> first = new HashMap<>();
        Map<String, Integer> seenBy = new HashMap<>();
        int compared = 0;
        for (Ensemble.Member m : ensemble.members()) {
            String answer = m.ask("hash");
            assertNotNull(answer, m + " answers hash");
            for (String line : answer.split("\n")) {
                String[] parts = line.split(": ");
                if (parts.length != 2) {
                    continue;
                }
                String earlier = first.putIfAbsent(parts[0], parts[1]);
                if (earlier != null) {
                    assertEquals(earlier, parts[1], m + " digest at zxid 0x" + parts[0]);
                    compared++;
                }
                seenBy.merge(parts[0], 1, Integer::sum);
            }
        }
        int members = ensemble.members().size();
        assertTrue(seenBy.values().stream().anyMatch(n -> n == members),
                "a hash point common to every member: " + seenBy);
        return compared;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
