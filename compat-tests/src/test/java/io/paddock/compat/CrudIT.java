package io.paddock.compat;

import static org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.compat.fixture.Clients;
import io.paddock.compat.fixture.ServerUnderTest;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Create/read/update/delete through the official client, with exact Stat semantics (WIRE-PROTOCOL §5.1, §10.5-8). */
class CrudIT {

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

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Stat create2(String path, byte[] data, CreateMode mode) throws Exception {
        Stat stat = new Stat();
        String created = zk.create(path, data, OPEN_ACL_UNSAFE, mode, stat);
        assertEquals(path, created);
        return stat;
    }

    @Test
    void createWithStatReturnsTheFreshNodesStat() throws Exception {
        Stat s = create2("/crud-fresh", utf8("hello"), CreateMode.PERSISTENT);

        assertTrue(s.getCzxid() > 0, "czxid " + s);
        assertEquals(s.getCzxid(), s.getMzxid(), "mzxid = czxid at creation");
        assertEquals(s.getCzxid(), s.getPzxid(), "pzxid = czxid at creation");
        assertTrue(s.getCtime() > 0);
        assertEquals(s.getCtime(), s.getMtime(), "mtime = ctime at creation");
        assertEquals(0, s.getVersion());
        assertEquals(0, s.getCversion());
        assertEquals(0, s.getAversion());
        assertEquals(0L, s.getEphemeralOwner());
        assertEquals(5, s.getDataLength());
        assertEquals(0, s.getNumChildren());

        Stat read = new Stat();
        assertArrayEquals(utf8("hello"), zk.getData("/crud-fresh", false, read));
        assertEquals(s, read, "getData reports the same Stat create2 returned");
        assertEquals(s, zk.exists("/crud-fresh", false), "exists reports the same Stat");
    }

    @Test
    void createWithoutStatReturnsThePath() throws Exception {
        assertEquals("/crud-plain", zk.create("/crud-plain", utf8("x"), OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
        assertNotNull(zk.exists("/crud-plain", false));
    }

    @Test
    void setDataBumpsVersionMzxidAndMtimeButNotCzxidOrPzxid() throws Exception {
        Stat created = create2("/crud-set", utf8("v1"), CreateMode.PERSISTENT);

        Stat updated = zk.setData("/crud-set", utf8("value-2"), 0);

        assertEquals(1, updated.getVersion());
        assertTrue(updated.getMzxid() > created.getMzxid(), "mzxid moves on setData");
        assertEquals(created.getCzxid(), updated.getCzxid());
        assertEquals(created.getPzxid(), updated.getPzxid(), "pzxid only moves on child create/delete");
        assertEquals(created.getCtime(), updated.getCtime());
        assertTrue(updated.getMtime() >= created.getMtime());
        assertEquals(0, updated.getCversion());
        assertEquals(0, updated.getAversion());
        assertEquals(7, updated.getDataLength());

        Stat read = new Stat();
        assertArrayEquals(utf8("value-2"), zk.getData("/crud-set", false, read));
        assertEquals(updated, read);

        Stat again = zk.setData("/crud-set", utf8("v3"), -1);
        assertEquals(2, again.getVersion(), "version -1 matches any version");
    }

    @Test
    void childCreatesAndDeletesMoveParentCversionAndPzxidButNotItsMzxid() throws Exception {
        Stat parent = create2("/crud-parent", utf8("p"), CreateMode.PERSISTENT);

        Stat c1 = create2("/crud-parent/c1", null, CreateMode.PERSISTENT);
        Stat afterC1 = zk.exists("/crud-parent", false);
        assertEquals(1, afterC1.getCversion());
        assertEquals(1, afterC1.getNumChildren());
        assertEquals(c1.getCzxid(), afterC1.getPzxid(), "pzxid = zxid of the child create");
        assertEquals(parent.getMzxid(), afterC1.getMzxid(), "a child create is not a data change");
        assertEquals(0, afterC1.getVersion());

        Stat c2 = create2("/crud-parent/c2", null, CreateMode.PERSISTENT);
        Stat afterC2 = zk.exists("/crud-parent", false);
        assertEquals(2, afterC2.getCversion());
        assertEquals(2, afterC2.getNumChildren());
        assertEquals(c2.getCzxid(), afterC2.getPzxid());

        zk.delete("/crud-parent/c1", 0);
        Stat afterDelete = zk.exists("/crud-parent", false);
        assertEquals(3, afterDelete.getCversion(), "cversion counts creates and deletes of children");
        assertEquals(1, afterDelete.getNumChildren());
        assertTrue(afterDelete.getPzxid() > c2.getCzxid(), "pzxid moves on child delete");
        assertEquals(parent.getMzxid(), afterDelete.getMzxid());

        Stat later = create2("/crud-later", null, CreateMode.PERSISTENT);
        assertTrue(afterDelete.getPzxid() < later.getCzxid(), "pzxid is the delete's zxid, not a later one");

        Stat dataChange = zk.setData("/crud-parent", utf8("p2"), 0);
        assertEquals(afterDelete.getPzxid(), dataChange.getPzxid(), "setData leaves pzxid alone");
        assertEquals(3, dataChange.getCversion(), "setData leaves cversion alone");
    }

    @Test
    void staleVersionsAreRejectedWithBadVersion() throws Exception {
        create2("/crud-version", utf8("a"), CreateMode.PERSISTENT);
        zk.setData("/crud-version", utf8("b"), 0);

        assertThrows(KeeperException.BadVersionException.class, () -> zk.setData("/crud-version", utf8("c"), 0));
        assertThrows(KeeperException.BadVersionException.class, () -> zk.setData("/crud-version", utf8("c"), 7));
        assertThrows(KeeperException.BadVersionException.class, () -> zk.delete("/crud-version", 0));
        assertArrayEquals(utf8("b"), zk.getData("/crud-version", false, null), "failed writes change nothing");

        zk.delete("/crud-version", 1);
        assertNull(zk.exists("/crud-version", false));
    }

    @Test
    void creatingAnExistingNodeFailsWithNodeExists() throws Exception {
        create2("/crud-dup", utf8("first"), CreateMode.PERSISTENT);
        KeeperException e = assertThrows(KeeperException.NodeExistsException.class,
                () -> zk.create("/crud-dup", utf8("second"), OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
        assertEquals("/crud-dup", e.getPath());
        assertArrayEquals(utf8("first"), zk.getData("/crud-dup", false, null));
    }

    @Test
    void operationsOnAMissingNodeFailWithNoNodeAndExistsReturnsNull() throws Exception {
        assertThrows(KeeperException.NoNodeException.class, () -> zk.getData("/crud-missing", false, null));
        assertThrows(KeeperException.NoNodeException.class, () -> zk.setData("/crud-missing", utf8("x"), -1));
        assertThrows(KeeperException.NoNodeException.class, () -> zk.delete("/crud-missing", -1));
        assertThrows(KeeperException.NoNodeException.class, () -> zk.getChildren("/crud-missing", false));
        assertThrows(KeeperException.NoNodeException.class,
                () -> zk.getChildren("/crud-missing", false, new Stat()));
        assertNull(zk.exists("/crud-missing", false));
    }

    @Test
    void creatingUnderAMissingParentFailsWithNoNode() {
        KeeperException e = assertThrows(KeeperException.NoNodeException.class,
                () -> zk.create("/crud-nope/child", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
        assertEquals("/crud-nope/child", e.getPath());
        assertThrows(KeeperException.NoNodeException.class,
                () -> zk.create("/crud-nope/seq-", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL));
    }

    @Test
    void deletingANodeWithChildrenFailsWithNotEmpty() throws Exception {
        create2("/crud-full", null, CreateMode.PERSISTENT);
        create2("/crud-full/child", null, CreateMode.PERSISTENT);
        assertThrows(KeeperException.NotEmptyException.class, () -> zk.delete("/crud-full", -1));
        assertNotNull(zk.exists("/crud-full/child", false));
    }

    @Test
    void ephemeralNodesCannotHaveChildren() throws Exception {
        create2("/crud-eph", null, CreateMode.EPHEMERAL);
        assertThrows(KeeperException.NoChildrenForEphemeralsException.class,
                () -> zk.create("/crud-eph/child", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
        assertThrows(KeeperException.NoChildrenForEphemeralsException.class,
                () -> zk.create("/crud-eph/child", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL));
    }

    @Test
    void nullDataReadsBackAsNullAndEmptyDataAsEmpty() throws Exception {
        Stat nullStat = create2("/crud-null", null, CreateMode.PERSISTENT);
        Stat emptyStat = create2("/crud-empty", new byte[0], CreateMode.PERSISTENT);
        assertEquals(0, nullStat.getDataLength());
        assertEquals(0, emptyStat.getDataLength());

        assertNull(zk.getData("/crud-null", false, null), "null data travels as buffer length -1");
        assertArrayEquals(new byte[0], zk.getData("/crud-empty", false, null));

        zk.setData("/crud-empty", null, -1);
        assertNull(zk.getData("/crud-empty", false, null), "setData(null) stores null");
    }

    @Test
    void getChildren2ReturnsChildNamesAndTheParentsStat() throws Exception {
        create2("/crud-kids", null, CreateMode.PERSISTENT);
        for (String name : List.of("a", "b", "c")) {
            create2("/crud-kids/" + name, null, CreateMode.PERSISTENT);
        }
        create2("/crud-kids/a/grandchild", null, CreateMode.PERSISTENT);

        Stat stat = new Stat();
        List<String> children = zk.getChildren("/crud-kids", false, stat);

        assertEquals(Set.of("a", "b", "c"), new HashSet<>(children), "names, not paths; grandchildren excluded");
        assertEquals(3, children.size());
        assertEquals(zk.exists("/crud-kids", false), stat);
        assertEquals(List.of(), zk.getChildren("/crud-kids/b", false));
        assertEquals(4, zk.getAllChildrenNumber("/crud-kids"), "getAllChildrenNumber counts all descendants");
    }

    @Test
    void builtInZookeeperNodesExist() throws Exception {
        assertTrue(zk.getChildren("/", false).contains("zookeeper"));
        assertTrue(new HashSet<>(zk.getChildren("/zookeeper", false)).containsAll(Set.of("quota", "config")));
        assertNotNull(zk.exists("/zookeeper", false));
        assertNotNull(zk.exists("/zookeeper/quota", false));
        assertNotNull(zk.exists("/zookeeper/config", false));
    }

    @Test
    void getConfigReadsZookeeperConfig() throws Exception {
        Stat stat = new Stat();
        zk.getConfig(false, stat);
        assertEquals(zk.exists("/zookeeper/config", false), stat);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"})
    void builtInNodesCannotBeDeleted(String path) throws Exception {
        assertThrows(KeeperException.BadArgumentsException.class, () -> zk.delete(path, -1));
        assertNotNull(zk.exists(path, false));
    }
}
