package io.paddock.compat;

import static org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.paddock.compat.fixture.Clients;
import io.paddock.compat.fixture.CuttableProxy;
import io.paddock.compat.fixture.EventRecorder;
import io.paddock.compat.fixture.ServerUnderTest;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Ephemerals belong to the session: they die with close() and with expiry, and nobody else's (§10.2, §10.5). */
class EphemeralIT {

    private static ServerUnderTest server;
    private static ZooKeeper observer;

    @BeforeAll
    static void start() throws Exception {
        server = ServerUnderTest.start();
        observer = Clients.connect(server.connectString());
        observer.create("/eph", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    }

    @AfterAll
    static void stop() {
        Clients.closeQuietly(observer, server);
    }

    @Test
    void ephemeralOwnerIsTheSessionIdAndZeroForPersistentNodes() throws Exception {
        try (ZooKeeper owner = Clients.connect(server.connectString())) {
            owner.create("/eph/owned", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            owner.create("/eph/persistent", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);

            assertEquals(owner.getSessionId(), observer.exists("/eph/owned", false).getEphemeralOwner());
            assertEquals(0L, observer.exists("/eph/persistent", false).getEphemeralOwner());
        }
        observer.delete("/eph/persistent", -1);
    }

    @Test
    void getEphemeralsListsOnlyTheCallersEphemerals() throws Exception {
        try (ZooKeeper a = Clients.connect(server.connectString());
             ZooKeeper b = Clients.connect(server.connectString())) {
            a.create("/eph/list-a1", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            a.create("/eph/list-a2", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            b.create("/eph/list-b1", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);

            assertEquals(Set.of("/eph/list-a1", "/eph/list-a2"), new HashSet<>(a.getEphemerals()));
            assertEquals(List.of("/eph/list-b1"), b.getEphemerals());
            assertEquals(List.of("/eph/list-a2"), a.getEphemerals("/eph/list-a2"));
            assertEquals(Set.of("/eph/list-a1", "/eph/list-a2"), new HashSet<>(a.getEphemerals("/eph/list-a")),
                    "the filter is a plain string prefix, not a path");
            assertEquals(List.of(), observer.getEphemerals());
        }
    }

    @Test
    void ephemeralIsDeletedWhenItsSessionClosesAndWatchersSeeNodeDeleted() throws Exception {
        EventRecorder events = new EventRecorder();
        ZooKeeper owner = Clients.connect(server.connectString());
        owner.create("/eph/closing", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        assertNotNull(observer.exists("/eph/closing", events));

        owner.close();

        events.expect(EventType.NodeDeleted, "/eph/closing");
        assertNull(observer.exists("/eph/closing", false));
    }

    /**
     * Expiry is forced by cutting the owner off through a proxy that refuses reconnects: the server hears nothing for
     * the (short) session timeout and expires the session. When the proxy lets it through again, the client learns
     * its session is gone.
     */
    @Test
    void ephemeralIsDeletedWhenItsSessionExpires() throws Exception {
        try (CuttableProxy proxy = new CuttableProxy(server.port())) {
            EventRecorder ownerEvents = new EventRecorder();
            ZooKeeper owner = Clients.connect(proxy.connectString(), 1_000, ownerEvents);
            try {
                owner.create("/eph/expiring", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
                EventRecorder events = new EventRecorder();
                assertNotNull(observer.exists("/eph/expiring", events));

                proxy.refuseNewConnections();
                proxy.cut();
                ownerEvents.awaitState(KeeperState.Disconnected);

                events.expect(EventType.NodeDeleted, "/eph/expiring");
                assertNull(observer.exists("/eph/expiring", false));

                proxy.acceptNewConnections();
                ownerEvents.awaitState(KeeperState.Expired);
                assertFalse(owner.getState().isAlive());
            } finally {
                owner.close();
            }
        }
    }
}
