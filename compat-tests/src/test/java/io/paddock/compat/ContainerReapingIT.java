package io.paddock.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.compat.fixture.Clients;
import io.paddock.compat.fixture.EventRecorder;
import io.paddock.compat.fixture.ServerUnderTest;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.zookeeper.CreateMode;
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
 * The container/TTL reaper, run every 100 ms ({@code znode.container.checkIntervalMs=100}) with
 * {@code extendedTypesEnabled=true}. No test sleeps: a reap is awaited through a NodeDeleted watch with a deadline,
 * and "not reaped" is proven by waiting until a probe node created later has been reaped.
 */
class ContainerReapingIT {

    private static final long CHECK_INTERVAL_MS = 100;

    private static ServerUnderTest server;
    private final EventRecorder events = new EventRecorder();
    private ZooKeeper zk;

    @BeforeAll
    static void start() throws Exception {
        server = ReapingServer.start(CHECK_INTERVAL_MS, true);
    }

    @AfterAll
    static void stop() {
        Clients.closeQuietly(server);
    }

    @BeforeEach
    void connect() throws Exception {
        zk = Clients.connect(server.connectString(), events);
    }

    @AfterEach
    void disconnect() {
        Clients.closeQuietly(zk);
    }

    @Test
    void emptyContainerThatHadAChildIsReaped() throws Exception {
        zk.create("/c-used", new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.CONTAINER);
        zk.create("/c-used/child", new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        Stat stat = zk.exists("/c-used", true);
        assertNotNull(stat);
        assertEquals(0L, stat.getEphemeralOwner(), "a container reports ephemeralOwner 0");

        zk.delete("/c-used/child", -1);

        events.expect(EventType.NodeDeleted, "/c-used");
        assertNull(zk.exists("/c-used", false));
    }

    @Test
    void containerWithAChildIsKept() throws Exception {
        zk.create("/c-busy", new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.CONTAINER);
        zk.create("/c-busy/child", new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);

        awaitReaperPass("/probe-busy");

        assertNotNull(zk.exists("/c-busy", false), "a container with a child must not be reaped");
        zk.delete("/c-busy/child", -1);
        zk.exists("/c-busy", true);
        events.expect(EventType.NodeDeleted, "/c-busy");
    }

    @Test
    void containerThatNeverHadAChildIsKept() throws Exception {
        zk.create("/c-never", new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.CONTAINER);

        awaitReaperPass("/probe-never");
        awaitReaperPass("/probe-never");

        Stat stat = zk.exists("/c-never", false);
        assertNotNull(stat, "a container that never had a child is kept (maxNeverUsedIntervalMs defaults to 0)");
        assertEquals(0, stat.getCversion());
        zk.delete("/c-never", -1);
    }

    @Test
    void ttlNodeWithoutChildrenIsReapedAfterItsTtl() throws Exception {
        long ttl = 200;
        Stat created = new Stat();
        long before = System.currentTimeMillis();
        zk.create("/ttl-plain", "x".getBytes(), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, created, ttl);
        assertEquals(0L, created.getEphemeralOwner(), "clients see ephemeralOwner 0 on TTL nodes, not the encoding");
        Stat read = zk.exists("/ttl-plain", true);
        assertNotNull(read);
        assertEquals(created, read);

        events.expect(EventType.NodeDeleted, "/ttl-plain");
        long elapsed = System.currentTimeMillis() - before;
        assertTrue(elapsed >= ttl, "reaped after " + elapsed + " ms, before its TTL of " + ttl + " ms");
        assertNull(zk.exists("/ttl-plain", false));
    }

    @Test
    void ttlNodeWithAChildIsKeptUntilTheChildGoes() throws Exception {
        zk.create("/ttl-parent", new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, null, 100);
        zk.create("/ttl-parent/child", new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);

        awaitReaperPass("/probe-ttl-parent", 400);

        assertNotNull(zk.exists("/ttl-parent", true), "a TTL node with a child is not reaped");
        zk.delete("/ttl-parent/child", -1);
        events.expect(EventType.NodeDeleted, "/ttl-parent");
    }

    @Test
    void setDataRefreshesATtlNode() throws Exception {
        long ttl = 1000;
        Stat created = new Stat();
        zk.create("/ttl-touched", new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, created, ttl);
        long createdAt = System.currentTimeMillis();
        AtomicReference<String> touchFailure = new AtomicReference<>();
        AtomicLong lastTouch = new AtomicLong(createdAt);
        ScheduledExecutorService toucher = Executors.newSingleThreadScheduledExecutor();
        try {
            toucher.scheduleAtFixedRate(() -> {
                long now = System.currentTimeMillis();
                try {
                    zk.setData("/ttl-touched", "t".getBytes(), -1);
                    lastTouch.set(now);
                } catch (InterruptedException e) {
                    // shutdownNow below interrupts a setData still in flight: the end of the test, not a failure
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    touchFailure.compareAndSet(null, e + " at " + (now - createdAt) + " ms after create, "
                            + (now - lastTouch.get()) + " ms after the last successful setData");
                }
            }, 50, 50, TimeUnit.MILLISECONDS);

            // a TTL node created now with 2.5 times the TTL must be reaped first
            awaitReaperPass("/probe-touched", ttl * 5 / 2);
        } finally {
            toucher.shutdownNow();
            assertTrue(toucher.awaitTermination(EventRecorder.WAIT.toMillis(), TimeUnit.MILLISECONDS));
        }
        assertNull(touchFailure.get(),
                () -> "setData on the TTL node (ttl " + ttl + " ms) failed: " + touchFailure.get());

        Stat stat = zk.exists("/ttl-touched", true);
        assertNotNull(stat, "a TTL node whose mtime keeps moving is not reaped");
        assertTrue(stat.getMtime() > created.getMtime(), "setData moves mtime");
        assertEquals(created.getEphemeralOwner(), stat.getEphemeralOwner(), "setData keeps the TTL");
        assertTrue(stat.getVersion() > 0);

        events.expect(EventType.NodeDeleted, "/ttl-touched");
    }

    @Test
    void sequentialTtlNodeIsReaped() throws Exception {
        zk.create("/ttl-seq", new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        Stat stat = new Stat();
        String path = zk.create("/ttl-seq/n-", new byte[0], Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, stat, 150);
        assertEquals("/ttl-seq/n-0000000000", path);
        assertEquals(0L, stat.getEphemeralOwner());
        zk.exists(path, true);
        events.expect(EventType.NodeDeleted, path);
    }

    /** Waits until a TTL probe node created now (100 ms TTL) has been reaped: proves a reaper pass ran after now. */
    private void awaitReaperPass(String probe) throws Exception {
        awaitReaperPass(probe, 100);
    }

    private void awaitReaperPass(String probe, long probeTtlMs) throws Exception {
        EventRecorder probeEvents = new EventRecorder();
        zk.create(probe, new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, null, probeTtlMs);
        assertNotNull(zk.exists(probe, probeEvents));
        probeEvents.expect(EventType.NodeDeleted, probe);
    }
}
