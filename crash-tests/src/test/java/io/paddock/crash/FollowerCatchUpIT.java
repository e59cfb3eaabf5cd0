package io.paddock.crash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;

/**
 * A follower killed with kill -9 and restarted on its folder catches up: after a short absence by DIFF (the leader
 * still holds every txn it missed in its committed-log window, {@code commitLogCount}), after a long one by SNAP.
 *
 * <p>How the two are told apart from outside: a SNAP is installed as a snapshot file in the follower's
 * {@code version-2} folder at a zxid above what the follower had; a DIFF writes no snapshot. Periodic snapshots are
 * pushed out of the way ({@code snapCount} far above the writes made here), so a snapshot file above the follower's
 * old zxid can only come from a SNAP.
 */
class FollowerCatchUpIT {
    private static final long TIMEOUT_MS = 60_000;
    /**
     * The leader's committed-log window. Apache ZooKeeper (the oracle, {@code -Densemble.server=zookeeper}) raises
     * anything below 500 to 500.
     */
    private static final int COMMIT_LOG_COUNT = Ensemble.defaultFlavor() == Ensemble.Flavor.ZOOKEEPER ? 500 : 50;
    private static final int SHORT_ABSENCE_WRITES = 10;
    private static final int LONG_ABSENCE_WRITES = COMMIT_LOG_COUNT * 4;

    @Test
    void aRestartedFollowerCatchesUpByDiffAndAfterALongAbsenceBySnap() throws Exception {
        Path work = Ensemble.workDir("catch-up");
        try (Ensemble ensemble = new Ensemble(work, 3, 0, Map.of(
                "commitLogCount", Integer.toString(COMMIT_LOG_COUNT),
                "snapCount", "1000000",
                // ZooKeeper 3.9 also DIFFs from the log on disk while it is small next to the snapshot; -1 turns that
                // off (a key Paddock does not know, ignored with a warning)
                "snapshotSizeFactor", "-1")).start()) {
            ensemble.awaitLeader(TIMEOUT_MS);
            Ensemble.Member follower = ensemble.followers().get(0);
            // the writes go through the member that is not killed: the leader, or whoever leads after it
            List<Ensemble.Member> others = ensemble.members().stream().filter(m -> m != follower).toList();
            try (ZooKeeper zk = Clients.connect(Ensemble.connectString(others), TIMEOUT_MS)) {
                zk.create("/catchup", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                createAll(zk, "a", 20);

                // short absence: fewer writes than the leader's window
                long before = ensemble.awaitSameZxid(TIMEOUT_MS);
                follower.kill9();
                createAll(zk, "b", SHORT_ABSENCE_WRITES);
                long diffMs = restartAndCatchUp(ensemble, follower);
                assertHolds(follower, List.of("a", "b"), new int[] {20, SHORT_ABSENCE_WRITES});
                List<Long> snapshotsAbove = above(follower.snapshotZxids(), before);
                assertTrue(snapshotsAbove.isEmpty(), "a short absence is caught up by DIFF, without a snapshot;"
                        + " found snapshots at " + hex(snapshotsAbove) + " above the follower's 0x"
                        + Long.toHexString(before));

                // long absence: several windows' worth of writes
                before = ensemble.awaitSameZxid(TIMEOUT_MS);
                follower.kill9();
                createAll(zk, "c", LONG_ABSENCE_WRITES);
                long snapMs = restartAndCatchUp(ensemble, follower);
                assertHolds(follower, List.of("a", "b", "c"), new int[] {20, SHORT_ABSENCE_WRITES,
                    LONG_ABSENCE_WRITES});
                snapshotsAbove = above(follower.snapshotZxids(), before);
                assertTrue(!snapshotsAbove.isEmpty(), "a long absence is caught up by SNAP: no snapshot above the"
                        + " follower's 0x" + Long.toHexString(before) + " in " + follower.dataDir);

                // and it keeps up with what comes next
                createAll(zk, "d", 10);
                ensemble.awaitSameZxid(TIMEOUT_MS);
                assertHolds(follower, List.of("d"), new int[] {10});
                System.out.printf("[catch-up] follower server.%d: DIFF after %d missed writes, serving and level in"
                        + " %d ms from restart; SNAP (snapshot at %s) after %d missed writes, in %d ms%n",
                        follower.sid, SHORT_ABSENCE_WRITES, diffMs, hex(snapshotsAbove), LONG_ABSENCE_WRITES, snapMs);
            }
        } catch (Throwable t) {
            throw new AssertionError(t.getMessage() + "\nServer logs kept in " + work, t);
        }
        Ensemble.cleanUp(work);
    }

    /** Restarts the member and waits until it serves at the leader's zxid; returns the milliseconds that took. */
    private static long restartAndCatchUp(Ensemble ensemble, Ensemble.Member m) throws Exception {
        long t0 = System.nanoTime();
        m.restart(TIMEOUT_MS);
        m.awaitServing(TIMEOUT_MS);
        ensemble.awaitSameZxid(TIMEOUT_MS);
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** {@code count} pipelined creates {@code /catchup/<prefix>-<i>}, data = the name; all must succeed. */
    private static void createAll(ZooKeeper zk, String prefix, int count) throws Exception {
        List<CompletableFuture<Integer>> replies = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            CompletableFuture<Integer> f = new CompletableFuture<>();
            replies.add(f);
            String name = prefix + "-" + i;
            zk.create("/catchup/" + name, name.getBytes(StandardCharsets.US_ASCII), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT, (AsyncCallback.StringCallback) (rc, path, ctx, n) -> f.complete(rc), null);
        }
        for (CompletableFuture<Integer> f : replies) {
            assertEquals(KeeperException.Code.OK.intValue(), f.get(TIMEOUT_MS, TimeUnit.MILLISECONDS));
        }
    }

    /** Reads the member's own copy (a client connected to it alone) and checks every node of every prefix. */
    private static void assertHolds(Ensemble.Member m, List<String> prefixes, int[] counts) throws Exception {
        try (ZooKeeper zk = Clients.connect(m.connectString(), TIMEOUT_MS)) {
            List<String> children = zk.getChildren("/catchup", false);
            List<String> paths = new ArrayList<>();
            for (int p = 0; p < prefixes.size(); p++) {
                for (int i = 0; i < counts[p]; i++) {
                    String name = prefixes.get(p) + "-" + i;
                    assertTrue(children.contains(name), m + " lacks /catchup/" + name);
                    paths.add("/catchup/" + name);
                }
            }
            Map<String, byte[]> data = Clients.readAll(zk, paths);
            for (String p : paths) {
                assertArrayEquals(p.substring("/catchup/".length()).getBytes(StandardCharsets.US_ASCII), data.get(p),
                        m + " data of " + p);
            }
        }
    }

    private static List<Long> above(List<Long> zxids, long floor) {
        return zxids.stream().filter(z -> Long.compareUnsigned(z, floor) > 0).toList();
    }

    private static String hex(List<Long> zxids) {
        return zxids.stream().map(z -> "0x" + Long.toHexString(z)).toList().toString();
    }
}
