package io.paddock.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.paddock.distro.PaddockTools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * kill -9 under load, per storage engine: a real server JVM, the official client writing through it, SIGKILL at a
 * random moment while writes are in flight, restart on the same folders, and the checks of {@link Ledger}: every
 * acknowledged write is there, nothing is there that was never sent, zxids and sequential suffixes only go forward,
 * and the client's session resumes (the restarted server accepts the client's lastZxidSeen).
 *
 * <p>Settings (system properties, set by the pom): {@code crash.kills} per engine (25), {@code crash.engines}
 * ({@code file,mmap}; {@code memory} runs the harness against a server that keeps nothing, which must fail),
 * {@code crash.seed} (empty = new seed, printed), {@code crash.workDir}, {@code crash.keep} (keep the folder of a run
 * that passed, too).
 */
class KillNineIT {
    private static final long START_TIMEOUT_MS = 60_000;
    private static final long RECONNECT_TIMEOUT_MS = 30_000;
    private static final long LOAD_TIMEOUT_MS = 30_000;
    /** The kill comes this long after the round's first acknowledged write, at most: a seeded choice. */
    private static final int KILL_DELAY_MS_MAX = 600;
    private static final int SESSION_TIMEOUT_MS = 30_000;

    static Stream<String> engines() {
        return Arrays.stream(System.getProperty("crash.engines", "file,mmap").split("[,\\s]+"))
                .filter(s -> !s.isBlank());
    }

    @ParameterizedTest(name = "storage={0}")
    @MethodSource("engines")
    void everyAcknowledgedWriteSurvivesKillNine(String engine) throws Exception {
        int kills = Integer.getInteger("crash.kills", 25);
        String seedText = System.getProperty("crash.seed", "");
        long seed = seedText.isBlank() ? System.nanoTime() ^ System.currentTimeMillis() : Long.parseLong(seedText);
        System.out.printf("[crash %s] seed %d, %d kills (replay with -Dcrash.seed=%d -Dcrash.engines=%s)%n",
                engine, seed, kills, seed, engine);
        Path base = Path.of(System.getProperty("crash.workDir", System.getProperty("java.io.tmpdir")));
        Files.createDirectories(base);
        Path work = Files.createTempDirectory(base, "crash-" + engine + "-");
        CrashRun run = new CrashRun(engine, seed, work);
        boolean passed = false;
        try {
            run.go(kills);
            passed = true;
        } catch (Throwable t) {
            throw new AssertionError("[crash " + engine + "] seed " + seed + ": " + t.getMessage()
                    + "\nData and server logs kept in " + work + " (inspect with ./paddock-tools dump-log "
                    + work.resolve("zoo.cfg") + ")", t);
        } finally {
            run.close();
            if (passed && !Boolean.getBoolean("crash.keep")) {
                deleteTree(work);
            }
        }
    }

    /** One engine's run: one data folder, one client session, many server processes. */
    private static final class CrashRun {
        private final String engine;
        private final long seed;
        private final Random random;
        private final Path work;
        private final Path zooCfg;
        private final Ledger ledger = new Ledger();
        private final SessionWatcher watcher = new SessionWatcher();
        private final MovingServer address = new MovingServer();
        private final List<Integer> inflightAtKill = new ArrayList<>();
        private final List<Long> restartMs = new ArrayList<>();
        private final List<Long> reconnectMs = new ArrayList<>();
        private ServerProcess server;
        private Path classArchive;
        private ZooKeeper zk;
        private int incarnation;

        CrashRun(String engine, long seed, Path work) throws IOException {
            this.engine = engine;
            this.seed = seed;
            this.random = new Random(seed);
            this.work = work;
            this.zooCfg = work.resolve("zoo.cfg");
            // Small logs and frequent snapshots: kills land during log rolls and fuzzy snapshots too, and recovery
            // always replays a log on top of a snapshot.
            int snapCount = 100 + random.nextInt(300);
            int preAllocKib = List.of(64, 512, 4096).get(random.nextInt(3));
            Files.writeString(zooCfg, String.join("\n",
                    "tickTime=200",
                    "clientPort=0",
                    "clientPortAddress=127.0.0.1",
                    "dataDir=" + work.resolve("data"),
                    "dataLogDir=" + work.resolve("log"),
                    "storage=" + engine,
                    "forceSync=yes",
                    "snapCount=" + snapCount,
                    "preAllocSize=" + preAllocKib,
                    "maxSessionTimeout=" + 2 * SESSION_TIMEOUT_MS,
                    ""), StandardCharsets.ISO_8859_1);
            System.out.printf("[crash %s] snapCount=%d preAllocSize=%dKiB, data in %s%n", engine, snapCount,
                    preAllocKib, work);
        }

        void go(int kills) throws Exception {
            long started = System.nanoTime();
            classArchive = classArchive(engine, work);
            address.movedTo(startServer());
            zk = newClient();
            awaitReconnect(0, "the first connection");
            setUp();
            int done = 0;
            for (int k = 1; k <= kills; k++) {
                killMidLoad(k, kills);
                done = k;
                resume(startServer());
                ledger.check(zk, k == kills);
                if (!ledger.anomalies().isEmpty()) {
                    break; // report this round; later rounds would only repeat it
                }
            }
            if (ledger.anomalies().isEmpty()) {
                // one more write: the zxid goes on from where the last acknowledged one was
                long op = ledger.nextOp();
                ledger.sendCounter(op);
                Stat stat = zk.setData(Ledger.COUNTER, Long.toString(op).getBytes(StandardCharsets.US_ASCII), -1);
                ledger.ackCounter(op, stat.getMzxid());
            }
            String summary = summary(done, (System.nanoTime() - started) / 1_000_000);
            System.out.println(summary);
            List<String> anomalies = ledger.anomalies();
            if (!anomalies.isEmpty()) {
                fail(anomalies.size() + " anomalies, first ones:\n  " + String.join("\n  ",
                        anomalies.subList(0, Math.min(20, anomalies.size()))) + "\n" + summary
                        + "\nlast server lines:\n" + server.tail());
            }
            assertEquals(0, ledger.lostAcked());
            assertTrue(Collections.min(inflightAtKill) > 0, "every kill landed with writes in flight");
            stopAndVerifyWithTools();
        }

        private int startServer() throws Exception {
            long t0 = System.nanoTime();
            incarnation++;
            server = ServerProcess.start(zooCfg, work.resolve("server-" + incarnation + ".log"), classArchive);
            int port = server.awaitPort(START_TIMEOUT_MS);
            restartMs.add((System.nanoTime() - t0) / 1_000_000);
            return port;
        }

        private void setUp() throws Exception {
            Stat stat = new Stat();
            zk.create(Ledger.ROOT, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, stat);
            ledger.ackOther("create " + Ledger.ROOT, stat.getCzxid());
            for (String p : List.of(Ledger.NODES, Ledger.SEQ, Ledger.MULTI)) {
                zk.create(p, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, stat);
                ledger.ackOther("create " + p, stat.getCzxid());
            }
            zk.create(Ledger.COUNTER, "0".getBytes(StandardCharsets.US_ASCII), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT, stat);
            ledger.ackOther("create " + Ledger.COUNTER, stat.getCzxid());
        }

        private void killMidLoad(int k, int kills) throws Exception {
            ledger.startRound();
            Writer writer = new Writer(zk, ledger, random.nextLong());
            writer.start();
            writer.awaitFirstAck(LOAD_TIMEOUT_MS);
            int delayMs = random.nextInt(KILL_DELAY_MS_MAX);
            // A chosen moment, not a condition: the load runs for delayMs more while this thread waits.
            new CountDownLatch(1).await(delayMs, TimeUnit.MILLISECONDS);
            address.down();
            int inflight = writer.stopAndKill(server, LOAD_TIMEOUT_MS);
            server.awaitKilled();
            inflightAtKill.add(inflight);
            writer.drain(LOAD_TIMEOUT_MS);
            System.out.printf("[crash %s] kill %d/%d: pid %d SIGKILLed %d ms into the load, %d writes in flight,"
                    + " %d acknowledged this round%n", engine, k, kills, server.pid(), delayMs, inflight,
                    ledger.ackedThisRound());
        }

        private ZooKeeper newClient() throws IOException {
            return new ZooKeeper("127.0.0.1:2181" /* addresses come from the HostProvider */, SESSION_TIMEOUT_MS,
                    watcher, false, address);
        }

        /** The same client, given the new port, resumes its session: the server accepted its lastZxidSeen. */
        private void resume(int port) throws Exception {
            long t0 = System.nanoTime();
            long session = zk.getSessionId();
            int before = watcher.connections();
            address.movedTo(port);
            ServerProcess current = server;
            SessionWatcher.Outcome outcome = watcher.awaitConnection(before, RECONNECT_TIMEOUT_MS,
                    () -> !current.refusals().isEmpty() || !current.isAlive());
            reconnectMs.add((System.nanoTime() - t0) / 1_000_000);
            if (outcome == SessionWatcher.Outcome.CONNECTED && zk.getSessionId() == session) {
                return;
            }
            String why = switch (outcome) {
                case CONNECTED -> "the client connected with another session";
                case EXPIRED -> "the restarted server does not know the session (expired)";
                case GAVE_UP -> current.isAlive() ? "the restarted server refused the client: "
                        + current.refusals().get(0) : "the restarted server died:\n" + current.tail();
                case TIMED_OUT -> "no connection within " + RECONNECT_TIMEOUT_MS + " ms";
            };
            ledger.anomaly("RECONNECT FAILED after kill " + (incarnation - 1) + ": " + why);
            if (!current.isAlive()) {
                throw new AssertionError(why);
            }
            // Go on with a new session, so the check can still count what was lost.
            zk.close();
            zk = newClient();
            awaitReconnect(watcher.connections(), "a new session");
        }

        private void awaitReconnect(int before, String what) throws InterruptedException {
            SessionWatcher.Outcome outcome = watcher.awaitConnection(before, RECONNECT_TIMEOUT_MS, () -> false);
            if (outcome != SessionWatcher.Outcome.CONNECTED) {
                throw new AssertionError(what + ": " + outcome + "; server's last lines:\n" + server.tail());
            }
        }

        /** A clean stop, then paddock-tools verify over what the crashes left: every record and snapshot reads. */
        private void stopAndVerifyWithTools() throws Exception {
            zk.close();
            zk = null;
            server.stop();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int exit;
            try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
                exit = PaddockTools.run(List.of("verify", zooCfg.toString()), o, e);
            }
            String printed = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
            System.out.printf("[crash %s] paddock-tools verify after the last restart:%n%s", engine, printed);
            assertEquals(0, exit, printed);
        }

        private String summary(int kills, long elapsedMs) {
            List<Long> restarts = new ArrayList<>(restartMs);
            List<Long> reconnects = new ArrayList<>(reconnectMs);
            return String.format("[crash %s] SUMMARY seed %d: kills %d (each SIGKILL, exit status %d), writes in flight"
                    + " at kill min/avg/max %d/%.1f/%d; acknowledged writes %d (%d distinct), acknowledged writes"
                    + " checked after restarts %d, LOST %d; %s; anomalies %d; server start p50 %d ms, reconnect p50"
                    + " %d ms; %.1f s", engine, seed, kills, ServerProcess.SIGKILL_EXIT,
                    inflightAtKill.isEmpty() ? 0 : Collections.min(inflightAtKill),
                    inflightAtKill.stream().mapToInt(Integer::intValue).average().orElse(0),
                    inflightAtKill.isEmpty() ? 0 : Collections.max(inflightAtKill),
                    ledger.acked(), ledger.distinctAckedWrites(), ledger.checkedAcks(), ledger.lostAcked(),
                    ledger.tally(), ledger.anomalies().size(), median(restarts), median(reconnects),
                    elapsedMs / 1000.0);
        }

        void close() {
            try {
                if (zk != null) {
                    zk.close();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (server != null && server.isAlive()) {
                try {
                    server.sigkill();
                    server.awaitKilled();
                } catch (InterruptedException | AssertionError e) {
                    // best effort on the way out
                }
            }
        }
    }

    /** A class-data archive of a server start on a scratch folder (not the run's data), made once per run. */
    private static Path classArchive(String engine, Path work) throws IOException, InterruptedException {
        Path scratch = work.resolve("warm-up");
        Files.createDirectories(scratch);
        Path cfg = scratch.resolve("zoo.cfg");
        Files.writeString(cfg, String.join("\n", "tickTime=200", "clientPort=0", "clientPortAddress=127.0.0.1",
                "dataDir=" + scratch.resolve("data"), "storage=" + engine, ""), StandardCharsets.ISO_8859_1);
        return ServerProcess.makeClassArchive(cfg, scratch.resolve("paddock.jsa"), START_TIMEOUT_MS);
    }

    private static long median(List<Long> values) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
