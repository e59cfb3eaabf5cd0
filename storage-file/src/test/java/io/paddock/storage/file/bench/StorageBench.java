package io.paddock.storage.file.bench;

import io.paddock.api.Zxid;
import io.paddock.api.storage.SnapshotStore;
import io.paddock.api.storage.Storage;
import io.paddock.api.storage.StorageConfig;
import io.paddock.storage.file.FileStorageProvider;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Not a test: numbers for storage-file/README.md. Run from the repository root after {@code mvn -q install -pl
 * storage-support,storage-file} (or a test-compile) with
 *
 * <pre>
 * mvn -q -o dependency:build-classpath -pl storage-file -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp storage-file/target/test-classes:storage-file/target/classes:$(cat /tmp/cp.txt) \
 *     io.paddock.storage.file.bench.StorageBench [dir] [znodes]
 * </pre>
 *
 * 1) append + sync of 100-byte txns at batch sizes 1, 10, 100, 1000 (one sync per batch: group commit), with
 * throughput and per-batch latency percentiles; 2) a snapshot of synthetic znode records (~100 bytes each) written
 * and loaded through the SnapshotStore stream. Uses the default preallocation (64 MiB) and forceSync=true.
 */
public final class StorageBench {
    private StorageBench() {}

    public static void main(String[] args) throws IOException {
        Path base = Path.of(args.length > 0 ? args[0] : "target/bench");
        int znodes = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        System.out.println("java " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors()
                + " cores, data in " + base.toAbsolutePath());
        System.out.println();
        System.out.println("| batch | txns | syncs | txns/s | MB/s | batch latency p50 | p99 | max |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        int[][] runs = {{1, 2000}, {10, 1000}, {100, 300}, {1000, 60}};
        for (int[] run : runs) {
            appendSync(base.resolve("log-" + run[0]), run[0], run[1], 64L * 1024 * 1024);
        }
        // the same without preallocation: every fdatasync must also persist the grown file size
        appendSync(base.resolve("log-noprealloc"), 1, 1000, 0);
        System.out.println();
        newFile(base.resolve("roll"));
        System.out.println();
        snapshot(base.resolve("snap"), znodes);
    }

    private static StorageConfig config(Path dir) {
        return config(dir, 64L * 1024 * 1024);
    }

    private static StorageConfig config(Path dir, long preAllocBytes) {
        return new StorageConfig(dir, dir, preAllocBytes, 100_000, true, Map.of());
    }

    private static void appendSync(Path dir, int batch, int batches, long preAllocBytes) throws IOException {
        deleteTree(dir);
        byte[] txn = new byte[100];
        Arrays.fill(txn, (byte) 'x');
        long[] latencies = new long[batches];
        long zxid = Zxid.of(1, 0);
        try (Storage s = new FileStorageProvider().open(config(dir, preAllocBytes))) {
            // warm-up: JIT, first preallocation block
            for (int i = 0; i < 200; i++) {
                s.log().append(++zxid, ByteBuffer.wrap(txn));
                s.log().sync();
            }
            long started = System.nanoTime();
            for (int b = 0; b < batches; b++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < batch; i++) {
                    s.log().append(++zxid, ByteBuffer.wrap(txn));
                }
                s.log().sync();
                latencies[b] = System.nanoTime() - t0;
            }
            long elapsed = System.nanoTime() - started;
            long txns = (long) batch * batches;
            Arrays.sort(latencies);
            double seconds = elapsed / 1e9;
            System.out.printf("| %d%s | %d | %d | %,.0f | %.1f | %s | %s | %s |%n", batch,
                    preAllocBytes == 0 ? " (no prealloc)" : "", txns, batches,
                    txns / seconds, txns * 116 / seconds / 1e6, ms(latencies[batches / 2]),
                    ms(latencies[(int) (batches * 0.99)]), ms(latencies[batches - 1]));
        }
        deleteTree(dir);
    }

    /** The first append + sync of a fresh log: what a roll costs (temp file, 64 MiB of zeros, fsyncs, rename). */
    private static void newFile(Path dir) throws IOException {
        long[] times = new long[5];
        for (int i = 0; i < times.length; i++) {
            deleteTree(dir);
            try (Storage s = new FileStorageProvider().open(config(dir))) {
                long t0 = System.nanoTime();
                s.log().append(Zxid.of(1, 1), ByteBuffer.wrap(new byte[100]));
                s.log().sync();
                times[i] = System.nanoTime() - t0;
            }
        }
        Arrays.sort(times);
        System.out.println("new log file (64 MiB preallocated with zeros) + first record: median "
                + ms(times[times.length / 2]) + ", max " + ms(times[times.length - 1]));
        deleteTree(dir);
    }

    /** CPU time of the whole process (this thread, GC, JIT): what the work cost whatever else the machine runs. */
    private static long cpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
    }

    private static String ms(long nanos) {
        return String.format("%.2f ms", nanos / 1e6);
    }

    /** One synthetic znode: path, data, stat; about 100 bytes. */
    private static void writeZnode(DataOutputStream out, int i, byte[] data) throws IOException {
        out.writeUTF("/app/config/node-" + i);
        out.writeInt(data.length);
        out.write(data);
        out.writeLong(Zxid.of(1, i));
        out.writeLong(Zxid.of(1, i + 7));
        out.writeLong(1_700_000_000_000L + i);
        out.writeInt(i % 5);
        out.writeLong(0);
    }

    private static void snapshot(Path dir, int znodes) throws IOException {
        deleteTree(dir);
        byte[] data = new byte[40];
        try (Storage s = new FileStorageProvider().open(config(dir))) {
            long raw;
            // warm-up with a small snapshot
            writeSnapshot(s.snapshots(), 1, 50_000, data);
            readSnapshot(s.snapshots(), 50_000);
            long c0 = cpuNanos();
            long t0 = System.nanoTime();
            raw = writeSnapshot(s.snapshots(), 2, znodes, data);
            long write = System.nanoTime() - t0;
            long writeCpu = cpuNanos() - c0;
            long size = Files.size(dir.resolve("version-2").resolve("snapshot.2"));
            c0 = cpuNanos();
            t0 = System.nanoTime();
            int read = readSnapshot(s.snapshots(), znodes);
            long load = System.nanoTime() - t0;
            long loadCpu = cpuNanos() - c0;
            System.out.printf("snapshot of %,d znodes: %,d bytes raw (%.0f B/znode), %,d bytes on disk (%.0f%%)%n",
                    znodes, raw, (double) raw / znodes, size, 100.0 * size / raw);
            System.out.printf("| | wall time | znodes/s | raw MB/s | CPU time (process) | znodes per CPU-s |%n"
                    + "|---|---|---|---|---|---|%n");
            System.out.printf("| write + commit (fsync, rename) | %s | %,.0f | %.0f | %s | %,.0f |%n", ms(write),
                    znodes / (write / 1e9), raw / (write / 1e9) / 1e6, ms(writeCpu), znodes / (writeCpu / 1e9));
            System.out.printf("| openLatest (check every chunk) + load | %s | %,.0f | %.0f | %s | %,.0f |%n",
                    ms(load), read / (load / 1e9), raw / (load / 1e9) / 1e6, ms(loadCpu), read / (loadCpu / 1e9));
        }
        deleteTree(dir);
    }

    private static long writeSnapshot(SnapshotStore store, long zxid, int znodes, byte[] data) throws IOException {
        try (SnapshotStore.SnapshotWriter w = store.begin(zxid)) {
            DataOutputStream out = new DataOutputStream(w.stream());
            for (int i = 0; i < znodes; i++) {
                byte[] json = ("{\"id\":" + i + ",\"owner\":\"svc-" + (i % 13) + "\",\"on\":true}")
                        .getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(json, 0, data, 0, Math.min(json.length, data.length));
                writeZnode(out, i, data);
            }
            out.flush();
            w.commit();
            return out.size();
        }
    }

    private static int readSnapshot(SnapshotStore store, int expected) throws IOException {
        try (SnapshotStore.SnapshotReader r = store.openLatest().orElseThrow();
                DataInputStream in = new DataInputStream(new BufferedInputStream(r.stream(), 64 * 1024))) {
            int n = 0;
            byte[] data = new byte[1024];
            while (true) {
                String path;
                try {
                    path = in.readUTF();
                } catch (EOFException e) {
                    break;
                }
                in.readFully(data, 0, in.readInt());
                in.readLong();
                in.readLong();
                in.readLong();
                in.readInt();
                in.readLong();
                if (path.isEmpty()) {
                    throw new IOException("bad record");
                }
                n++;
            }
            if (n != expected) {
                throw new IOException("read " + n + " znodes, wrote " + expected);
            }
            return n;
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
