package io.paddock.compat;

import static org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.compat.fixture.Clients;
import io.paddock.compat.fixture.CuttableProxy;
import io.paddock.compat.fixture.EventRecorder;
import io.paddock.compat.fixture.ServerUnderTest;
import java.util.List;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A session outlives its connection (WIRE-PROTOCOL §2.5, §7.6, §10.2). Connections are dropped with a
 * {@link CuttableProxy} between the client under test and the server; changes are made meanwhile by {@code other},
 * which talks to the server directly.
 */
class SessionReconnectIT {

    private static ServerUnderTest server;
    private static ZooKeeper other;
    private CuttableProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        server = ServerUnderTest.start();
        other = Clients.connect(server.connectString());
    }

    @AfterAll
    static void stop() {
        Clients.closeQuietly(other, server);
    }

    @BeforeEach
    void openProxy() throws Exception {
        proxy = new CuttableProxy(server.port());
    }

    @AfterEach
    void closeProxy() {
        proxy.close();
    }

    private static void create(String path) throws Exception {
        other.create(path, null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    }

    /** Drops the client's connection and keeps it from reconnecting until {@link CuttableProxy#acceptNewConnections}. */
    private void disconnect(EventRecorder clientEvents) throws InterruptedException {
        proxy.refuseNewConnections();
        proxy.cut();
        clientEvents.awaitState(KeeperState.Disconnected);
    }

    @Test
    void aDroppedConnectionReconnectsToTheSameSessionAndKeepsItsEphemerals() throws Exception {
        EventRecorder events = new EventRecorder();
        try (ZooKeeper zk = Clients.connect(proxy.connectString(), events)) {
            long session = zk.getSessionId();
            zk.create("/s-eph", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);

            disconnect(events);
            proxy.acceptNewConnections();
            events.awaitState(KeeperState.SyncConnected);

            assertEquals(session, zk.getSessionId());
            assertEquals(2, proxy.relayedConnections(), "the client came back through a new connection");
            assertEquals(session, other.exists("/s-eph", false).getEphemeralOwner());
            assertEquals(List.of("/s-eph"), zk.getEphemerals());
        }
        assertNull(other.exists("/s-eph", false));
    }

    @Test
    void watchesAreReArmedAfterReconnectAndReportWhatChangedWhileDisconnected() throws Exception {
        create("/s-data");
        create("/s-gone");
        create("/s-parent");
        create("/s-quiet");
        EventRecorder events = new EventRecorder();
        EventRecorder data = new EventRecorder();
        EventRecorder gone = new EventRecorder();
        EventRecorder created = new EventRecorder();
        EventRecorder children = new EventRecorder();
        EventRecorder quiet = new EventRecorder();
        try (ZooKeeper zk = Clients.connect(proxy.connectString(), events)) {
            zk.getData("/s-data", data, null);
            zk.getData("/s-gone", gone, null);
            assertNull(zk.exists("/s-created", created));
            zk.getChildren("/s-parent", children);
            zk.getData("/s-quiet", quiet, null);

            disconnect(events);
            other.setData("/s-data", "new".getBytes(), -1);
            other.delete("/s-gone", -1);
            other.create("/s-created", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            other.create("/s-parent/kid", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            proxy.acceptNewConnections();
            events.awaitState(KeeperState.SyncConnected);

            data.expect(EventType.NodeDataChanged, "/s-data");
            gone.expect(EventType.NodeDeleted, "/s-gone");
            created.expect(EventType.NodeCreated, "/s-created");
            children.expect(EventType.NodeChildrenChanged, "/s-parent");
            Clients.fence(zk);
            quiet.assertNoNodeEvent();

            other.setData("/s-quiet", "later".getBytes(), -1);
            quiet.expect(EventType.NodeDataChanged, "/s-quiet");
            other.setData("/s-data", "again".getBytes(), -1);
            Clients.fence(zk);
            data.assertNoNodeEvent();
        }
    }

    @Test
    void persistentWatchesAreReArmedAfterReconnectWithoutCatchUpEvents() throws Exception {
        create("/s-pers");
        EventRecorder events = new EventRecorder();
        EventRecorder persistent = new EventRecorder();
        EventRecorder recursive = new EventRecorder();
        try (ZooKeeper zk = Clients.connect(proxy.connectString(), events)) {
            zk.addWatch("/s-pers", persistent, AddWatchMode.PERSISTENT);
            zk.addWatch("/s-pers", recursive, AddWatchMode.PERSISTENT_RECURSIVE);

            disconnect(events);
            other.setData("/s-pers", "missed".getBytes(), -1);
            proxy.acceptNewConnections();
            events.awaitState(KeeperState.SyncConnected);
            Clients.fence(zk);
            persistent.assertNoNodeEvent();
            recursive.assertNoNodeEvent();

            other.create("/s-pers/kid", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            other.setData("/s-pers", "seen".getBytes(), -1);
            persistent.expect(EventType.NodeChildrenChanged, "/s-pers");
            persistent.expect(EventType.NodeDataChanged, "/s-pers");
            recursive.expect(EventType.NodeCreated, "/s-pers/kid");
            recursive.expect(EventType.NodeDataChanged, "/s-pers");
        }
    }

    /**
     * One connection per session: a second handle resuming the session makes the server close the first handle's
     * connection. Each handle goes through its own proxy so the test decides which one may reconnect, instead of
     * letting the two take the session from each other in a loop.
     */
    @Test
    void aSecondHandleWithTheSessionIdAndPasswordTakesTheSessionOverAndTheFirstCanTakeItBack() throws Exception {
        EventRecorder firstEvents = new EventRecorder();
        EventRecorder secondEvents = new EventRecorder();
        try (CuttableProxy secondProxy = new CuttableProxy(server.port());
             ZooKeeper first = Clients.connect(proxy.connectString(), firstEvents)) {
            long session = first.getSessionId();
            first.create("/s-shared", "x".getBytes(), OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            proxy.refuseNewConnections();

            ZooKeeper second = new ZooKeeper(secondProxy.connectString(), Clients.SESSION_TIMEOUT_MS, secondEvents,
                    session, first.getSessionPasswd());
            try {
                secondEvents.awaitState(KeeperState.SyncConnected);
                firstEvents.awaitState(KeeperState.Disconnected);
                assertEquals(session, second.getSessionId());
                assertArrayEquals(first.getSessionPasswd(), second.getSessionPasswd());
                assertEquals(List.of("/s-shared"), second.getEphemerals(), "the session's ephemerals came along");

                secondProxy.refuseNewConnections();
                secondProxy.cut();
                secondEvents.awaitState(KeeperState.Disconnected);
                proxy.acceptNewConnections();
                firstEvents.awaitState(KeeperState.SyncConnected);
                assertEquals(session, other.exists("/s-shared", false).getEphemeralOwner());

                first.close();
                assertNull(other.exists("/s-shared", false), "closing either handle ends the shared session");
                secondProxy.acceptNewConnections();
                secondEvents.awaitState(KeeperState.Expired);
            } finally {
                second.close();
            }
        }
    }

    /**
     * Real ZooKeeper 3.9.4 closes the session's current connection BEFORE it checks the password
     * ({@code processConnectRequest} calls {@code closeSession(CLIENT_RECONNECT)}, then {@code reopenSession}), so a
     * wrong password knocks the owner offline for a moment. The owner reconnects on its own; the test only asserts
     * what clients rely on: the intruder is expired and the owner's session and ephemerals survive.
     */
    @Test
    void resumingWithAWrongPasswordEndsInExpiredAndLeavesTheSessionAlive() throws Exception {
        EventRecorder ownerEvents = new EventRecorder();
        try (ZooKeeper owner = Clients.connect(server.connectString(), ownerEvents)) {
            owner.create("/s-owned", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            byte[] wrong = owner.getSessionPasswd().clone();
            wrong[0] ^= 0x5A;

            EventRecorder events = new EventRecorder();
            ZooKeeper intruder = new ZooKeeper(server.connectString(), Clients.SESSION_TIMEOUT_MS, events,
                    owner.getSessionId(), wrong);
            try {
                events.awaitState(KeeperState.Expired);
                assertFalse(intruder.getState().isAlive());
            } finally {
                intruder.close();
            }

            Clients.awaitCondition("the owner is served again", () -> {
                try {
                    return owner.getEphemerals().equals(List.of("/s-owned"));
                } catch (KeeperException.ConnectionLossException e) {
                    return false; // knocked off by the intruder (real ZooKeeper); the client reconnects by itself
                } catch (KeeperException | InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            assertEquals(owner.getSessionId(), other.exists("/s-owned", false).getEphemeralOwner());
        }
    }

    @Test
    void aClosedSessionCannotBeResumed() throws Exception {
        ZooKeeper closed = Clients.connect(server.connectString());
        long session = closed.getSessionId();
        byte[] password = closed.getSessionPasswd();
        closed.close();

        EventRecorder events = new EventRecorder();
        ZooKeeper late = new ZooKeeper(server.connectString(), Clients.SESSION_TIMEOUT_MS, events, session, password);
        try {
            events.awaitState(KeeperState.Expired);
        } finally {
            late.close();
        }
    }

    @Test
    void theNegotiatedTimeoutIsReportedToTheClient() throws Exception {
        try (ZooKeeper shortLived = Clients.connect(server.connectString(), 1_000, new EventRecorder());
             ZooKeeper tooShort = Clients.connect(server.connectString(), 10, new EventRecorder())) {
            assertEquals(1_000, shortLived.getSessionTimeout());
            assertEquals(200, tooShort.getSessionTimeout(), "raised to the minimum, 2 ticks");
            assertTrue(other.getSessionTimeout() <= Clients.SESSION_TIMEOUT_MS);
        }
    }
}
