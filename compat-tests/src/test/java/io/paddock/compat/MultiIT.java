package io.paddock.compat;

import static org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.paddock.compat.fixture.Clients;
import io.paddock.compat.fixture.EventRecorder;
import io.paddock.compat.fixture.ServerUnderTest;
import java.util.List;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** multi (op 14): typed results, one zxid, all-or-nothing, the 0/err/-2 failure layout (WIRE-PROTOCOL §5.11). */
class MultiIT {

    private static ServerUnderTest server;
    private static ZooKeeper zk;

    @BeforeAll
    static void start() throws Exception {
        server = ServerUnderTest.start();
        zk = Clients.connect(server.connectString());
    }

    @AfterAll
    static void stop() {
        Clients.closeQuietly(zk, server);
    }

    private static void create(String path, String data) throws Exception {
        zk.create(path, data == null ? null : data.getBytes(), OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    }

    private static List<Integer> errors(List<OpResult> results) {
        return results.stream().map(r -> assertInstanceOf(OpResult.ErrorResult.class, r).getErr()).toList();
    }

    @Test
    void successfulMultiReturnsOneTypedResultPerOpAllInOneZxid() throws Exception {
        create("/m-ok", null);
        create("/m-ok/old", "o");

        List<OpResult> results = zk.multi(List.of(
                Op.create("/m-ok/new", "n".getBytes(), OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                Op.setData("/m-ok/new", "n2".getBytes(), 0),
                Op.check("/m-ok/old", 0),
                Op.delete("/m-ok/old", 0),
                Op.create("/m-ok/seq-", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL)));

        assertEquals(5, results.size());
        assertEquals("/m-ok/new", assertInstanceOf(OpResult.CreateResult.class, results.get(0)).getPath());
        Stat setStat = assertInstanceOf(OpResult.SetDataResult.class, results.get(1)).getStat();
        assertInstanceOf(OpResult.CheckResult.class, results.get(2));
        assertInstanceOf(OpResult.DeleteResult.class, results.get(3));
        assertEquals("/m-ok/seq-0000000002",
                assertInstanceOf(OpResult.CreateResult.class, results.get(4)).getPath(),
                "later sub-ops see the counter moved by earlier ones");

        assertEquals(1, setStat.getVersion());
        assertEquals(setStat.getCzxid(), setStat.getMzxid(), "create and setData share the multi's zxid");
        assertEquals(setStat, zk.exists("/m-ok/new", false));
        assertArrayEquals("n2".getBytes(), zk.getData("/m-ok/new", false, null));
        assertNull(zk.exists("/m-ok/old", false));
        Stat parent = zk.exists("/m-ok", false);
        assertEquals(setStat.getCzxid(), parent.getPzxid());
        assertEquals(4, parent.getCversion(), "3 child creates + 1 child delete");
    }

    /** Java sends a container create as sub-op 19; its result is type 15 (path + Stat), unlike a plain create's. */
    @Test
    void containerCreateInsideMultiReturnsThePathAndTheStat() throws Exception {
        create("/m-create2", null);
        List<OpResult> results = zk.multi(List.of(
                Op.create("/m-create2/plain", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                Op.create("/m-create2/box", "a".getBytes(), OPEN_ACL_UNSAFE, CreateMode.CONTAINER)));
        assertNull(assertInstanceOf(OpResult.CreateResult.class, results.get(0)).getStat(),
                "a plain create sub-op (type 1) carries only the path");
        OpResult.CreateResult box = assertInstanceOf(OpResult.CreateResult.class, results.get(1));
        assertEquals("/m-create2/box", box.getPath());
        assertNotNull(box.getStat(), "the container sub-op result carries the Stat");
        assertEquals(zk.exists("/m-create2/box", false), box.getStat());
        assertEquals(0L, box.getStat().getEphemeralOwner(), "the container marker never reaches clients");
    }

    @Test
    void failedMultiChangesNothingAndReportsZeroThenTheErrorThenRuntimeInconsistency() throws Exception {
        create("/m-fail", "keep");
        EventRecorder events = new EventRecorder();
        zk.getData("/m-fail", events, null);

        KeeperException e = assertThrows(KeeperException.NoNodeException.class, () -> zk.multi(List.of(
                Op.create("/m-fail/a", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                Op.setData("/m-fail", "changed".getBytes(), -1),
                Op.setData("/m-fail/missing", null, -1),
                Op.create("/m-fail/b", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                Op.delete("/m-fail", -1))));

        assertEquals(List.of(0, 0, Code.NONODE.intValue(), Code.RUNTIMEINCONSISTENCY.intValue(),
                Code.RUNTIMEINCONSISTENCY.intValue()), errors(e.getResults()));
        assertNull(zk.exists("/m-fail/a", false));
        assertNull(zk.exists("/m-fail/b", false));
        assertArrayEquals("keep".getBytes(), zk.getData("/m-fail", false, null));
        assertEquals(0, zk.exists("/m-fail", false).getVersion());
        Clients.fence(zk);
        events.assertNoNodeEvent();
    }

    @Test
    void multiCanCreateAParentAndItsChildInOneTransaction() throws Exception {
        zk.multi(List.of(
                Op.create("/m-tree", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                Op.create("/m-tree/child", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT)));

        Stat parent = zk.exists("/m-tree", false);
        Stat child = zk.exists("/m-tree/child", false);
        assertEquals(parent.getCzxid(), child.getCzxid());
        assertEquals(1, parent.getNumChildren());
        assertEquals(child.getCzxid(), parent.getPzxid());
    }

    @Test
    void checkVersionMismatchFailsTheWholeTransaction() throws Exception {
        create("/m-check", "v0");

        KeeperException e = assertThrows(KeeperException.BadVersionException.class, () -> zk.multi(List.of(
                Op.check("/m-check", 3),
                Op.setData("/m-check", "v1".getBytes(), -1))));

        assertEquals(List.of(Code.BADVERSION.intValue(), Code.RUNTIMEINCONSISTENCY.intValue()),
                errors(e.getResults()));
        assertEquals(0, zk.exists("/m-check", false).getVersion());

        KeeperException missing = assertThrows(KeeperException.NoNodeException.class,
                () -> zk.multi(List.of(Op.check("/m-check-missing", -1))));
        assertEquals(List.of(Code.NONODE.intValue()), errors(missing.getResults()));
    }

    @Test
    void multiFailsOnTheFirstBadOpEvenWhenALaterOpWouldAlsoFail() throws Exception {
        create("/m-first", null);
        KeeperException e = assertThrows(KeeperException.NodeExistsException.class, () -> zk.multi(List.of(
                Op.create("/m-first", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                Op.delete("/m-first-missing", -1))));
        assertEquals(List.of(Code.NODEEXISTS.intValue(), Code.RUNTIMEINCONSISTENCY.intValue()),
                errors(e.getResults()));
    }

    @Test
    void laterSubOpsSeeEarlierOnesSoDeletingWhatWasJustCreatedSucceeds() throws Exception {
        create("/m-seen", null);
        List<OpResult> results = zk.multi(List.of(
                Op.create("/m-seen/tmp", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                Op.setData("/m-seen/tmp", "x".getBytes(), 0),
                Op.check("/m-seen/tmp", 1),
                Op.delete("/m-seen/tmp", 1)));
        assertEquals(4, results.size());
        assertNull(zk.exists("/m-seen/tmp", false));
    }

    @Test
    void transactionApiCommitsAtomically() throws Exception {
        create("/m-txn", "0");
        List<OpResult> results = zk.transaction()
                .create("/m-txn/a", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT)
                .setData("/m-txn", "1".getBytes(), 0)
                .check("/m-txn", 1)
                .delete("/m-txn/a", 0)
                .commit();
        assertEquals(4, results.size());
        assertEquals(1, zk.exists("/m-txn", false).getVersion());

        assertThrows(KeeperException.BadVersionException.class, () -> zk.transaction()
                .setData("/m-txn", "2".getBytes(), 1)
                .check("/m-txn", 0)
                .commit());
        assertArrayEquals("1".getBytes(), zk.getData("/m-txn", false, null));
    }

    @Test
    void watchesFireForEverySubOpOfASuccessfulMulti() throws Exception {
        create("/m-watch", null);
        create("/m-watch/a", null);
        EventRecorder events = new EventRecorder();
        zk.getData("/m-watch/a", events, null);
        zk.getChildren("/m-watch", events);

        try (ZooKeeper other = Clients.connect(server.connectString())) {
            other.multi(List.of(
                    Op.setData("/m-watch/a", "x".getBytes(), -1),
                    Op.create("/m-watch/b", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT)));
        }

        events.expect(EventType.NodeDataChanged, "/m-watch/a");
        events.expect(EventType.NodeChildrenChanged, "/m-watch");
    }

    @Test
    void emptyMultiSucceedsWithNoResults() throws Exception {
        assertEquals(List.of(), zk.multi(List.of()));
    }
}
