package io.paddock.compat;

import static org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.compat.fixture.Clients;
import io.paddock.compat.fixture.ServerUnderTest;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Sequence suffixes: %010d of the parent's count of children ever created (WIRE-PROTOCOL §10.5 item 20). */
class SequentialIT {

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

    private static String create(String path, CreateMode mode) throws Exception {
        return zk.create(path, null, OPEN_ACL_UNSAFE, mode);
    }

    @Test
    void sequenceSuffixIsTheParentsCreateCounterInTenDigits() throws Exception {
        create("/seq", CreateMode.PERSISTENT);

        assertEquals("/seq/a-0000000000", create("/seq/a-", CreateMode.PERSISTENT_SEQUENTIAL));
        assertEquals("/seq/a-0000000001", create("/seq/a-", CreateMode.PERSISTENT_SEQUENTIAL));
        create("/seq/plain", CreateMode.PERSISTENT);
        assertEquals("/seq/b-0000000003", create("/seq/b-", CreateMode.PERSISTENT_SEQUENTIAL),
                "non-sequential creates advance the counter too");
        assertEquals("/seq/0000000004", create("/seq/", CreateMode.PERSISTENT_SEQUENTIAL),
                "an empty prefix gives a bare number");
    }

    @Test
    void sequenceNumbersAreNotReusedAfterDeletes() throws Exception {
        create("/seq-del", CreateMode.PERSISTENT);
        String first = create("/seq-del/n-", CreateMode.PERSISTENT_SEQUENTIAL);
        String second = create("/seq-del/n-", CreateMode.PERSISTENT_SEQUENTIAL);
        zk.delete(second, -1);
        zk.delete(first, -1);

        assertEquals("/seq-del/n-0000000002", create("/seq-del/n-", CreateMode.PERSISTENT_SEQUENTIAL));
        Stat parent = zk.exists("/seq-del", false);
        assertEquals(5, parent.getCversion(), "3 creates + 2 deletes");
        assertEquals(1, parent.getNumChildren());
    }

    @Test
    void sequentialCreateWithStatReturnsTheSuffixedPathAndItsStat() throws Exception {
        create("/seq-stat", CreateMode.PERSISTENT);
        Stat stat = new Stat();
        String path = zk.create("/seq-stat/x", new byte[] {1, 2}, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL,
                stat);
        assertEquals("/seq-stat/x0000000000", path);
        assertEquals(2, stat.getDataLength());
        assertEquals(zk.exists(path, false), stat);
    }

    @Test
    void sequentialNodesDirectlyUnderRootUseTheRootsCounter() throws Exception {
        Stat root = zk.exists("/", false);
        // visible cversion = creates + deletes and numChildren = creates - deletes, so creates = their mean
        int rootCreates = (root.getCversion() + root.getNumChildren()) / 2;

        String path = create("/rootseq-", CreateMode.PERSISTENT_SEQUENTIAL);

        assertEquals(String.format("/rootseq-%010d", rootCreates), path);
        zk.delete(path, -1);
    }

    @Test
    void ephemeralSequentialNodesAreNumberedAndOwnedByTheSession() throws Exception {
        create("/seq-eph", CreateMode.PERSISTENT);
        String a = create("/seq-eph/member-", CreateMode.EPHEMERAL_SEQUENTIAL);
        String b = create("/seq-eph/member-", CreateMode.EPHEMERAL_SEQUENTIAL);

        assertEquals("/seq-eph/member-0000000000", a);
        assertEquals("/seq-eph/member-0000000001", b);
        assertEquals(zk.getSessionId(), zk.exists(a, false).getEphemeralOwner());
        assertTrue(zk.getEphemerals("/seq-eph").containsAll(java.util.List.of(a, b)));
    }
}
