package io.paddock.compat.bench;

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
 * A small load benchmark of the client transports: the official ZooKeeper client (async API) keeps a fixed number of
 * getData/setData requests outstanding against an in-process Paddock ({@link Paddock#start}) on {@code transport=nio}
 * and on {@code transport=netty}, in one JVM, one after the other, and prints throughput and latency percentiles and
 * the netty/nio ratios. Not a test: run it by hand (see transport-netty/README.md).
 *
 * <pre>
 * mvn -q -pl compat-tests test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.paddock.compat.bench.TransportLoadBenchmark -Dexec.args="20 100 4"
 * </pre>
 *
 * Arguments: seconds measured per transport and round (20), outstanding requests in total (100), client sessions
 * they are spread over (4), rounds (2; the second round runs the transports in the opposite order).
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

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int outstanding = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int sessions = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        System.out.printf(Locale.ROOT, "%d s per run, %d outstanding over %d sessions, %d rounds, %d cores,"
                + " load average at start: %s%n", seconds, outstanding, sessions, rounds,
                Runtime.getRuntime().availableProcessors(), loadAverage());
        List<Result> results = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            List<String> order = round % 2 == 1 ? List.of("nio", "netty") : List.of("netty", "nio");
            for (String transport : order) {
                Result result = run(transport, round, seconds, outstanding, sessions);
                results.add(result);
                System.out.printf(Locale.ROOT, "round %d %-5s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms"
                        + "  p99.9 %6.2f ms%n", round, transport, result.throughput(), result.percentileMs(50),
                        result.percentileMs(99), result.percentileMs(99.9));
            }
        }
        Result nio = merged(results, "nio");
        Result netty = merged(results, "netty");
        System.out.printf(Locale.ROOT, "all   nio   %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms%n", nio.throughput(),
                nio.percentileMs(50), nio.percentileMs(99));
        System.out.printf(Locale.ROOT, "all   netty %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms%n", netty.throughput(),
                netty.percentileMs(50), netty.percentileMs(99));
        System.out.printf(Locale.ROOT, "netty/nio: throughput %.2f, p50 %.2f, p99 %.2f (load average at end: %s)%n",
                netty.throughput() / nio.throughput(), netty.percentileMs(50) / nio.percentileMs(50),
                netty.percentileMs(99) / nio.percentileMs(99), loadAverage());
    }

    private static Result merged(List<Result> results, String transport) {
        List<Result> mine = results.stream().filter(r -> r.transport().equals(transport)).toList();
        long requests = mine.stream().mapToLong(Result::requests).sum();
        double seconds = mine.stream().mapToDouble(Result::seconds).sum();
        long[] all = mine.stream().flatMapToLong(r -> Arrays.stream(r.latenciesNanos())).sorted().toArray();
        return new Result(transport, 0, requests, seconds, all);
    }

    private static Result run(String transport, int round, int seconds, int outstanding, int sessions)
            throws Exception {
        Path dataDir = Files.createTempDirectory("bench-" + transport + "-");
        Map<String, String> cfg = new LinkedHashMap<>();
        cfg.put("clientPort", "0");
        cfg.put("clientPortAddress", "127.0.0.1");
        cfg.put("transport", transport);
        cfg.put("dataDir", dataDir.toString());
        cfg.put("maxClientCnxns", "0");
        try (Paddock paddock = Paddock.start(cfg)) {
            String connect = "127.0.0.1:" + paddock.clientAddress().getPort();
            List<ZooKeeper> clients = new ArrayList<>();
            try {
                for (int i = 0; i < sessions; i++) {
                    clients.add(connect(connect));
                }
                byte[] data = new byte[DATA_BYTES];
                for (int i = 0; i < ZNODES; i++) {
                    clients.get(0).create("/bench-" + i, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                }
                drive(clients, outstanding, WARMUP_SECONDS, data); // JIT, pools, TCP windows
                return drive(clients, outstanding, seconds, data).named(transport, round);
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
    private static Measured drive(List<ZooKeeper> clients, int outstanding, int seconds, byte[] data)
            throws Exception {
        int perSession = Math.max(1, outstanding / clients.size());
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong failures = new AtomicLong();
        List<Thread> drivers = new ArrayList<>();
        List<long[]> latencies = new ArrayList<>();
        List<int[]> counts = new ArrayList<>();
        long start = System.nanoTime();
        for (ZooKeeper client : clients) {
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
                        if (n++ % WRITE_EVERY == 0) {
                            client.setData(path, data, -1, (rc, p, ctx, stat) -> done(rc, issued, samples, count,
                                    slots, failures), null);
                        } else {
                            client.getData(path, false, (rc, p, ctx, bytes, stat) -> done(rc, issued, samples,
                                    count, slots, failures), null);
                        }
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
