package io.paddock.compat;

import static org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.compat.fixture.Clients;
import io.paddock.compat.fixture.EventRecorder;
import io.paddock.compat.fixture.ServerUnderTest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.Watcher.WatcherType;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Watch registration, triggering and removal (WIRE-PROTOCOL §7). {@code watching} holds the watches and
 * {@code writer} makes the changes, except where a test needs the same session for both.
 */
class WatchIT {

    private static ServerUnderTest server;
    private static ZooKeeper watching;
    private static ZooKeeper writer;

    @BeforeAll
    static void start() throws Exception {
        server = ServerUnderTest.start();
        watching = Clients.connect(server.connectString());
        writer = Clients.connect(server.connectString());
    }

    @AfterAll
    static void stop() {
        Clients.closeQuietly(watching, writer, server);
    }

    private static void create(String path) throws Exception {
        writer.create(path, null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    }

    private static void set(String path, String data) throws Exception {
        writer.setData(path, data.getBytes(), -1);
    }

    @Test
    void dataWatchFiresOnceWithNodeDataChanged() throws Exception {
        create("/w-data");
        EventRecorder events = new EventRecorder();
        watching.getData("/w-data", events, null);

        set("/w-data", "1");
        set("/w-data", "2");

        WatchedEvent e = events.expect(EventType.NodeDataChanged, "/w-data");
        assertEquals(KeeperState.SyncConnected, e.getState());
        Clients.fence(watching);
        events.assertNoNodeEvent();
    }

    @Test
    void existsWatchOnAMissingNodeFiresNodeCreatedOnce() throws Exception {
        EventRecorder events = new EventRecorder();
        assertNull(watching.exists("/w-later", events));

        create("/w-later");
        set("/w-later", "x");

        events.expect(EventType.NodeCreated, "/w-later");
        Clients.fence(watching);
        events.assertNoNodeEvent();
    }

    @Test
    void existsWatchOnAnExistingNodeFiresOnDataChangeAndOnDelete() throws Exception {
        create("/w-exists");
        EventRecorder changed = new EventRecorder();
        watching.exists("/w-exists", changed);
        set("/w-exists", "x");
        changed.expect(EventType.NodeDataChanged, "/w-exists");

        EventRecorder deleted = new EventRecorder();
        watching.exists("/w-exists", deleted);
        writer.delete("/w-exists", -1);
        deleted.expect(EventType.NodeDeleted, "/w-exists");
    }

    @Test
    void getDataOnAMissingNodeRegistersNoWatch() throws Exception {
        EventRecorder events = new EventRecorder();
        assertThrows(KeeperException.NoNodeException.class, () -> watching.getData("/w-nodata", events, null));
        assertThrows(KeeperException.NoNodeException.class, () -> watching.getChildren("/w-nodata", events));

        create("/w-nodata");
        set("/w-nodata", "x");
        create("/w-nodata/child");

        Clients.fence(watching);
        events.assertNoNodeEvent();
    }

    @Test
    void childWatchFiresOnceWithNodeChildrenChangedOnTheParentPath() throws Exception {
        create("/w-kids");
        EventRecorder events = new EventRecorder();
        assertEquals(List.of(), watching.getChildren("/w-kids", events));

        create("/w-kids/a");
        create("/w-kids/b");

        events.expect(EventType.NodeChildrenChanged, "/w-kids");
        Clients.fence(watching);
        events.assertNoNodeEvent();
    }

    @Test
    void childWatchIgnoresDataChangesOfTheParentAndGrandchildren() throws Exception {
        create("/w-kids2");
        create("/w-kids2/a");
        EventRecorder events = new EventRecorder();
        watching.getChildren("/w-kids2", events);

        set("/w-kids2", "x");
        set("/w-kids2/a", "y");
        create("/w-kids2/a/grandchild");
        Clients.fence(watching);
        events.assertNoNodeEvent();

        writer.delete("/w-kids2/a/grandchild", -1);
        writer.delete("/w-kids2/a", -1);
        events.expect(EventType.NodeChildrenChanged, "/w-kids2");
    }

    @Test
    void deleteFiresNodeDeletedOnTheNodesWatchersAndChildrenChangedOnTheParents() throws Exception {
        create("/w-del");
        create("/w-del/victim");
        EventRecorder dataWatch = new EventRecorder();
        EventRecorder childWatch = new EventRecorder();
        EventRecorder parentWatch = new EventRecorder();
        watching.getData("/w-del/victim", dataWatch, null);
        watching.getChildren("/w-del/victim", childWatch);
        watching.getChildren("/w-del", parentWatch);

        writer.delete("/w-del/victim", -1);

        dataWatch.expect(EventType.NodeDeleted, "/w-del/victim");
        childWatch.expect(EventType.NodeDeleted, "/w-del/victim");
        parentWatch.expect(EventType.NodeChildrenChanged, "/w-del");
    }

    @Test
    void eventsArriveInTheOrderOfTheWrites() throws Exception {
        for (String n : List.of("a", "b", "c")) {
            create("/w-order-" + n);
        }
        EventRecorder events = new EventRecorder();
        for (String n : List.of("a", "b", "c")) {
            watching.getData("/w-order-" + n, events, null);
        }

        set("/w-order-c", "1");
        set("/w-order-a", "1");
        writer.delete("/w-order-b", -1);

        events.expect(EventType.NodeDataChanged, "/w-order-c");
        events.expect(EventType.NodeDataChanged, "/w-order-a");
        events.expect(EventType.NodeDeleted, "/w-order-b");
    }

    /**
     * The server queues a write's notifications before the write's own reply (§3.4). The official client runs watchers
     * and async callbacks on one thread in arrival order, so the watcher must already have run when the callback does.
     */
    @Test
    void aWatchEventReachesTheWritingSessionBeforeTheReplyToItsWrite() throws Exception {
        create("/w-self");
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch replied = new CountDownLatch(1);
        watching.getData("/w-self", e -> order.add("event " + e.getType()), null);

        watching.setData("/w-self", "mine".getBytes(), -1, (rc, path, ctx, stat) -> {
            order.add("reply " + KeeperException.Code.get(rc));
            replied.countDown();
        }, null);

        assertTrue(replied.await(EventRecorder.WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals(List.of("event NodeDataChanged", "reply OK"), order);
    }

    @Test
    void persistentWatchFiresForEveryChangeOfTheNodeAndItsChildrenAndSurvivesDelete() throws Exception {
        EventRecorder events = new EventRecorder();
        watching.addWatch("/w-pers", events, AddWatchMode.PERSISTENT);

        create("/w-pers");
        set("/w-pers", "1");
        set("/w-pers", "2");
        create("/w-pers/child");
        create("/w-pers/child/grandchild");
        set("/w-pers/child", "not mine");
        writer.delete("/w-pers/child/grandchild", -1);
        writer.delete("/w-pers/child", -1);
        writer.delete("/w-pers", -1);
        create("/w-pers");

        events.expect(EventType.NodeCreated, "/w-pers");
        events.expect(EventType.NodeDataChanged, "/w-pers");
        events.expect(EventType.NodeDataChanged, "/w-pers");
        events.expect(EventType.NodeChildrenChanged, "/w-pers");
        events.expect(EventType.NodeChildrenChanged, "/w-pers");
        events.expect(EventType.NodeDeleted, "/w-pers");
        events.expect(EventType.NodeCreated, "/w-pers");
        Clients.fence(watching);
        events.assertNoNodeEvent();

        watching.removeWatches("/w-pers", events, WatcherType.Any, false);
        events.expect(EventType.PersistentWatchRemoved, "/w-pers");
        set("/w-pers", "after removal");
        Clients.fence(watching);
        events.assertNoNodeEvent();
    }

    @Test
    void persistentRecursiveWatchSeesTheWholeSubtreeButNoChildrenChangedEvents() throws Exception {
        EventRecorder events = new EventRecorder();
        watching.addWatch("/w-rec", events, AddWatchMode.PERSISTENT_RECURSIVE);

        create("/w-rec");
        create("/w-rec/a");
        create("/w-rec/a/b");
        set("/w-rec/a/b", "x");
        writer.delete("/w-rec/a/b", -1);
        set("/w-rec", "y");
        create("/w-recursion-is-not-a-prefix-match");

        events.expect(EventType.NodeCreated, "/w-rec");
        events.expect(EventType.NodeCreated, "/w-rec/a");
        events.expect(EventType.NodeCreated, "/w-rec/a/b");
        events.expect(EventType.NodeDataChanged, "/w-rec/a/b");
        events.expect(EventType.NodeDeleted, "/w-rec/a/b");
        events.expect(EventType.NodeDataChanged, "/w-rec");
        Clients.fence(watching);
        events.assertNoNodeEvent();
    }

    @Test
    void oneShotAndPersistentWatchesOnOnePathBothSeeTheEvent() throws Exception {
        create("/w-both");
        EventRecorder oneShot = new EventRecorder();
        EventRecorder persistent = new EventRecorder();
        watching.getData("/w-both", oneShot, null);
        watching.addWatch("/w-both", persistent, AddWatchMode.PERSISTENT);

        set("/w-both", "1");
        set("/w-both", "2");

        oneShot.expect(EventType.NodeDataChanged, "/w-both");
        persistent.expect(EventType.NodeDataChanged, "/w-both");
        persistent.expect(EventType.NodeDataChanged, "/w-both");
        Clients.fence(watching);
        oneShot.assertNoNodeEvent();
        persistent.assertNoNodeEvent();
        watching.removeAllWatches("/w-both", WatcherType.Any, false);
    }

    @Test
    void removedDataWatchNoLongerFiresAndRemovingItAgainFailsWithNoWatcher() throws Exception {
        create("/w-remove");
        EventRecorder events = new EventRecorder();
        watching.getData("/w-remove", events, null);

        watching.removeWatches("/w-remove", events, WatcherType.Data, false);
        events.expect(EventType.DataWatchRemoved, "/w-remove");

        set("/w-remove", "x");
        Clients.fence(watching);
        events.assertNoNodeEvent();
        assertThrows(KeeperException.NoWatcherException.class,
                () -> watching.removeWatches("/w-remove", events, WatcherType.Data, false));
    }

    @Test
    void removingAChildWatchLeavesTheDataWatchInPlace() throws Exception {
        create("/w-remove-child");
        EventRecorder data = new EventRecorder();
        EventRecorder children = new EventRecorder();
        watching.getData("/w-remove-child", data, null);
        watching.getChildren("/w-remove-child", children);

        watching.removeWatches("/w-remove-child", children, WatcherType.Children, false);
        children.expect(EventType.ChildWatchRemoved, "/w-remove-child");

        create("/w-remove-child/kid");
        set("/w-remove-child", "x");
        data.expect(EventType.NodeDataChanged, "/w-remove-child");
        Clients.fence(watching);
        children.assertNoNodeEvent();
    }

    @Test
    void removeAllWatchesWithoutAnyWatchFailsWithNoWatcher() {
        assertThrows(KeeperException.NoWatcherException.class,
                () -> watching.removeAllWatches("/w-never-watched", WatcherType.Any, false));
    }
}
