package io.paddock.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The failover measurement for the README, on demand ({@code -Dfailover.bench=true}): 3 voters with ZooKeeper's
 * sample timing (tickTime 2000, initLimit 10, syncLimit 5), {@code failover.znodes} znodes (100,000) loaded, then
 * kill -9 of the leader, and three times measured from the SIGKILL:
 * <ol>
 *   <li><b>elected</b>: a surviving member says {@code Mode: leader} (srvr polled every 20 ms);</li>
 *   <li><b>new client</b>: a client that opens a fresh session on a survivor gets a create acknowledged (new
 *       sessions are tried, on both survivors at once, whenever none connects within 100 ms or no write gets through,
 *       so the official client's random reconnection back-off stays out of this number);</li>
 *   <li><b>sessions</b>: existing sessions (one writer per follower, writing all along) get their first create
 *       acknowledged in the new epoch; this includes the official client's 0-1 s random back-off before it
 *       reconnects.</li>
 * </ol>
 * {@code failover.servers=paddock,zookeeper} runs the same rounds against Apache ZooKeeper 3.9's
 * {@code QuorumPeerMain} (the jar the tests already use as a client) with the same zoo.cfg, and prints the ratio of
 * the medians. Every round checks that no acknowledged write of the existing sessions was lost.
 */
@EnabledIfSystemProperty(named = "failover.bench", matches = "true")
class FailoverBenchIT {
    private static final long TIMEOUT_MS = 120_000;
    private static final int LOAD_WINDOW = 1_000;
    private static final long PROBE_CONNECT_MS = 100;

    record Round(long loadMs, long electedMs, long servingMs, long newClientMs, long sessionsMs, String probe) {}

    @Test
    void killNineOfTheLeaderWithAHundredThousandZnodes() throws Exception {
        int znodes = Integer.getInteger("failover.znodes", 100_000);
        int rounds = Integer.getInteger("failover.rounds", 3);
        int tickMs = Integer.getInteger("failover.tickTime", 2000);
        List<String> servers = Arrays.stream(System.getProperty("failover.servers", "paddock").split("[,\\s]+"))
                .filter(s -> !s.isBlank()).toList();
        Map<String, List<Round>> results = new LinkedHashMap<>();
        for (String server : servers) {
            Ensemble.Flavor flavor = Ensemble.Flavor.valueOf(server.toUpperCase(Locale.ROOT));
            for (int r = 1; r <= rounds; r++) {
                Round round = round(flavor, r, znodes, tickMs);
                results.computeIfAbsent(server, k -> new ArrayList<>()).add(round);
                FailoverReport.record(String.format("[failover-bench %s round %d/%d] 3 voters, %d znodes (loaded in"
                        + " %.1f s), tickTime %d ms: kill -9 of the leader -> leader elected and serving %d ms, both"
                        + " survivors serving %d ms, new client's first write %d ms, existing sessions' first write %d"
                        + " ms (probe: %s)", server, r, rounds, znodes, round.loadMs / 1000.0, tickMs, round.electedMs,
                        round.servingMs, round.newClientMs, round.sessionsMs, round.probe));
            }
        }
        StringBuilder summary = new StringBuilder(String.format("[failover-bench] medians over %d rounds, %d znodes,"
                + " %d cores:", rounds, znodes, Runtime.getRuntime().availableProcessors()));
        results.forEach((server, list) -> summary.append(String.format(" %s elected %d ms / new client %d ms /"
                + " sessions %d ms;", server, median(list, Round::electedMs), median(list, Round::newClientMs),
                median(list, Round::sessionsMs))));
        if (results.containsKey("paddock") && results.containsKey("zookeeper")) {
            List<Round> p = results.get("paddock");
            List<Round> z = results.get("zookeeper");
            summary.append(String.format(" paddock/zookeeper: elected %.2f, new client %.2f, sessions %.2f",
                    ratio(median(p, Round::electedMs), median(z, Round::electedMs)),
                    ratio(median(p, Round::newClientMs), median(z, Round::newClientMs)),
                    ratio(median(p, Round::sessionsMs), median(z, Round::sessionsMs))));
        }
        FailoverReport.record(summary.toString());
    }

    private static Round round(Ensemble.Flavor flavor, int r, int znodes, int tickMs) throws Exception {
        Path work = Ensemble.workDir("bench-" + flavor.name().toLowerCase(Locale.ROOT) + "-" + r);
        Map<String, String> settings = Map.of("tickTime", Integer.toString(tickMs), "initLimit", "10",
                "syncLimit", "5");
        boolean succeeded = false;
        try (Ensemble ensemble = new Ensemble(work, flavor, 3, 0, settings, List.of("-Xmx1g")).start()) {
            Ensemble.Member leader = ensemble.awaitLeader(TIMEOUT_MS);
            long loadMs = load(leader, znodes);
            ensemble.awaitSameZxid(TIMEOUT_MS);
            List<Ensemble.Member> followers = ensemble.followers();
            assertEquals(2, followers.size(), ensemble.modes());
            try (EnsembleLoad sessions = new EnsembleLoad(followers.stream().map(Ensemble.Member::connectString)
                    .toList())) {
                sessions.start();
                sessions.awaitAcksFromEveryWriter(20, TIMEOUT_MS);
                long oldEpoch = sessions.highestAckedEpoch();
                NewClientProbe probe = new NewClientProbe(followers.stream().map(Ensemble.Member::connectString)
                        .toList());

                long killedAt = System.nanoTime();
                leader.process().sigkill();
                probe.start();
                ensemble.awaitLeader(TIMEOUT_MS);
                long electedMs = (System.nanoTime() - killedAt) / 1_000_000;
                ensemble.awaitAllServing(TIMEOUT_MS);
                long servingMs = (System.nanoTime() - killedAt) / 1_000_000;
                long newClientMs = (probe.await(TIMEOUT_MS) - killedAt) / 1_000_000;
                leader.process().awaitKilled();
                sessions.awaitAcksFromEveryWriter(20, TIMEOUT_MS);
                EnsembleLoad.Ack first = sessions.firstAckAfter(killedAt, oldEpoch);
                assertNotNull(first, "no write acknowledged in an epoch above " + oldEpoch);
                long sessionsMs = (first.atNanos() - killedAt) / 1_000_000;
                sessions.stop(TIMEOUT_MS);
                assertTrue(sessions.anomalies().isEmpty(), "anomalies: " + sessions.anomalies());
                for (Ensemble.Member m : followers) {
                    List<String> problems = sessions.check(m.connectString(), new HashSet<>());
                    assertTrue(problems.isEmpty(), m + ": " + problems.subList(0, Math.min(10, problems.size())));
                }
                succeeded = true;
                return new Round(loadMs, electedMs, servingMs, newClientMs, sessionsMs, probe.describe(killedAt));
            }
        } catch (Throwable t) {
            throw new AssertionError(flavor + " round " + r + ": " + t.getMessage() + "\nServer logs kept in "
                    + work, t);
        } finally {
            // the data of a 100k-znode ensemble is not worth keeping once measured (a failed round keeps it)
            if (succeeded) {
                Ensemble.cleanUp(work);
            }
        }
    }

    /** {@code znodes} pipelined creates {@code /bench/n-<i>} (32 bytes each) through the leader; returns the ms. */
    private static long load(Ensemble.Member leader, int znodes) throws Exception {
        long t0 = System.nanoTime();
        try (ZooKeeper zk = Clients.connect(leader.connectString(), TIMEOUT_MS)) {
            zk.create("/bench", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            Semaphore window = new Semaphore(LOAD_WINDOW);
            AtomicReference<String> failure = new AtomicReference<>();
            byte[] data = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < znodes && failure.get() == null; i++) {
                if (!window.tryAcquire(TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("the load stalled at " + i + " znodes");
                }
                zk.create("/bench/n-" + i, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
                        (AsyncCallback.StringCallback) (rc, path, ctx, name) -> {
                            if (rc != KeeperException.Code.OK.intValue()) {
                                failure.compareAndSet(null, path + ": " + KeeperException.Code.get(rc));
                            }
                            window.release();
                        }, null);
            }
            if (!window.tryAcquire(LOAD_WINDOW, TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the last creates of the load got no reply");
            }
            if (failure.get() != null) {
                throw new AssertionError("a create of the load failed: " + failure.get());
            }
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /**
     * Fresh sessions until one gets a write through. Each try opens one new client per survivor (a client's first
     * connection has no back-off), gives them {@link #PROBE_CONNECT_MS} to connect, and 2 s for a create through each
     * one that did; a try that gets nothing through is closed and the next one starts at once.
     */
    private static final class NewClientProbe {
        private final List<String> addresses;
        private final CompletableFuture<Long> succeededAt = new CompletableFuture<>();
        private final Thread thread;
        private final java.util.concurrent.atomic.AtomicLong firstConnectedAt = new java.util.concurrent.atomic.AtomicLong();
        private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        private int attempt;
        private int tries;
        private final java.util.concurrent.ExecutorService closer = java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "failover-probe-close");
            t.setDaemon(true);
            return t;
        });

        NewClientProbe(List<String> addresses) {
            this.addresses = List.copyOf(addresses);
            this.thread = new Thread(this::run, "failover-probe");
            this.thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        /** Tries, when the first client connected (ms after {@code fromNanos}), what failed: for the report. */
        String describe(long fromNanos) {
            long connected = firstConnectedAt.get();
            return tries + " tries, first connection after " + (connected == 0 ? "-" : (connected - fromNanos) / 1_000_000)
                    + " ms, failed writes " + failures;
        }

        long await(long timeoutMs) throws Exception {
            try {
                return succeededAt.get(timeoutMs, TimeUnit.MILLISECONDS);
            } finally {
                thread.interrupt();
                thread.join(10_000);
                closer.shutdown();
                closer.awaitTermination(30, TimeUnit.SECONDS);
            }
        }

        private void run() {
            while (!succeededAt.isDone() && !Thread.currentThread().isInterrupted()) {
                tries++;
                List<ZooKeeper> clients = new ArrayList<>();
                try {
                    CountDownLatch anyConnected = new CountDownLatch(1);
                    List<CountDownLatch> connected = new ArrayList<>();
                    for (String address : addresses) {
                        CountDownLatch c = new CountDownLatch(1);
                        connected.add(c);
                        clients.add(new ZooKeeper(address, Clients.SESSION_TIMEOUT_MS, event -> {
                            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                                firstConnectedAt.compareAndSet(0, System.nanoTime());
                                c.countDown();
                                anyConnected.countDown();
                            }
                        }));
                    }
                    if (!anyConnected.await(PROBE_CONNECT_MS, TimeUnit.MILLISECONDS)) {
                        continue;
                    }
                    List<CompletableFuture<Integer>> replies = new ArrayList<>();
                    for (int i = 0; i < clients.size(); i++) {
                        if (connected.get(i).getCount() == 0) {
                            CompletableFuture<Integer> rc = new CompletableFuture<>();
                            replies.add(rc);
                            clients.get(i).create("/bench-probe-" + (++attempt), new byte[0],
                                    ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
                                    (AsyncCallback.StringCallback) (code, p, ctx, n) -> {
                                        if (code == KeeperException.Code.OK.intValue()) {
                                            succeededAt.complete(System.nanoTime());
                                        } else {
                                            failures.add(KeeperException.Code.get(code).toString());
                                        }
                                        rc.complete(code);
                                    }, null);
                        }
                    }
                    CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).get(2, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    failures.add(e.getClass().getSimpleName()); // nothing through yet: try again with new sessions
                } finally {
                    // closing a client that is still trying to connect blocks until its next attempt ends (up to the
                    // official client's 1 s back-off): close on another thread, so the next try starts at once
                    for (ZooKeeper zk : clients) {
                        closer.execute(() -> {
                            try {
                                zk.close();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });
                    }
                }
            }
        }
    }

    private static long median(List<Round> rounds, java.util.function.ToLongFunction<Round> f) {
        long[] values = rounds.stream().mapToLong(f).sorted().toArray();
        return values[values.length / 2];
    }

    private static double ratio(long a, long b) {
        return b == 0 ? Double.NaN : (double) a / b;
    }
}
