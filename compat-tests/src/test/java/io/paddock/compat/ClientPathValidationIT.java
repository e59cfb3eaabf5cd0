package io.paddock.compat;

import static org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.paddock.compat.fixture.Clients;
import io.paddock.compat.fixture.ServerUnderTest;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The official client validates paths itself and never sends a malformed one, so these errors are client-side
 * (the server's own validation is exercised with raw frames in {@link RawProtocolIT}). Kept here so a change in
 * client behaviour, which would shift the burden to the server, shows up.
 */
class ClientPathValidationIT {

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

    @ParameterizedTest
    @ValueSource(strings = {"", "a", "/a/", "/a//b", "/a/./b", "/a/../b", "/a/.", "/a\u0000b", "/a\u0001b",
            "/\ud83d\ude00"})
    void theClientRejectsMalformedPathsBeforeSendingThem(String path) throws Exception {
        assertThrows(IllegalArgumentException.class,
                () -> zk.create(path, null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
        assertThrows(IllegalArgumentException.class, () -> zk.getData(path, false, null));
        assertThrows(IllegalArgumentException.class, () -> zk.setData(path, null, -1));
        assertThrows(IllegalArgumentException.class, () -> zk.delete(path, -1));
        Clients.fence(zk);
    }

    @Test
    void aSequentialPrefixMayEndWithASlash() throws Exception {
        zk.create("/pv", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.create("/pv/", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL);
    }

    @Test
    void createUnderAMissingParentFailsWithNoNodeFromTheServer() throws Exception {
        assertThrows(KeeperException.NoNodeException.class,
                () -> zk.create("/pv-missing/a/b", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
        assertThrows(KeeperException.NoNodeException.class,
                () -> zk.create("/pv-missing/a", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL));
        assertNull(zk.exists("/pv-missing", false));
    }
}
