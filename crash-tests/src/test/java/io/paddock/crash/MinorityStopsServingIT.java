package io.paddock.crash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;

/**
 * A member cut off from the majority stops serving: in a 3-voter ensemble both followers are killed with kill -9; the
 * leader, alone, must stop serving within {@code syncLimit} (its {@code srvr} no longer says leader, and a new client
 * cannot get a session from it), stay stopped, and serve again (with everything acknowledged before) once one
 * follower is back.
 */
class MinorityStopsServingIT {
    private static final long TIMEOUT_MS = 60_000;
    /** 1 s at tickTime 100: short, yet not so short that a loaded 2-core machine makes the ensemble flap. */
    private static final int SYNC_LIMIT_TICKS = 10;
    /** What the check allows beyond syncLimit: the leader's tick granularity, srvr polling, a loaded 2-core box. */
    private static final long SLACK_MS = 1_500;
    /** How long a client keeps trying to get a session from the lone member, which must not give it one. */
    private static final long REFUSED_FOR_MS = 3_000;

    @Test
    void aLeaderThatLosesItsQuorumStopsServingWithinSyncLimitAndServesAgainWhenAPeerReturns() throws Exception {
        Path work = Ensemble.workDir("minority");
        try (Ensemble ensemble = new Ensemble(work, 3, 0, Map.of("syncLimit", Integer.toString(SYNC_LIMIT_TICKS)))
                .start()) {
            try (ZooKeeper zk = Clients.connect(Ensemble.connectString(ensemble.members()), TIMEOUT_MS)) {
                zk.create("/minority", "before".getBytes(StandardCharsets.US_ASCII), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT);
            }
            Ensemble.Member leader = ensemble.awaitLeader(TIMEOUT_MS);
            ensemble.awaitAllServing(TIMEOUT_MS);
            List<Ensemble.Member> followers = ensemble.followers();
            assertEquals(2, followers.size(), "two followers before the kill: " + ensemble.modes());

            long killedAt = System.nanoTime();
            for (Ensemble.Member f : followers) {
                f.process().sigkill();
            }
            Poll.untilTrue(TIMEOUT_MS, () -> "the lone leader stops serving; " + ensemble.modes(),
                    () -> !FourLetterWord.serving(leader.mode()));
            long stoppedMs = (System.nanoTime() - killedAt) / 1_000_000;
            for (Ensemble.Member f : followers) {
                f.process().awaitKilled();
            }
            long limitMs = (long) SYNC_LIMIT_TICKS * Ensemble.TICK_MS;
            assertTrue(stoppedMs <= limitMs + SLACK_MS, "the lone leader stopped serving " + stoppedMs
                    + " ms after its followers died; syncLimit is " + limitMs + " ms (+" + SLACK_MS + " ms slack)");

            // no session for a new client while alone, and still not serving afterwards
            CountDownLatch connected = new CountDownLatch(1);
            try (ZooKeeper lone = new ZooKeeper(leader.connectString(), Clients.SESSION_TIMEOUT_MS, event -> {
                if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                    connected.countDown();
                }
            })) {
                assertFalse(connected.await(REFUSED_FOR_MS, TimeUnit.MILLISECONDS),
                        "a client got a session from a member without a quorum");
            }
            assertFalse(FourLetterWord.serving(leader.mode()), "the lone member serves again on its own: "
                    + ensemble.modes());

            // one follower back: a quorum of two, serving, with the data
            long restartAt = System.nanoTime();
            followers.get(0).restart(TIMEOUT_MS);
            Ensemble.Member newLeader = ensemble.awaitLeader(TIMEOUT_MS);
            ensemble.awaitAllServing(TIMEOUT_MS);
            long backMs = (System.nanoTime() - restartAt) / 1_000_000;
            try (ZooKeeper zk = Clients.connect(leader.connectString(), TIMEOUT_MS)) {
                Clients.sync(zk, "/minority");
                assertArrayEquals("before".getBytes(StandardCharsets.US_ASCII), zk.getData("/minority", false, null));
                zk.setData("/minority", "after".getBytes(StandardCharsets.US_ASCII), 0);
            }
            System.out.printf("[minority] lone leader server.%d stopped serving %d ms after kill -9 of both followers"
                    + " (syncLimit %d ms); refused clients for %d ms; with server.%d back, server.%d leads and both"
                    + " serve %d ms after the restart%n", leader.sid, stoppedMs, limitMs, REFUSED_FOR_MS,
                    followers.get(0).sid, newLeader.sid, backMs);
        } catch (Throwable t) {
            throw new AssertionError(t.getMessage() + "\nServer logs kept in " + work, t);
        }
        Ensemble.cleanUp(work);
    }
}
