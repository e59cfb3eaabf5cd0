package io.paddock.storage.mmap.internal;

import io.paddock.api.storage.Storage;
import io.paddock.api.storage.StorageConfig;
import io.paddock.api.storage.TxnLog;
import io.paddock.storage.mmap.MmapStorageProvider;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Group-commit throughput and latency of the mmap log through the provider, exactly as the server would use it: for
 * each batch size, append that many 100-byte txns and {@code sync} once, again and again. Reports txns/s and the
 * p50/p99/max latency of one batch (appends + sync), in the columns of storage-file's {@code StorageBench} so the two
 * tables compare. Not a test: run it by hand (see storage-mmap/README.md).
 *
 * <pre>
 * mvn -q -pl storage-mmap test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.paddock.storage.mmap.internal.MmapLogBenchmark -Dexec.args="/path/on/the/disk 3"
 * </pre>
 *
 * Arguments: the folder to write in (default: a temp folder; choose one on the disk you care about), and seconds per
 * case (default 3, after 1 s of warm-up). Every case starts from an empty log with production settings (64 MiB
 * segments, a roll every 100,000 txns).
 */
public final class MmapLogBenchmark {
    private static final int TXN_BYTES = 100;
    /** On disk: 24-byte record header + 100 bytes, padded to 8. */
    private static final int RECORD_BYTES = 128;
    private static final int[] BATCHES = {1, 10, 100, 1000};

    private MmapLogBenchmark() {}

    public static void main(String[] args) throws IOException {
        Path base = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("mmap-bench");
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3;
        System.out.printf(Locale.ROOT, "mmap log benchmark in %s, %d-byte txns, %.1f s per case%n%n", base,
                TXN_BYTES, seconds);
        System.out.println("java " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors()
                + " cores");
        System.out.println();
        System.out.println("| forceSync | batch | txns | syncs | txns/s | MB/s | batch latency p50 | p99 | max |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (boolean forceSync : new boolean[] {true, false}) {
            for (int batch : BATCHES) {
                Path dir = base.resolve("case-" + forceSync + "-" + batch);
                run(dir, batch, 1.0, forceSync);
                Result r = run(dir, batch, seconds, forceSync);
                System.out.printf(Locale.ROOT, "| %s | %d | %d | %d | %,.0f | %.1f | %s | %s | %s |%n", forceSync,
                        batch, r.txns, r.batches, r.txnsPerSecond(), r.txnsPerSecond() * RECORD_BYTES / 1e6,
                        micros(r.p50Nanos), micros(r.p99Nanos), micros(r.maxNanos));
                delete(dir);
            }
        }
    }

    private record Result(long txns, long batches, long elapsedNanos, long p50Nanos, long p99Nanos, long maxNanos) {
        double txnsPerSecond() {
            return txns * 1e9 / elapsedNanos;
        }

    }

    private static Result run(Path dir, int batch, double seconds, boolean forceSync) throws IOException {
        delete(dir);
        StorageConfig config = new StorageConfig(dir.resolve("data"), dir.resolve("datalog"), 64L << 20, 100_000,
                forceSync, Map.of());
        ByteBuffer txn = ByteBuffer.allocate(TXN_BYTES);
        for (int i = 0; i < TXN_BYTES; i++) {
            txn.put(i, (byte) (i * 7 + 1));
        }
        long[] latencies = new long[1 << 16];
        int count = 0;
        long zxid = 0;
        try (Storage storage = new MmapStorageProvider().open(config)) {
            TxnLog log = storage.log();
            long start = System.nanoTime();
            long deadline = start + (long) (seconds * 1e9);
            long now = start;
            while (now < deadline) {
                long t0 = now;
                for (int i = 0; i < batch; i++) {
                    log.append(++zxid, txn);
                }
                log.sync();
                now = System.nanoTime();
                if (count == latencies.length) {
                    latencies = Arrays.copyOf(latencies, count * 2);
                }
                latencies[count++] = now - t0;
            }
            long[] sorted = Arrays.copyOf(latencies, count);
            Arrays.sort(sorted);
            return new Result(zxid, count, now - start, sorted[count / 2], sorted[(int) (count * 0.99)],
                    sorted[count - 1]);
        }
    }

    private static String micros(long nanos) {
        return nanos >= 10_000_000 ? String.format(Locale.ROOT, "%.1f ms", nanos / 1e6)
                : String.format(Locale.ROOT, "%.0f µs", nanos / 1e3);
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
