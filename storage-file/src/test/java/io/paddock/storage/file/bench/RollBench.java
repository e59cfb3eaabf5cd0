package io.paddock.storage.file.bench;

import io.paddock.api.Zxid;
import io.paddock.api.storage.Storage;
import io.paddock.api.storage.StorageConfig;
import io.paddock.storage.file.internal.FileStorage;
import io.paddock.storage.support.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Not a test: the roll numbers in storage-file/README.md. Append + sync latency over many log rolls, with the next
 * file created inside the roll (the old way, {@code Preparer.NONE}) and prepared in the background (the provider's
 * way). Run from the repository root after a test-compile of storage-file:
 *
 * <pre>
 * mvn -q -o dependency:build-classpath -f storage-file/pom.xml -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp storage-file/target/test-classes:storage-file/target/classes:$(cat /tmp/cp.txt) \
 *     io.paddock.storage.file.bench.RollBench [dir] [rolls] [txns per file] [batch]
 * </pre>
 *
 * Defaults: 40 rolls, 2,000 txns per file, batches of 10 100-byte txns, one sync per batch, 64 MiB preallocation,
 * forceSync on. The latency of a batch runs from its first append to the return of its sync.
 */
public final class RollBench {
    private RollBench() {}

    public static void main(String[] args) throws IOException {
        Path base = Path.of(args.length > 0 ? args[0] : "target/roll-bench");
        int rolls = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        int perFile = args.length > 2 ? Integer.parseInt(args[2]) : 2_000;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        System.out.printf("java %s, %d cores, data in %s; %d rolls, %,d txns per file, batches of %d%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), base.toAbsolutePath(), rolls, perFile,
                batch);
        System.out.println("| preparer | batches | txns/s | p50 | p99 | p99.9 | max | rolling batch median | rolling batch max |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (FileStorage.Preparer p : new FileStorage.Preparer[] {FileStorage.Preparer.NONE,
                FileStorage.Preparer.BACKGROUND}) {
            run(base.resolve(p.name().toLowerCase()), p, rolls, perFile, batch);
        }
    }

    private static void run(Path dir, FileStorage.Preparer preparer, int rolls, int perFile, int batch)
            throws IOException {
        StorageBench.deleteTree(dir);
        StorageConfig config = new StorageConfig(dir, dir, 64L * 1024 * 1024, perFile, true, Map.of());
        byte[] txn = new byte[100];
        Arrays.fill(txn, (byte) 'x');
        int batches = rolls * perFile / batch;
        long[] all = new long[batches];
        long[] rolling = new long[rolls + 1];
        int rollingCount = 0;
        long zxid = Zxid.of(1, 0);
        try (Storage s = FileStorage.open(config, FileIo.system(), preparer)) {
            // warm-up: JIT and the first file, which is created at the first append in both modes
            for (int i = 0; i < 200; i++) {
                s.log().append(++zxid, ByteBuffer.wrap(txn));
                s.log().sync();
            }
            long started = System.nanoTime();
            for (int b = 0; b < batches; b++) {
                long first = zxid + 1;
                long t0 = System.nanoTime();
                for (int i = 0; i < batch; i++) {
                    s.log().append(++zxid, ByteBuffer.wrap(txn));
                }
                s.log().sync();
                all[b] = System.nanoTime() - t0;
                // files hold perFile records each and the first file started at zxid 1
                long firstCounter = first - Zxid.of(1, 0);
                long lastCounter = zxid - Zxid.of(1, 0);
                if ((lastCounter - 1) / perFile != (firstCounter - 2) / perFile && rollingCount < rolling.length) {
                    rolling[rollingCount++] = all[b];
                }
            }
            long elapsed = System.nanoTime() - started;
            long[] sorted = all.clone();
            Arrays.sort(sorted);
            long[] r = Arrays.copyOf(rolling, rollingCount);
            Arrays.sort(r);
            System.out.printf("| %s | %,d | %,.0f | %s | %s | %s | %s | %s (%d rolls) | %s |%n", preparer, batches,
                    (double) batches * batch / (elapsed / 1e9), ms(sorted[batches / 2]),
                    ms(sorted[(int) (batches * 0.99)]), ms(sorted[(int) (batches * 0.999)]), ms(sorted[batches - 1]),
                    r.length == 0 ? "-" : ms(r[r.length / 2]), r.length, r.length == 0 ? "-" : ms(r[r.length - 1]));
        }
        StorageBench.deleteTree(dir);
    }

    private static String ms(long nanos) {
        return String.format("%.2f ms", nanos / 1e6);
    }
}
