package io.paddock.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.compat.fixture.Clients;
import io.paddock.compat.fixture.EventRecorder;
import io.paddock.compat.fixture.ServerUnderTest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.atomic.AtomicValue;
import org.apache.curator.framework.recipes.atomic.DistributedAtomicLong;
import org.apache.curator.framework.recipes.barriers.DistributedBarrier;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Curator 5 recipes, each with several independent clients (sessions) competing. */
class CuratorRecipesIT {

    private static final int CLIENTS = 3;
    private static final long WAIT_S = EventRecorder.WAIT.toSeconds();

    private static ServerUnderTest server;
    private final List<CuratorFramework> clients = new ArrayList<>();
    private ExecutorService pool;

    @BeforeAll
    static void start() throws Exception {
        server = ServerUnderTest.start();
    }

    @AfterAll
    static void stop() {
        Clients.closeQuietly(server);
    }

    @BeforeEach
    void connect() throws Exception {
        for (int i = 0; i < CLIENTS; i++) {
            CuratorFramework c = Clients.curator(server.connectString());
            assertTrue(c.blockUntilConnected((int) WAIT_S, TimeUnit.SECONDS), "curator client did not connect");
            clients.add(c);
        }
        pool = Executors.newFixedThreadPool(CLIENTS);
    }

    @AfterEach
    void disconnect() throws Exception {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(WAIT_S, TimeUnit.SECONDS));
        clients.forEach(Clients::closeQuietly);
    }

    @Test
    void interProcessMutexAdmitsOneHolderAtATimeAcrossClients() throws Exception {
        int rounds = 5;
        AtomicInteger holders = new AtomicInteger();
        AtomicInteger maxHolders = new AtomicInteger();
        AtomicInteger acquisitions = new AtomicInteger();
        List<Future<?>> workers = new ArrayList<>();
        for (CuratorFramework client : clients) {
            InterProcessMutex mutex = new InterProcessMutex(client, "/curator/mutex");
            workers.add(pool.submit(() -> {
                for (int i = 0; i < rounds; i++) {
                    assertTrue(mutex.acquire(WAIT_S, TimeUnit.SECONDS), "lock not acquired in time");
                    try {
                        int now = holders.incrementAndGet();
                        maxHolders.accumulateAndGet(now, Math::max);
                        acquisitions.incrementAndGet();
                        // give a competitor the chance to barge in while the lock is held
                        Thread.yield();
                        holders.decrementAndGet();
                    } finally {
                        mutex.release();
                    }
                }
                return null;
            }));
        }
        for (Future<?> w : workers) {
            w.get(WAIT_S * 2, TimeUnit.SECONDS);
        }
        assertEquals(1, maxHolders.get(), "two clients held the mutex at once");
        assertEquals(CLIENTS * rounds, acquisitions.get());
        assertEquals(List.of(), clients.get(0).getChildren().forPath("/curator/mutex"),
                "every lock node was removed on release");
    }

    @Test
    void leaderLatchElectsExactlyOneLeaderAndFailsOverWhenItCloses() throws Exception {
        List<LeaderLatch> latches = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            LeaderLatch latch = new LeaderLatch(clients.get(i), "/curator/leader", "member-" + i);
            latch.start();
            latches.add(latch);
        }
        try {
            Clients.awaitCondition("one leader is elected", () -> leaders(latches).size() == 1);
            LeaderLatch leader = leaders(latches).get(0);
            Clients.awaitCondition("every member agrees on the leader", () -> latches.stream().allMatch(l -> {
                try {
                    return l.getLeader().getId().equals(leader.getId());
                } catch (Exception e) {
                    return false;
                }
            }));

            leader.close();
            latches.remove(leader);

            Clients.awaitCondition("another member takes over", () -> leaders(latches).size() == 1);
            assertFalse(latches.contains(leader));
            assertEquals(1, leaders(latches).size());
        } finally {
            for (LeaderLatch l : latches) {
                Clients.closeQuietly(l);
            }
        }
    }

    private static List<LeaderLatch> leaders(List<LeaderLatch> latches) {
        return latches.stream().filter(LeaderLatch::hasLeadership).toList();
    }

    @Test
    void distributedAtomicLongSumsConcurrentIncrementsFromSeveralClients() throws Exception {
        int perClient = 20;
        List<Future<?>> workers = new ArrayList<>();
        for (CuratorFramework client : clients) {
            DistributedAtomicLong counter = new DistributedAtomicLong(client, "/curator/counter",
                    new RetryNTimes(1_000, 1));
            workers.add(pool.submit(() -> {
                for (int i = 0; i < perClient; i++) {
                    AtomicValue<Long> result = counter.increment();
                    assertTrue(result.succeeded(), "increment gave up under contention");
                    assertEquals(result.preValue() + 1, (long) result.postValue());
                }
                return null;
            }));
        }
        for (Future<?> w : workers) {
            w.get(WAIT_S * 2, TimeUnit.SECONDS);
        }
        AtomicValue<Long> total = new DistributedAtomicLong(clients.get(0), "/curator/counter", new RetryOneTime(1))
                .get();
        assertTrue(total.succeeded());
        assertEquals(CLIENTS * perClient, total.postValue());
    }

    @Test
    void distributedBarrierBlocksWaitersUntilItIsRemoved() throws Exception {
        DistributedBarrier owner = new DistributedBarrier(clients.get(0), "/curator/barrier");
        owner.setBarrier();
        CountDownLatch passed = new CountDownLatch(CLIENTS - 1);
        CountDownLatch waiting = new CountDownLatch(CLIENTS - 1);
        for (CuratorFramework client : clients.subList(1, CLIENTS)) {
            DistributedBarrier barrier = new DistributedBarrier(client, "/curator/barrier");
            assertFalse(barrier.waitOnBarrier(50, TimeUnit.MILLISECONDS), "a set barrier must block");
            pool.submit(() -> {
                waiting.countDown();
                barrier.waitOnBarrier();
                passed.countDown();
                return null;
            });
        }
        assertTrue(waiting.await(WAIT_S, TimeUnit.SECONDS));
        assertEquals(CLIENTS - 1, passed.getCount(), "nobody passes a set barrier");

        owner.removeBarrier();

        assertTrue(passed.await(WAIT_S, TimeUnit.SECONDS), "waiters were not released by removeBarrier");
    }

    @Test
    void creatingParentContainersIfNeededCreatesContainerParents() throws Exception {
        CuratorFramework client = clients.get(0);
        client.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL)
                .forPath("/curator/containers/a/b/leaf", "x".getBytes());

        for (String p : List.of("/curator/containers", "/curator/containers/a", "/curator/containers/a/b")) {
            Stat stat = client.checkExists().forPath(p);
            assertNotNull(stat, p);
            assertEquals(0L, stat.getEphemeralOwner(), "containers report ephemeralOwner 0: " + p);
        }
        assertEquals(clients.get(0).getZookeeperClient().getZooKeeper().getSessionId(),
                client.checkExists().forPath("/curator/containers/a/b/leaf").getEphemeralOwner());

        client.createContainers("/curator/containers/x/y");
        assertNotNull(client.checkExists().forPath("/curator/containers/x/y"));
    }
}
