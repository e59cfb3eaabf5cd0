package io.paddock.compat.bench;

import io.paddock.compat.fixture.ServerUnderTest;
import io.paddock.distro.Paddock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * A small load benchmark: the official ZooKeeper client (async API) keeps a fixed number of requests outstanding
 * against in-process servers, one after the other in one JVM (order reversed every other round), and prints throughput
 * and latency percentiles per target and the ratios to the last target named. Targets:
 * <ul>
 *   <li>a Paddock client transport ({@code nio}, {@code netty}): a standalone Paddock started by {@link Paddock#start}
 *       with {@code storage=file}, {@code forceSync=yes};</li>
 *   <li>{@code zookeeper}: a real Apache ZooKeeper 3.9.4 standalone (the compat fixture's oracle: default file storage,
 *       forceSync on);</li>
 *   <li>{@code paddock-ensemble}: three Paddock members in this JVM (the compat fixture
 *       {@code PaddockEnsembleServerUnderTest}, transport nio, file storage, forceSync on);</li>
 *   <li>{@code zookeeper-ensemble}: three ZooKeeper 3.9.4 quorum peers in this JVM ({@link ZooKeeperEnsemble}, fsync
 *       on).</li>
 * </ul>
 * Both ensembles run tickTime 2000, initLimit 10, syncLimit 5, on loopback, and the client sessions all talk to one
 * follower, so every write is forwarded to the leader. Every run gets a fresh temporary dataDir. Not a test: run it
 * by hand.
 *
 * <pre>
 * mvn -o -q -f compat-tests/pom.xml test-compile exec:java -Dexec.classpathScope=test \
 *     -Dorg.slf4j.simpleLogger.defaultLogLevel=error \
 *     -Dexec.mainClass=io.paddock.compat.bench.TransportLoadBenchmark \
 *     -Dexec.args="10 100 4 2 paddock-ensemble,zookeeper-ensemble write,read,mixed"
 * </pre>
 *
 * Arguments: seconds measured per target and round (20), outstanding requests in total (100), client sessions they
 * are spread over (4), rounds (2), targets (nio,netty; ratios are to the last one), modes (mixed): {@code mixed} 80%
 * getData / 20% setData, {@code write} 100% setData, {@code read} 100% getData, {@code create} 100% create of new
 * persistent znodes. Values are 128 bytes; setData/getData go round-robin over 100 znodes.
 */
public final class TransportLoadBenchmark {

    private static final int ZNODES = 100;
    private static final int DATA_BYTES = 128;
    /** One request in this many is a setData; the rest are getData. */
    private static final int WRITE_EVERY = 5;
    private static final int WARMUP_SECONDS = 5;

    private TransportLoadBenchmark() {}

    /** What one measured run produced. */
    record Result(String transport, int round, long requests, double seconds, long[] latenciesNanos) {
        double throughput() {
            return requests / seconds;
        }

        double percentileMs(double p) {
            if (latenciesNanos.length == 0) {
                return Double.NaN;
            }
            int index = (int) Math.min(latenciesNanos.length - 1, Math.ceil(p / 100.0 * latenciesNanos.length) - 1);
            return latenciesNanos[Math.max(0, index)] / 1e6;
        }
    }

    /** What each request of a run does. */
    enum Mode {
        /** 80% getData, 20% setData (one in {@link #WRITE_EVERY}). */
        MIXED,
        /** 100% setData. */
        WRITE,
        /** 100% getData. */
        READ,
        /** 100% create of a new persistent znode (names unique per run). */
        CREATE;

        static Mode parse(String name) {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int outstanding = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int sessions = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        List<String> targets = Arrays.stream((args.length > 4 ? args[4] : "nio,netty").split(","))
                .map(String::trim).filter(t -> !t.isEmpty()).toList();
        List<Mode> modes = Arrays.stream((args.length > 5 ? args[5] : "mixed").split(","))
                .filter(m -> !m.isBlank()).map(Mode::parse).toList();
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("name at least one target, e.g. paddock-ensemble,zookeeper-ensemble");
        }
        System.out.printf(Locale.ROOT, "%d s per run, %d outstanding over %d sessions, %d rounds, targets %s,"
                + " modes %s, %d cores, load average at start: %s%n", seconds, outstanding, sessions, rounds,
                targets, modes, Runtime.getRuntime().availableProcessors(), loadAverage());
        Map<Mode, List<Result>> byMode = new LinkedHashMap<>();
        for (Mode mode : modes) {
            List<Result> results = new ArrayList<>();
            byMode.put(mode, results);
            for (int round = 1; round <= rounds; round++) {
                List<String> order = new ArrayList<>(targets);
                if (round % 2 == 0) {
                    java.util.Collections.reverse(order);
                }
                for (String target : order) {
                    Result result = run(target, mode, round, seconds, outstanding, sessions);
                    results.add(result);
                    System.out.printf(Locale.ROOT, "%-6s round %d %-9s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms"
                            + "  p99.9 %6.2f ms  (load %s)%n", mode.label(), round, target, result.throughput(),
                            result.percentileMs(50), result.percentileMs(99), result.percentileMs(99.9),
                            loadAverage());
                }
            }
        }
        String base = targets.get(targets.size() - 1);
        System.out.println();
        System.out.printf(Locale.ROOT, "| mode | target | req/s | p50 ms | p99 ms | req/s ratio to %s | p50 ratio |"
                + " p99 ratio |%n|---|---|---:|---:|---:|---:|---:|---:|%n", base);
        for (Map.Entry<Mode, List<Result>> entry : byMode.entrySet()) {
            Result reference = merged(entry.getValue(), base);
            for (String target : targets) {
                Result r = merged(entry.getValue(), target);
                System.out.printf(Locale.ROOT, "| %s | %s | %.0f | %.2f | %.2f | %.2f | %.2f | %.2f |%n",
                        entry.getKey().label(), target, r.throughput(), r.percentileMs(50), r.percentileMs(99),
                        r.throughput() / reference.throughput(), r.percentileMs(50) / reference.percentileMs(50),
                        r.percentileMs(99) / reference.percentileMs(99));
            }
        }
        System.out.printf(Locale.ROOT, "load average at end: %s%n", loadAverage());
    }

    private static Result merged(List<Result> results, String transport) {
        List<Result> mine = results.stream().filter(r -> r.transport().equals(transport)).toList();
        long requests = mine.stream().mapToLong(Result::requests).sum();
        double seconds = mine.stream().mapToDouble(Result::seconds).sum();
        long[] all = mine.stream().flatMapToLong(r -> Arrays.stream(r.latenciesNanos())).sorted().toArray();
        return new Result(transport, 0, requests, seconds, all);
    }

    /** tickTime, initLimit and syncLimit of both ensembles: the README's (and ZooKeeper's sample) zoo.cfg values. */
    private static final Map<String, String> ENSEMBLE_TIMING = Map.of("tickTime", "2000", "initLimit", "10",
            "syncLimit", "5");

    /**
     * Starts the target: {@code zookeeper} is a real Apache ZooKeeper 3.9.4 standalone (the compat fixture's
     * oracle, default file storage, forceSync on); {@code zookeeper-ensemble} three ZooKeeper 3.9.4 quorum peers in
     * this JVM ({@link ZooKeeperEnsemble}); {@code paddock-ensemble} three Paddock members in this JVM (the compat
     * fixture, transport nio); any other name is a standalone Paddock on that client transport. Every Paddock runs
     * {@code storage=file}, {@code forceSync=yes}; both ensembles use {@link #ENSEMBLE_TIMING} and put the client on
     * a follower. All get a fresh temporary dataDir. Returns the server and sets {@code connect[0]}.
     */
    private static AutoCloseable startServer(String target, Path dataDir, String[] connect) throws Exception {
        Map<String, String> cfg = new LinkedHashMap<>();
        cfg.put("clientPort", "0");
        cfg.put("clientPortAddress", "127.0.0.1");
        cfg.put("dataDir", dataDir.toString());
        cfg.put("maxClientCnxns", "0");
        if (target.equals("zookeeper-ensemble")) {
            Map<String, String> zk = new LinkedHashMap<>(ENSEMBLE_TIMING);
            zk.put("maxClientCnxns", "0");
            ZooKeeperEnsemble ensemble = ZooKeeperEnsemble.start(dataDir, zk);
            connect[0] = "127.0.0.1:" + ensemble.follower().getPort();
            return ensemble;
        }
        if (target.equals("zookeeper") || target.equals("paddock-ensemble")) {
            String fixture = target.equals("zookeeper") ? "zookeeper" : "paddock-ensemble";
            if (target.equals("paddock-ensemble")) {
                cfg.putAll(ENSEMBLE_TIMING);
                cfg.put("transport", "nio");
                cfg.put("storage", "file");
                cfg.put("forceSync", "yes");
            }
            String before = System.getProperty(ServerUnderTest.SELECTOR);
            System.setProperty(ServerUnderTest.SELECTOR, fixture);
            try {
                ServerUnderTest server = ServerUnderTest.start(cfg);
                connect[0] = server.connectString();
                return server;
            } finally {
                if (before == null) {
                    System.clearProperty(ServerUnderTest.SELECTOR);
                } else {
                    System.setProperty(ServerUnderTest.SELECTOR, before);
                }
            }
        }
        cfg.put("transport", target);
        cfg.put("storage", "file");
        cfg.put("forceSync", "yes");
        Paddock paddock = Paddock.start(cfg);
        connect[0] = "127.0.0.1:" + paddock.clientAddress().getPort();
        return paddock;
    }

    private static Result run(String target, Mode mode, int round, int seconds, int outstanding, int sessions)
            throws Exception {
        Path dataDir = Files.createTempDirectory("bench-" + target + "-");
        String[] connect = {null};
        try (AutoCloseable server = startServer(target, dataDir, connect)) {
            List<ZooKeeper> clients = new ArrayList<>();
            try {
                for (int i = 0; i < sessions; i++) {
                    clients.add(connect(connect[0]));
                }
                byte[] data = new byte[DATA_BYTES];
                for (int i = 0; i < ZNODES; i++) {
                    clients.get(0).create("/bench-" + i, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                }
                drive(clients, mode, "w", outstanding, WARMUP_SECONDS, data); // JIT, pools, TCP windows
                return drive(clients, mode, "m", outstanding, seconds, data).named(target, round);
            } finally {
                for (ZooKeeper client : clients) {
                    client.close();
                }
            }
        } finally {
            deleteTree(dataDir);
        }
    }

    /** Keeps {@code outstanding} requests in flight over the sessions for {@code seconds}. */
    private static Measured drive(List<ZooKeeper> clients, Mode mode, String phase, int outstanding, int seconds,
            byte[] data) throws Exception {
        int perSession = Math.max(1, outstanding / clients.size());
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong failures = new AtomicLong();
        List<Thread> drivers = new ArrayList<>();
        List<long[]> latencies = new ArrayList<>();
        List<int[]> counts = new ArrayList<>();
        long start = System.nanoTime();
        for (int s = 0; s < clients.size(); s++) {
            ZooKeeper client = clients.get(s);
            String createPrefix = "/c-" + phase + "-" + s + "-";
            // callbacks of one session run on its event thread, one at a time: no sharing between threads
            long[] samples = new long[1 << 20];
            int[] count = {0};
            latencies.add(samples);
            counts.add(count);
            Semaphore slots = new Semaphore(perSession);
            Thread driver = new Thread(() -> {
                long n = 0;
                try {
                    while (System.nanoTime() - end < 0) {
                        slots.acquire();
                        long issued = System.nanoTime();
                        String path = "/bench-" + (n % ZNODES);
                        boolean write = switch (mode) {
                            case MIXED -> n % WRITE_EVERY == 0;
                            case WRITE -> true;
                            case READ, CREATE -> false;
                        };
                        if (mode == Mode.CREATE) {
                            client.create(createPrefix + n, data, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                                    CreateMode.PERSISTENT, (rc, p, ctx, name) -> done(rc, issued, samples, count,
                                            slots, failures), null);
                        } else if (write) {
                            client.setData(path, data, -1, (rc, p, ctx, stat) -> done(rc, issued, samples, count,
                                    slots, failures), null);
                        } else {
                            client.getData(path, false, (rc, p, ctx, bytes, stat) -> done(rc, issued, samples,
                                    count, slots, failures), null);
                        }
                        n++;
                    }
                    slots.acquire(perSession); // wait for the last answers
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "bench-driver");
            driver.start();
            drivers.add(driver);
        }
        for (Thread driver : drivers) {
            driver.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " requests failed");
        }
        long total = 0;
        List<long[]> filled = new ArrayList<>();
        for (int i = 0; i < latencies.size(); i++) {
            int n = Math.min(counts.get(i)[0], latencies.get(i).length);
            total += counts.get(i)[0];
            filled.add(Arrays.copyOf(latencies.get(i), n));
        }
        long[] all = filled.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        return new Measured(total, elapsed, all);
    }

    private static void done(int rc, long issued, long[] samples, int[] count, Semaphore slots, AtomicLong failures) {
        long latency = System.nanoTime() - issued;
        if (rc != KeeperException.Code.OK.intValue()) {
            failures.incrementAndGet();
        }
        if (count[0] < samples.length) {
            samples[count[0]] = latency;
        }
        count[0]++;
        slots.release();
    }

    private record Measured(long requests, double seconds, long[] latenciesNanos) {
        Result named(String transport, int round) {
            return new Result(transport, round, requests, seconds, latenciesNanos);
        }
    }

    private static ZooKeeper connect(String connect) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connect, 30_000, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        if (!connected.await(10, TimeUnit.SECONDS)) {
            zk.close();
            throw new IllegalStateException("no session with " + connect);
        }
        return zk;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).trim();
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
