package io.paddock.compat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.paddock.compat.fixture.Clients;
import io.paddock.compat.fixture.EventRecorder;
import io.paddock.compat.fixture.ServerUnderTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreV2;
import org.apache.curator.framework.recipes.locks.Lease;
import org.apache.curator.framework.recipes.nodes.GroupMember;
import org.apache.curator.framework.recipes.nodes.PersistentTtlNode;
import org.apache.curator.framework.recipes.queue.DistributedQueue;
import org.apache.curator.framework.recipes.queue.QueueBuilder;
import org.apache.curator.framework.recipes.queue.QueueConsumer;
import org.apache.curator.framework.recipes.queue.QueueSerializer;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * More Curator 5 recipes: CuratorCache (persistent recursive watches), PersistentTtlNode, InterProcessSemaphoreV2,
 * DistributedQueue, GroupMember, and container parents reaped after their last child. The server runs with
 * {@code extendedTypesEnabled=true} and {@code znode.container.checkIntervalMs=100} (see {@link ReapingServer}).
 */
class CuratorRecipes2IT {

    private static final int CLIENTS = 3;
    private static final long WAIT_S = EventRecorder.WAIT.toSeconds();

    private static ServerUnderTest server;
    private final List<CuratorFramework> clients = new ArrayList<>();
    private final EventRecorder events = new EventRecorder();
    private ZooKeeper zk;
    private ExecutorService pool;

    /**
     * Curator removes a recipe's watchers in the background by default (InterProcessSemaphoreV2 does after every
     * acquire). The ZooKeeper client drops its local registration when that removal's reply arrives, so a removal
     * that a starved background thread sends only after the same client's next getChildren watch was set wipes that
     * new registration too: the server still fires the event, the client has nobody to give it to, and a semaphore
     * waiter sleeps until its timeout ("lease not granted in time", seen on the loaded ensemble run). It is a race
     * inside the client with any server; Curator's own tests remove watchers in the foreground, and so does this class.
     */
    private static final String REMOVE_WATCHERS_IN_FOREGROUND = "curator-remove-watchers-in-foreground";
    private static String removeWatchersBefore;

    @BeforeAll
    static void start() throws Exception {
        removeWatchersBefore = System.setProperty(REMOVE_WATCHERS_IN_FOREGROUND, "true");
        server = ReapingServer.start(100, true);
    }

    @AfterAll
    static void stop() {
        Clients.closeQuietly(server);
        if (removeWatchersBefore == null) {
            System.clearProperty(REMOVE_WATCHERS_IN_FOREGROUND);
        } else {
            System.setProperty(REMOVE_WATCHERS_IN_FOREGROUND, removeWatchersBefore);
        }
    }

    @BeforeEach
    void connect() throws Exception {
        for (int i = 0; i < CLIENTS; i++) {
            CuratorFramework c = Clients.curator(server.connectString());
            assertTrue(c.blockUntilConnected((int) WAIT_S, TimeUnit.SECONDS), "curator client did not connect");
            clients.add(c);
        }
        zk = Clients.connect(server.connectString(), events);
        pool = Executors.newFixedThreadPool(CLIENTS);
    }

    @AfterEach
    void disconnect() throws Exception {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(WAIT_S, TimeUnit.SECONDS));
        Clients.closeQuietly(zk);
        clients.forEach(Clients::closeQuietly);
    }

    // ------------------------------------------------------------------ CuratorCache

    record CacheEvent(CuratorCacheListener.Type type, String path, String data) {
    }

    @Test
    void curatorCacheBuildsInitialStateAndFollowsTheWholeSubtree() throws Exception {
        CuratorFramework writer = clients.get(0);
        writer.create().creatingParentsIfNeeded().forPath("/cache/a/b", bytes("b0"));
        writer.create().forPath("/cache/x", bytes("x0"));

        BlockingQueue<CacheEvent> seen = new LinkedBlockingQueue<>();
        CountDownLatch initialized = new CountDownLatch(1);
        try (CuratorCache cache = CuratorCache.build(clients.get(1), "/cache")) {
            cache.listenable().addListener(new CuratorCacheListener() {
                @Override
                public void event(Type type, ChildData oldData, ChildData data) {
                    ChildData d = type == Type.NODE_DELETED ? oldData : data;
                    seen.add(new CacheEvent(type, d.getPath(), string(d.getData())));
                }

                @Override
                public void initialized() {
                    initialized.countDown();
                }
            });
            cache.start();
            assertTrue(initialized.await(WAIT_S, TimeUnit.SECONDS), "cache did not initialize");

            List<CacheEvent> initial = new ArrayList<>();
            seen.drainTo(initial);
            assertEquals(Set.of("/cache", "/cache/a", "/cache/a/b", "/cache/x"),
                    initial.stream().map(CacheEvent::path).collect(Collectors.toSet()), "initial build: " + initial);
            assertTrue(initial.stream().allMatch(e -> e.type() == CuratorCacheListener.Type.NODE_CREATED),
                    "" + initial);
            assertEquals("b0", string(cache.get("/cache/a/b").orElseThrow().getData()));
            assertEquals(4, cache.size());

            // deep descendants, created below an existing node
            writer.create().creatingParentsIfNeeded().forPath("/cache/a/b/c/d/e", bytes("e0"));
            await(seen, CuratorCacheListener.Type.NODE_CREATED, "/cache/a/b/c", "");
            await(seen, CuratorCacheListener.Type.NODE_CREATED, "/cache/a/b/c/d", "");
            await(seen, CuratorCacheListener.Type.NODE_CREATED, "/cache/a/b/c/d/e", "e0");

            writer.setData().forPath("/cache/a/b/c/d/e", bytes("e1"));
            await(seen, CuratorCacheListener.Type.NODE_CHANGED, "/cache/a/b/c/d/e", "e1");
            writer.setData().forPath("/cache", bytes("root1"));
            await(seen, CuratorCacheListener.Type.NODE_CHANGED, "/cache", "root1");

            writer.delete().forPath("/cache/a/b/c/d/e");
            await(seen, CuratorCacheListener.Type.NODE_DELETED, "/cache/a/b/c/d/e", "e1");
            writer.delete().deletingChildrenIfNeeded().forPath("/cache/a");
            Set<String> deleted = new TreeSet<>();
            for (int i = 0; i < 4; i++) {
                CacheEvent e = next(seen);
                assertEquals(CuratorCacheListener.Type.NODE_DELETED, e.type(), "" + e);
                deleted.add(e.path());
            }
            assertEquals(Set.of("/cache/a", "/cache/a/b", "/cache/a/b/c", "/cache/a/b/c/d"), deleted);

            Clients.awaitCondition("the cache holds only /cache and /cache/x", () -> cache.size() == 2);
            assertEquals(Set.of("/cache", "/cache/x"),
                    cache.stream().map(ChildData::getPath).collect(Collectors.toSet()));
            assertEquals("root1", string(cache.get("/cache").orElseThrow().getData()));
            assertNull(seen.poll(), "no further cache events: " + seen);
        }
    }

    private static CacheEvent next(BlockingQueue<CacheEvent> seen) throws InterruptedException {
        CacheEvent e = seen.poll(WAIT_S, TimeUnit.SECONDS);
        assertNotNull(e, "no cache event within " + WAIT_S + " s");
        return e;
    }

    private static void await(BlockingQueue<CacheEvent> seen, CuratorCacheListener.Type type, String path,
            String data) throws InterruptedException {
        assertEquals(new CacheEvent(type, path, data), next(seen));
    }

    // ------------------------------------------------------------------ PersistentTtlNode

    @Test
    void persistentTtlNodeLivesWhileTheRecipeRunsAndIsReapedAfterClose() throws Exception {
        long ttl = 600;
        CuratorFramework client = clients.get(0);
        PersistentTtlNode node = new PersistentTtlNode(client, "/ttl/recipe", ttl, bytes("payload"));
        try {
            node.start();
            assertTrue(node.waitForInitialCreate(WAIT_S, TimeUnit.SECONDS), "initial create did not finish");
            Clients.awaitCondition("the touch child exists", () -> exists("/ttl/recipe/touch"));
            Stat parent = zk.exists("/ttl/recipe", false);
            assertNotNull(parent);
            assertArrayEquals(bytes("payload"), zk.getData("/ttl/recipe", false, null));

            // a plain TTL node created now with 3 x the TTL is reaped only after more than 3 TTLs
            zk.create("/ttl/probe", new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, null, ttl * 3);
            EventRecorder probe = new EventRecorder();
            assertNotNull(zk.exists("/ttl/probe", probe));
            probe.expect(EventType.NodeDeleted, "/ttl/probe");

            assertNotNull(zk.exists("/ttl/recipe", false), "the container lives while the recipe touches its child");
            Stat touch = zk.exists("/ttl/recipe/touch", false);
            assertNotNull(touch, "the touched TTL child lives while the recipe runs");
            assertTrue(touch.getMtime() > touch.getCtime(), "the recipe refreshes its child with setData");
        } finally {
            node.close();
        }

        assertNotNull(zk.exists("/ttl/recipe", true), "close leaves the node to the reaper");
        events.expect(EventType.NodeDeleted, "/ttl/recipe");
        assertNull(zk.exists("/ttl/recipe/touch", false));
    }

    // ------------------------------------------------------------------ InterProcessSemaphoreV2

    @Test
    void semaphoreV2LimitsLeasesAcrossClients() throws Exception {
        int maxLeases = 2;
        List<InterProcessSemaphoreV2> semaphores = clients.stream()
                .map(c -> new InterProcessSemaphoreV2(c, "/semaphore/fixed", maxLeases)).toList();

        Lease first = semaphores.get(0).acquire(WAIT_S, TimeUnit.SECONDS);
        Lease second = semaphores.get(1).acquire(WAIT_S, TimeUnit.SECONDS);
        assertNotNull(first);
        assertNotNull(second);
        assertNull(semaphores.get(2).acquire(200, TimeUnit.MILLISECONDS), "a third lease was granted");
        assertEquals(2, semaphores.get(0).getParticipantNodes().size());

        Future<Lease> waiting = pool.submit(() -> semaphores.get(2).acquire(WAIT_S, TimeUnit.SECONDS));
        semaphores.get(0).returnLease(first);
        Lease third = waiting.get(WAIT_S, TimeUnit.SECONDS);
        assertNotNull(third, "a returned lease goes to the waiter");
        semaphores.get(1).returnLease(second);
        semaphores.get(2).returnLease(third);
        // Curator creates .../leases as a container, and this server reaps empty used containers every 100 ms. Once
        // the last lease node is gone the reaper may delete .../leases before a poll runs (a loaded machine easily
        // stalls this thread that long; real ZooKeeper does the same), and getParticipantNodes then throws NoNode for
        // ever. A container is only reaped when it has no children, so NoNode also proves that no lease node is left.
        Clients.awaitCondition("every lease node is gone", () -> {
            try {
                return semaphores.get(0).getParticipantNodes().isEmpty();
            } catch (KeeperException.NoNodeException reaped) {
                return true;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void semaphoreV2NeverGrantsMoreThanMaxLeasesUnderContention() throws Exception {
        int maxLeases = 2;
        int rounds = 6;
        AtomicInteger holders = new AtomicInteger();
        AtomicInteger maxHolders = new AtomicInteger();
        AtomicInteger grants = new AtomicInteger();
        // The recipe's parents are created here as persistent nodes, not left to Curator as containers. Curator's
        // creatingParentContainersIfNeeded() retries a create that failed with NoNode only once, after one mkdirs
        // pass; with the 100 ms reaper of this class, an empty .../leases or .../locks container can be reaped
        // between that mkdirs (which saw it) and the retry, and acquire() then throws NoNodeException. That race is
        // Curator's with any server that reaps containers (2 failed runs in 25 on the loaded ensemble); persistent
        // parents are never reaped, so this test checks only what it is about: at most maxLeases holders, every
        // waiter woken. (Under a root of its own: no container ancestor, such as the other test's /semaphore, can be
        // reaped either.)
        for (String parent : List.of("/semaphore-busy/leases", "/semaphore-busy/locks")) {
            clients.get(0).create().orSetData().creatingParentsIfNeeded().forPath(parent);
        }
        List<Future<?>> workers = new ArrayList<>();
        for (CuratorFramework client : clients) {
            InterProcessSemaphoreV2 semaphore = new InterProcessSemaphoreV2(client, "/semaphore-busy", maxLeases);
            workers.add(pool.submit(() -> {
                for (int i = 0; i < rounds; i++) {
                    Lease lease = semaphore.acquire(WAIT_S, TimeUnit.SECONDS);
                    assertNotNull(lease, "lease not granted in time");
                    try {
                        maxHolders.accumulateAndGet(holders.incrementAndGet(), Math::max);
                        grants.incrementAndGet();
                        Thread.yield();
                        holders.decrementAndGet();
                    } finally {
                        semaphore.returnLease(lease);
                    }
                }
                return null;
            }));
        }
        for (Future<?> w : workers) {
            w.get(WAIT_S * 2, TimeUnit.SECONDS);
        }
        assertTrue(maxHolders.get() <= maxLeases, "up to " + maxHolders.get() + " leases were held at once");
        assertEquals(CLIENTS * rounds, grants.get());
    }

    // ------------------------------------------------------------------ DistributedQueue

    private static final QueueSerializer<String> STRINGS = new QueueSerializer<>() {
        @Override
        public byte[] serialize(String item) {
            return bytes(item);
        }

        @Override
        public String deserialize(byte[] bytes) {
            return string(bytes);
        }
    };

    @Test
    void distributedQueueDeliversEveryItemOnceAcrossConsumers() throws Exception {
        int items = 30;
        Map<String, AtomicInteger> consumed = new ConcurrentHashMap<>();
        CountDownLatch all = new CountDownLatch(items);
        List<DistributedQueue<String>> queues = new ArrayList<>();
        try {
            for (CuratorFramework consumerClient : clients.subList(1, CLIENTS)) {
                QueueConsumer<String> consumer = new QueueConsumer<>() {
                    @Override
                    public void consumeMessage(String message) {
                        consumed.computeIfAbsent(message, k -> new AtomicInteger()).incrementAndGet();
                        all.countDown();
                    }

                    @Override
                    public void stateChanged(CuratorFramework client, ConnectionState newState) {
                    }
                };
                DistributedQueue<String> q =
                        QueueBuilder.builder(consumerClient, consumer, STRINGS, "/queue").buildQueue();
                q.start();
                queues.add(q);
            }
            DistributedQueue<String> producer = QueueBuilder.builder(clients.get(0), null, STRINGS, "/queue")
                    .buildQueue();
            producer.start();
            queues.add(producer);
            for (int i = 0; i < items; i++) {
                producer.put("item-" + i);
            }
            assertTrue(all.await(WAIT_S, TimeUnit.SECONDS), "consumed only " + consumed.keySet());
            Clients.awaitCondition("the queue node is empty", () -> {
                try {
                    return clients.get(0).getChildren().forPath("/queue").isEmpty();
                } catch (Exception e) {
                    return false;
                }
            });
        } finally {
            queues.forEach(Clients::closeQuietly);
        }
        Map<String, Integer> counts = new HashMap<>();
        consumed.forEach((k, v) -> counts.put(k, v.get()));
        Map<String, Integer> expected = new HashMap<>();
        for (int i = 0; i < items; i++) {
            expected.put("item-" + i, 1);
        }
        assertEquals(expected, counts, "every item consumed exactly once");
    }

    // ------------------------------------------------------------------ GroupMember

    @Test
    void groupMembersSeeEachOtherAndAClosedMemberDisappears() throws Exception {
        List<GroupMember> members = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                GroupMember m = new GroupMember(clients.get(i), "/group", "m" + i, bytes("data-" + i));
                m.start();
                members.add(m);
            }
            for (GroupMember m : members) {
                Clients.awaitCondition("every member sees all three", () -> m.getCurrentMembers().size() == CLIENTS);
                Map<String, byte[]> current = m.getCurrentMembers();
                assertEquals(Set.of("m0", "m1", "m2"), current.keySet());
                assertArrayEquals(bytes("data-1"), current.get("m1"));
            }
            members.get(2).setThisData(bytes("changed"));
            for (GroupMember m : members.subList(0, 2)) {
                Clients.awaitCondition("members see new data",
                        () -> "changed".equals(string(m.getCurrentMembers().get("m2"))));
            }

            members.remove(2).close();

            for (GroupMember m : members) {
                Clients.awaitCondition("the closed member disappears",
                        () -> m.getCurrentMembers().keySet().equals(Set.of("m0", "m1")));
            }
            assertEquals(List.of("m0", "m1"), new ArrayList<>(new TreeSet<>(clients.get(0).getChildren()
                    .forPath("/group"))));
        } finally {
            members.forEach(Clients::closeQuietly);
        }
    }

    // ------------------------------------------------------------------ container parents

    @Test
    void containerParentsAreReapedOnceTheirLastChildGoes() throws Exception {
        CuratorFramework client = clients.get(0);
        client.create().creatingParentContainersIfNeeded().forPath("/reap/p/q/leaf", bytes("x"));
        client.create().creatingParentContainersIfNeeded().forPath("/reap/p/sibling", bytes("y"));
        for (String p : List.of("/reap", "/reap/p", "/reap/p/q")) {
            assertNotNull(zk.exists(p, true), p);
        }

        client.delete().forPath("/reap/p/q/leaf");
        events.expect(EventType.NodeDeleted, "/reap/p/q");
        // /reap/p still has a child; prove a later pass kept it
        zk.create("/reap-probe", new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, null, 100);
        EventRecorder probe = new EventRecorder();
        zk.exists("/reap-probe", probe);
        probe.expect(EventType.NodeDeleted, "/reap-probe");
        Clients.fence(zk);
        events.assertNoNodeEvent();
        assertNotNull(zk.exists("/reap/p", false));

        client.delete().forPath("/reap/p/sibling");
        Set<String> gone = new TreeSet<>();
        gone.add(events.next().getPath());
        gone.add(events.next().getPath());
        assertEquals(Set.of("/reap", "/reap/p"), gone, "the emptied parents go one after the other");
        assertNull(zk.exists("/reap", false));
    }

    private boolean exists(String path) {
        try {
            return zk.exists(path, false) != null;
        } catch (Exception e) {
            fail(e);
            return false;
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
