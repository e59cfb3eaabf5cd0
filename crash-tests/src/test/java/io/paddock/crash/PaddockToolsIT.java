package io.paddock.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.distro.Paddock;
import io.paddock.distro.PaddockTools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * paddock-tools, run in-process against folders a real server wrote: Paddock.start with a storage engine, the official
 * client making every kind of change, a clean stop, then dump-log, dump-snapshot and verify as a user runs them.
 */
class PaddockToolsIT {
    private static final Pattern LOG_FILE = Pattern.compile("m?log\\.[0-9a-f]+");

    @TempDir
    Path tmp;

    private Path zooCfg;
    private Path dataDir;
    private Path dataLogDir;

    /** What one run of the tool printed. */
    private record Run(int exit, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }

        String all() {
            return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    private static Run tools(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = PaddockTools.run(List.of(args), o, e);
        }
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A server on its own folders, written to through the official client, then stopped cleanly. */
    private void serverWroteData(String engine) throws Exception {
        dataDir = tmp.resolve("data");
        dataLogDir = tmp.resolve("log");
        Map<String, String> cfg = new TreeMap<>(Map.of(
                "clientPort", "0",
                "clientPortAddress", "127.0.0.1",
                "tickTime", "200",
                "dataDir", dataDir.toString(),
                "dataLogDir", dataLogDir.toString(),
                "storage", engine,
                // small: several log files and snapshots from a few dozen writes
                "snapCount", "20",
                "preAllocSize", "64"));
        zooCfg = tmp.resolve("zoo.cfg");
        StringBuilder text = new StringBuilder();
        cfg.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.writeString(zooCfg, text, StandardCharsets.ISO_8859_1);

        try (Paddock paddock = Paddock.start(cfg)) {
            CountDownLatch connected = new CountDownLatch(1);
            ZooKeeper zk = new ZooKeeper("127.0.0.1:" + paddock.clientAddress().getPort(), 30_000, e -> {
                if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                    connected.countDown();
                }
            });
            try {
                assertTrue(connected.await(30, TimeUnit.SECONDS), "connected");
                zk.create("/tools", bytes("root"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                zk.create("/tools/a", bytes("hello"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                zk.setData("/tools/a", bytes("world"), -1);
                zk.create("/tools/read-only", null, ZooDefs.Ids.READ_ACL_UNSAFE, CreateMode.PERSISTENT);
                zk.create("/tools/e", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
                for (int i = 0; i < 3; i++) {
                    zk.create("/tools/seq-", null, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL);
                }
                for (int i = 0; i < 60; i++) {
                    zk.create("/tools/n-" + i, bytes("n" + i), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                }
                zk.delete("/tools/n-0", -1);
            } finally {
                zk.close();
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "storage={0}")
    @ValueSource(strings = {"file", "mmap"})
    void dumpLogPrintsEveryChangeARealServerLogged(String engine) throws Exception {
        serverWroteData(engine);
        Run run = tools("dump-log", zooCfg.toString());
        assertEquals(0, run.exit(), run.all());
        List<String> lines = run.lines();
        assertTrue(lines.get(0).matches("0x1 session 0x[0-9a-f]+ cxid 0 \\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z createSession"
                + " timeout=4000ms"), run.all());
        assertContainsLine(lines, " create /tools/a data=5 bytes acl=world:anyone:cdrwa owner=0 ", run);
        assertContainsLine(lines, " setData /tools/a data=5 bytes version=1", run);
        assertContainsLine(lines, " create /tools/read-only data=null acl=world:anyone:r owner=0 ", run);
        assertContainsLine(lines, " create /tools/e data=null acl=world:anyone:cdrwa owner=0x", run);
        assertContainsLine(lines, " create /tools/seq-0000000005 ", run);
        assertContainsLine(lines, " delete /tools/n-0", run);
        assertContainsLine(lines, " closeSession", run);
        String last = lines.get(lines.size() - 1);
        // createSession, 66 creates, setData, delete, closeSession
        assertEquals("71 txns, zxids 0x1 to 0x47", last, run.all());

        Run withData = tools("dump-log", zooCfg.toString(), "--data");
        assertContainsLine(withData.lines(), " setData /tools/a data=5 bytes \"world\" version=1", withData);
    }

    @ParameterizedTest(name = "storage={0}")
    @ValueSource(strings = {"file", "mmap"})
    void aFolderStandsForAConfigWhoseDataIsThere(String engine) throws Exception {
        serverWroteData(engine);
        Path both = tmp.resolve("both");
        copyTree(dataDir, both);
        copyTree(dataLogDir, both);
        Run run = tools("dump-log", both.toString(), "--storage", engine);
        assertEquals(0, run.exit(), run.all());
        assertContainsLine(run.lines(), " create /tools/a ", run);
    }

    @ParameterizedTest(name = "storage={0}")
    @ValueSource(strings = {"file", "mmap"})
    void dumpSnapshotPrintsSessionsAndZnodesOfTheNewestSnapshot(String engine) throws Exception {
        serverWroteData(engine);
        Run run = tools("dump-snapshot", zooCfg.toString());
        assertEquals(0, run.exit(), run.all());
        List<String> lines = run.lines();
        assertTrue(lines.get(0).matches("snapshot 0x[0-9a-f]+"), run.all());
        assertContainsLine(lines, "/tools/a czxid=0x3 mzxid=0x4 ", run);
        assertContainsLine(lines, " version=1 aversion=0 createdChildren=0 owner=0 dataLength=5"
                + " acl=world:anyone:cdrwa", run);
        assertContainsLine(lines, "/tools/read-only ", run);
        assertTrue(lines.get(lines.size() - 1).matches("\\d+ sessions?, \\d+ znodes.*, highest zxid 0x[0-9a-f]+(, .*)?"),
                run.all());

        long newest = Long.parseLong(lines.get(0).substring("snapshot 0x".length()), 16);
        Run byZxid = tools("dump-snapshot", zooCfg.toString(), Long.toHexString(newest), "--data");
        assertEquals(0, byZxid.exit(), byZxid.all());
        assertContainsLine(byZxid.lines(), " dataLength=5 acl=world:anyone:cdrwa data=5 bytes \"world\"", byZxid);

        // every snapshot verify lists opens by its zxid, the oldest too
        List<String> listed = tools("verify", zooCfg.toString()).lines().stream()
                .filter(l -> l.matches("snapshot 0x[0-9a-f]+: .*")).toList();
        assertTrue(listed.size() > 1, "several snapshots: " + listed);
        String oldest = listed.get(listed.size() - 1).replaceFirst("snapshot 0x([0-9a-f]+): .*", "$1");
        Run old = tools("dump-snapshot", zooCfg.toString(), "0x" + oldest);
        assertEquals(0, old.exit(), old.all());
        assertEquals("snapshot 0x" + oldest, old.lines().get(0), old.all());

        Run none = tools("dump-snapshot", zooCfg.toString(), "0x7fffffff");
        assertEquals(1, none.exit(), none.all());
        assertTrue(none.err().contains("no valid snapshot at 0x7fffffff"), none.all());
    }

    @ParameterizedTest(name = "storage={0}")
    @ValueSource(strings = {"file", "mmap"})
    void verifyReadsEverythingAndLeavesTheFilesAsTheyWere(String engine) throws Exception {
        serverWroteData(engine);
        Map<String, String> before = fingerprint(tmp);
        Run run = tools("verify", zooCfg.toString());
        assertEquals(0, run.exit(), run.all());
        List<String> lines = run.lines();
        assertTrue(lines.get(lines.size() - 1).startsWith("OK"), run.all());
        assertContainsLine(lines, "log: 71 txns, zxids 0x1 to 0x47", run);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("snapshot 0x")), run.all());
        tools("dump-log", zooCfg.toString());
        tools("dump-snapshot", zooCfg.toString());
        assertEquals(before, fingerprint(tmp), "the tools work on a copy; the server's files are untouched");

        Run inPlace = tools("verify", zooCfg.toString(), "--in-place");
        assertEquals(0, inPlace.exit(), inPlace.all());
    }

    @ParameterizedTest(name = "storage={0}")
    @ValueSource(strings = {"file", "mmap"})
    void verifyFailsOnAByteFlippedInTheMiddleOfALogFile(String engine) throws Exception {
        serverWroteData(engine);
        verifyFailsAfterFlippingTheMiddleByteOf(engine, logFile(false));
        // and the server agrees: it refuses to start on a log damaged in the middle
        assertThrows(UncheckedIOException.class, () -> Paddock.start(zooCfg).close());
    }

    /** The newest file is where a torn tail is cut; a flipped byte with valid records after it is no torn tail. */
    @ParameterizedTest(name = "storage={0}")
    @ValueSource(strings = {"file", "mmap"})
    void verifyFailsOnAByteFlippedInTheMiddleOfTheNewestLogFile(String engine) throws Exception {
        serverWroteData(engine);
        verifyFailsAfterFlippingTheMiddleByteOf(engine, logFile(true));
    }

    /** Recovery would quietly fall back to an older snapshot; verify calls the newest one damaged. */
    @ParameterizedTest(name = "storage={0}")
    @ValueSource(strings = {"file", "mmap"})
    void verifyFailsOnAByteFlippedInTheNewestSnapshot(String engine) throws Exception {
        serverWroteData(engine);
        Path snapshot;
        try (Stream<Path> files = Files.walk(dataDir)) {
            snapshot = files.filter(p -> p.getFileName().toString().matches("snapshot\\.[0-9a-f]+"))
                    .max(Comparator.comparingLong(p -> Long.parseUnsignedLong(
                            p.getFileName().toString().substring("snapshot.".length()), 16)))
                    .orElseThrow(() -> new AssertionError("no snapshot under " + dataDir));
        }
        verifyFailsAfterFlippingTheMiddleByteOf(engine, snapshot);
    }

    private void verifyFailsAfterFlippingTheMiddleByteOf(String engine, Path log) throws IOException {
        byte[] content = Files.readAllBytes(log);
        int end = content.length;
        while (end > 0 && content[end - 1] == 0) {
            end--; // preallocated, never written
        }
        int middle = end / 2;
        content[middle] ^= 0x40;
        Files.write(log, content);

        Run run = tools("verify", zooCfg.toString());
        System.out.printf("[tools %s] verify after flipping byte %d of %d written in %s:%n%s%n", engine, middle, end,
                log.getFileName(), run.all());
        assertEquals(1, run.exit(), "a flipped byte at " + middle + " of " + end + " written bytes in " + log
                + " must fail verify\n" + run.all());
        assertTrue(run.err().startsWith("ERROR: "), run.all());
        assertFalse(run.out().contains("\nOK"), run.all());
        assertFalse(run.all().contains("paddock-tools-"), "messages name the user's files, not the tool's copies\n"
                + run.all());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"frobnicate", "--nope"})
    void aBadCommandLineExitsWithTwoAndTheUsage(String arg) {
        Run run = tools(arg, tmp.toString());
        assertEquals(2, run.exit(), run.all());
        assertTrue(run.err().contains("Usage: paddock-tools"), run.all());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dump-log", "verify"})
    void memoryStorageHasNothingToReadAndSaysSo(String command) throws IOException {
        Path cfg = tmp.resolve("memory.cfg");
        Files.writeString(cfg, "storage=memory\ndataDir=" + tmp + "\n");
        Run run = tools(command, cfg.toString());
        assertEquals(2, run.exit(), run.all());
        assertTrue(run.err().contains("storage=memory keeps nothing on disk"), run.all());
    }

    /** The oldest or the newest txn log file: {@code log.<hex>} (file engine) or {@code mlog.<hex>} (mmap). */
    private Path logFile(boolean newest) throws IOException {
        Comparator<Path> byFirstZxid = Comparator.comparingLong(p -> Long.parseUnsignedLong(
                p.getFileName().toString().replaceFirst("^m?log\\.", ""), 16));
        try (Stream<Path> files = Files.walk(dataLogDir)) {
            List<Path> logs = files.filter(p -> LOG_FILE.matcher(p.getFileName().toString()).matches())
                    .sorted(byFirstZxid).toList();
            assertTrue(logs.size() > 1, "several log files under " + dataLogDir + ": " + logs);
            return newest ? logs.get(logs.size() - 1) : logs.get(0);
        }
    }

    private static void assertContainsLine(List<String> lines, String part, Run run) {
        assertTrue(lines.stream().anyMatch(l -> l.contains(part)), "no line containing '" + part + "' in\n"
                + run.all());
    }

    /** Every file under {@code root} with its SHA-256, to show nothing was written. */
    private static Map<String, String> fingerprint(Path root) throws Exception {
        Map<String, String> out = new TreeMap<>();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                out.put(root.relativize(p).toString(), HexFormat.of().formatHex(sha.digest(Files.readAllBytes(p))));
            }
        }
        return out;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (p.getFileName().toString().equals("paddock.lock") && Files.exists(target)) {
                    // the storage's lock file is in dataDir and in dataLogDir: one copy in the merged folder
                    continue;
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
