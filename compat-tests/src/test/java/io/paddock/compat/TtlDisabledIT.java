package io.paddock.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.paddock.compat.fixture.Clients;
import io.paddock.compat.fixture.ServerUnderTest;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** TTL nodes (op 21) on a server without extendedTypesEnabled: rejected with UNIMPLEMENTED (-6). */
class TtlDisabledIT {

    private static ServerUnderTest server;

    @BeforeAll
    static void start() throws Exception {
        server = ReapingServer.start(100, false);
    }

    @AfterAll
    static void stop() {
        Clients.closeQuietly(server);
    }

    @Test
    void ttlCreateIsUnimplementedWithoutExtendedTypes() throws Exception {
        try (ZooKeeper zk = Clients.connect(server.connectString())) {
            KeeperException e = assertThrows(KeeperException.UnimplementedException.class, () -> zk.create("/ttl",
                    new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, null, 200));
            assertEquals(KeeperException.Code.UNIMPLEMENTED, e.code());
            assertThrows(KeeperException.UnimplementedException.class, () -> zk.create("/ttl-seq-", new byte[0],
                    Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, null, 200));
            assertNull(zk.exists("/ttl", false));
            // the session survives and other creates still work
            zk.create("/plain", new byte[0], Ids.OPEN_ACL_UNSAFE, CreateMode.CONTAINER);
            assertEquals(0, zk.exists("/plain", false).getEphemeralOwner());
        }
    }
}
