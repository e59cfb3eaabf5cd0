package io.paddock.distro;

import io.paddock.api.Zxid;
import io.paddock.api.storage.SnapshotStore;
import io.paddock.api.storage.Storage;
import io.paddock.api.storage.StorageConfig;
import io.paddock.api.storage.StorageProvider;
import io.paddock.api.storage.TxnCursor;
import io.paddock.server.inspect.SnapshotDecoder;
import io.paddock.server.inspect.SnapshotFormatter;
import io.paddock.server.inspect.SnapshotNode;
import io.paddock.server.inspect.SnapshotSession;
import io.paddock.server.inspect.SnapshotSummary;
import io.paddock.server.inspect.TxnFormatter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code paddock-tools}: ZooKeeper's LogFormatter and SnapshotFormatter for Paddock's storage, plus a verifier.
 *
 * <pre>
 * paddock-tools dump-log      &lt;zoo.cfg|dataLogDir&gt;          every logged txn, one line each
 * paddock-tools dump-snapshot &lt;zoo.cfg|dataDir&gt; [zxid]     the newest snapshot, or the one taken at zxid (hex)
 * paddock-tools verify        &lt;zoo.cfg|dataDir&gt;            reads everything; prints OK or the first error
 * </pre>
 *
 * <p>Storage is opened through the {@code StorageProvider} the config names ({@code storage=}), with the server's own
 * config parsing, so the tools read whatever engine the server writes with; the bytes are decoded by the server's
 * {@code io.paddock.server.inspect} package.
 *
 * <p>By default the tools work on a copy of dataDir and dataLogDir in a temporary folder, deleted afterwards: opening
 * storage lets the engine cut a torn log tail (as a server start does), and the tools must neither change the data
 * nor race a running server that owns it. {@code --in-place} skips the copy for data too large to copy; only on a
 * stopped server.
 *
 * <p>Exit codes: 0 done (verify: OK), 1 the data is damaged or unreadable (or holds no snapshot to dump), 2 an
 * unusable command line or config.
 */
public final class PaddockTools {
    static final int EXIT_OK = 0;
    static final int EXIT_DAMAGED = 1;
    static final int EXIT_USAGE = 2;
    /** storage-support's {@code DirectoryLock.FILE_NAME}, which this module cannot see: a storage plugin's lock. */
    static final String STORAGE_LOCK_FILE = "paddock.lock";

    static final String USAGE = String.join("\n",
            "Usage: paddock-tools <command> [options]",
            "  dump-log <zoo.cfg|dataLogDir>           every logged txn, one line each",
            "  dump-snapshot <zoo.cfg|dataDir> [zxid]  the newest snapshot, or the one taken at zxid (hex)",
            "  verify <zoo.cfg|dataDir>                read every log record and snapshot; OK or the first error",
            "Options:",
            "  --storage NAME  the storage engine (default: storage= of the config, else as the server: file)",
            "  --data          also print znode data (quoted, at most 64 bytes)",
            "  --in-place      open the files themselves, not a copy (never while a server runs on them)",
            "A folder stands for a zoo.cfg whose dataDir and dataLogDir are both that folder.");

    private PaddockTools() {}

    public static void main(String[] args) {
        // Engine warnings (a damaged snapshot skipped, a torn tail cut) matter here; progress chatter does not.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(run(List.of(args), System.out, System.err));
    }

    /**
     * Runs one command, printing results to {@code out} and problems to {@code err}; returns the exit code. For
     * embedding and tests: nothing here ends the JVM.
     */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        Invocation inv;
        PaddockConfig config;
        try {
            inv = Invocation.parse(args);
            if (inv.command == Command.HELP) {
                out.println(USAGE);
                return EXIT_OK;
            }
            config = config(inv);
        } catch (UsageException | ConfigException e) {
            err.println("paddock-tools: " + e.getMessage());
            if (e instanceof UsageException) {
                err.println(USAGE);
            }
            return EXIT_USAGE;
        }
        StorageProvider provider;
        try {
            provider = provider(config, inv.storage);
        } catch (ConfigException e) {
            err.println("paddock-tools: " + e.getMessage());
            return EXIT_USAGE;
        }
        for (Path dir : List.of(config.dataDir(), config.dataLogDir())) {
            if (!Files.isDirectory(dir)) {
                err.println("paddock-tools: no such folder: " + dir.toAbsolutePath()
                        + " (check dataDir and dataLogDir)");
                return EXIT_DAMAGED;
            }
        }
        try (Workspace ws = Workspace.of(config, inv.inPlace)) {
            // engines name the files they find damaged: name the user's files, not the copies
            PrintStream o = ws.realPaths(out);
            PrintStream e = ws.realPaths(err);
            Storage storage;
            try {
                storage = provider.open(ws.storageConfig);
            } catch (IOException | RuntimeException ex) {
                e.println("ERROR: storage '" + provider.name() + "' cannot open " + describe(config) + ": "
                        + ex.getMessage());
                return EXIT_DAMAGED;
            }
            try (storage) {
                switch (inv.command) {
                    case DUMP_LOG:
                        return dumpLog(storage, inv.withData, o, e);
                    case DUMP_SNAPSHOT:
                        return dumpSnapshot(storage, inv.zxid, recordBytesMax(config), inv.withData, o, e);
                    case VERIFY:
                        o.println("verifying " + describe(config) + " with storage '" + provider.name() + "'");
                        return Verifier.run(storage, recordBytesMax(config), o, e);
                    default:
                        throw new IllegalStateException(inv.command.toString());
                }
            }
        } catch (IOException | UncheckedIOException e) {
            err.println("paddock-tools: " + e.getMessage());
            return EXIT_DAMAGED;
        }
    }

    private static int recordBytesMax(PaddockConfig config) {
        return SnapshotDecoder.recordBytesMax(config.juteMaxBufferBytes());
    }

    private static String describe(PaddockConfig config) {
        Path data = config.dataDir().toAbsolutePath().normalize();
        Path log = config.dataLogDir().toAbsolutePath().normalize();
        return data.equals(log) ? data.toString() : "dataDir " + data + ", dataLogDir " + log;
    }

    private static int dumpLog(Storage storage, boolean withData, PrintStream out, PrintStream err) {
        long count = 0;
        long first = Zxid.NONE;
        long last = Zxid.NONE;
        int undecodable = 0;
        try (TxnCursor cursor = storage.log().readAfter(Zxid.NONE)) {
            while (cursor.next()) {
                long zxid = cursor.zxid();
                try {
                    out.println(TxnFormatter.format(zxid, cursor.txn(), withData));
                } catch (IllegalArgumentException e) {
                    out.println("0x" + Zxid.toHex(zxid) + " UNDECODABLE " + e.getMessage());
                    undecodable++;
                }
                first = count == 0 ? zxid : first;
                last = zxid;
                count++;
            }
        } catch (IOException | RuntimeException e) {
            out.println(count + (count == 1 ? " txn" : " txns") + " read before the error");
            err.println("ERROR: the log is unreadable after " + (count == 0 ? "its start" : "0x" + Zxid.toHex(last))
                    + ": " + e.getMessage());
            return EXIT_DAMAGED;
        }
        out.println(count + (count == 1 ? " txn" : " txns")
                + (count == 0 ? "" : ", zxids 0x" + Zxid.toHex(first) + " to 0x" + Zxid.toHex(last))
                + (undecodable == 0 ? "" : ", " + undecodable + " undecodable"));
        return undecodable == 0 ? EXIT_OK : EXIT_DAMAGED;
    }

    private static int dumpSnapshot(Storage storage, OptionalLong zxid, int recordBytesMax, boolean withData,
            PrintStream out, PrintStream err) {
        SnapshotStore snapshots = storage.snapshots();
        try {
            Optional<SnapshotStore.SnapshotReader> opened = zxid.isPresent()
                    ? snapshots.open(zxid.getAsLong()) : snapshots.openLatest();
            if (opened.isEmpty()) {
                err.println(zxid.isPresent()
                        ? "paddock-tools: no valid snapshot at 0x" + Zxid.toHex(zxid.getAsLong()) + "; valid: "
                                + hexList(snapshots.list())
                        : "paddock-tools: no snapshot yet (the server writes one every snapCount txns)");
                return EXIT_DAMAGED;
            }
            try (SnapshotStore.SnapshotReader reader = opened.get()) {
                out.println("snapshot 0x" + Zxid.toHex(reader.zxid()));
                SnapshotFormatter.print(reader.stream(), recordBytesMax, withData, out::println);
                return EXIT_OK;
            }
        } catch (IOException | RuntimeException e) {
            err.println("ERROR: " + e.getMessage());
            return EXIT_DAMAGED;
        }
    }

    private static String hexList(List<Long> zxids) {
        List<String> out = new ArrayList<>(zxids.size());
        zxids.forEach(z -> out.add("0x" + Zxid.toHex(z)));
        return out.isEmpty() ? "none" : String.join(", ", out);
    }

    private static PaddockConfig config(Invocation inv) {
        Map<String, String> zooCfg;
        if (Files.isDirectory(inv.target)) {
            zooCfg = new HashMap<>();
            zooCfg.put("dataDir", inv.target.toString());
        } else if (Files.isRegularFile(inv.target)) {
            zooCfg = new HashMap<>(Paddock.readZooCfg(inv.target));
        } else {
            throw new UsageException("neither a zoo.cfg nor a folder: " + inv.target);
        }
        // an ensemble member's zoo.cfg names its myid and perhaps a dynamicConfigFile: read them as the server does
        return PaddockConfig.parse(zooCfg, System::getProperty, Paddock::readTextFile);
    }

    /** The engine the server would use for this config (see Paddock's durability), or the one named on the line. */
    private static StorageProvider provider(PaddockConfig config, String override) {
        Plugins plugins = Plugins.discover(config.pluginsDir());
        String name = override != null ? override : config.storage();
        if (name == null) {
            name = plugins.storage().names().contains(PaddockConfig.STORAGE_DEFAULT) ? PaddockConfig.STORAGE_DEFAULT
                    : PaddockConfig.STORAGE_MEMORY;
        }
        if (PaddockConfig.STORAGE_MEMORY.equals(name)) {
            throw new ConfigException("storage=memory keeps nothing on disk, so there is nothing to read"
                    + (plugins.storage().names().isEmpty() ? " (no storage engine is installed)"
                            : "; installed engines: " + String.join(", ", plugins.storage().names())));
        }
        return plugins.storage().select(name);
    }

    private enum Command {
        DUMP_LOG("dump-log"), DUMP_SNAPSHOT("dump-snapshot"), VERIFY("verify"), HELP("help");

        final String word;

        Command(String word) {
            this.word = word;
        }

        static Command of(String word) {
            for (Command c : values()) {
                if (c.word.equals(word)) {
                    return c;
                }
            }
            if (word.equals("-h") || word.equals("--help")) {
                return HELP;
            }
            throw new UsageException("unknown command '" + word + "'");
        }
    }

    private static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** One command line, parsed. */
    private static final class Invocation {
        Command command;
        Path target;
        OptionalLong zxid = OptionalLong.empty();
        String storage;
        boolean withData;
        boolean inPlace;

        static Invocation parse(List<String> args) {
            Invocation inv = new Invocation();
            List<String> positional = new ArrayList<>();
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "--data":
                        inv.withData = true;
                        break;
                    case "--in-place":
                        inv.inPlace = true;
                        break;
                    case "--storage":
                        if (i + 1 >= args.size()) {
                            throw new UsageException("--storage needs an engine name");
                        }
                        inv.storage = args.get(++i);
                        break;
                    default:
                        if (a.startsWith("--storage=")) {
                            inv.storage = a.substring("--storage=".length());
                        } else if (a.startsWith("--") || (a.startsWith("-") && !a.equals("-h"))) {
                            throw new UsageException("unknown option '" + a + "'");
                        } else {
                            positional.add(a);
                        }
                }
            }
            if (positional.isEmpty()) {
                throw new UsageException("no command");
            }
            inv.command = Command.of(positional.get(0));
            if (inv.command == Command.HELP) {
                return inv;
            }
            int max = inv.command == Command.DUMP_SNAPSHOT ? 3 : 2;
            if (positional.size() < 2 || positional.size() > max) {
                throw new UsageException(inv.command.word + " takes " + (max == 3 ? "a zoo.cfg or folder and"
                        + " optionally a zxid" : "a zoo.cfg or folder"));
            }
            try {
                inv.target = Path.of(positional.get(1));
            } catch (InvalidPathException e) {
                throw new UsageException("not a path: " + positional.get(1));
            }
            if (positional.size() == 3) {
                inv.zxid = OptionalLong.of(parseZxid(positional.get(2)));
            }
            return inv;
        }

        /** Hex, as snapshot and log file names spell zxids, with or without {@code 0x}. */
        private static long parseZxid(String text) {
            String hex = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
            try {
                return Long.parseUnsignedLong(hex, 16);
            } catch (NumberFormatException e) {
                throw new UsageException("not a zxid in hex: '" + text + "'");
            }
        }
    }

    /** The folders the engine opens: copies of dataDir and dataLogDir (deleted on close), or the folders themselves. */
    static final class Workspace implements AutoCloseable {
        final StorageConfig storageConfig;
        private final StorageConfig originals;
        private final Path temp;

        private Workspace(StorageConfig storageConfig, StorageConfig originals, Path temp) {
            this.storageConfig = storageConfig;
            this.originals = originals;
            this.temp = temp;
        }

        static Workspace of(PaddockConfig config, boolean inPlace) throws IOException {
            StorageConfig real = config.storageConfig();
            if (inPlace) {
                return new Workspace(real, real, null);
            }
            Path data = real.dataDir().toAbsolutePath().normalize();
            Path log = real.dataLogDir().toAbsolutePath().normalize();
            Path temp = Files.createTempDirectory("paddock-tools-");
            try {
                Path dataCopy = temp.resolve("data");
                Path logCopy;
                // Nested folders are copied once, keeping the nesting, so the engine sees the same layout.
                if (log.equals(data) || log.startsWith(data)) {
                    copyTree(data, dataCopy);
                    logCopy = dataCopy.resolve(data.relativize(log));
                } else if (data.startsWith(log)) {
                    Path top = temp.resolve("log");
                    copyTree(log, top);
                    logCopy = top;
                    dataCopy = top.resolve(log.relativize(data));
                } else {
                    copyTree(data, dataCopy);
                    logCopy = temp.resolve("log");
                    copyTree(log, logCopy);
                }
                StorageConfig absolute = new StorageConfig(data, log, real.preAllocBytes(), real.txnsPerLogFileMax(),
                        real.forceSync(), real.extra());
                return new Workspace(new StorageConfig(dataCopy, logCopy, real.preAllocBytes(),
                        real.txnsPerLogFileMax(), real.forceSync(), real.extra()), absolute, temp);
            } catch (IOException | RuntimeException e) {
                deleteTree(temp);
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            if (temp != null) {
                deleteTree(temp);
            }
        }

        /** {@code stream}, with the copies' paths in printed lines replaced by the folders they were copied from. */
        PrintStream realPaths(PrintStream stream) {
            if (temp == null) {
                return stream;
            }
            Map<String, String> copies = new LinkedHashMap<>();
            // the longer path first, in case one copy folder holds the other
            if (storageConfig.dataLogDir().toString().length() >= storageConfig.dataDir().toString().length()) {
                copies.put(storageConfig.dataLogDir().toString(), originals.dataLogDir().toString());
                copies.put(storageConfig.dataDir().toString(), originals.dataDir().toString());
            } else {
                copies.put(storageConfig.dataDir().toString(), originals.dataDir().toString());
                copies.put(storageConfig.dataLogDir().toString(), originals.dataLogDir().toString());
            }
            return new PrintStream(stream, true) {
                @Override
                public void println(String line) {
                    String real = line;
                    for (Map.Entry<String, String> e : copies.entrySet()) {
                        real = real.replace(e.getKey(), e.getValue());
                    }
                    super.println(real);
                }
            };
        }

        static void copyTree(Path from, Path to) throws IOException {
            Files.walkFileTree(from, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    // The storage lock file is skipped: POSIX record locks belong to the process, so reading it here
                    // while this process holds the lock (an embedding server) would drop that lock when the copy
                    // closes it; and the copy needs no lock file, the engine creates its own.
                    if (file.getFileName().toString().equals(STORAGE_LOCK_FILE)) {
                        return FileVisitResult.CONTINUE;
                    }
                    Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    // A server writing next to us may delete a temp file between listing and copying it.
                    if (e instanceof java.nio.file.NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }
            });
        }

        private static void deleteTree(Path root) throws IOException {
            if (!Files.exists(root)) {
                return;
            }
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        }
    }

    /** verify: every log record and every snapshot read to the end, plus the rules recovery relies on. */
    static final class Verifier {
        private final Storage storage;
        private final int recordBytesMax;
        private final PrintStream out;
        private final List<String> warnings = new ArrayList<>();

        private Verifier(Storage storage, int recordBytesMax, PrintStream out) {
            this.storage = storage;
            this.recordBytesMax = recordBytesMax;
            this.out = out;
        }

        static int run(Storage storage, int recordBytesMax, PrintStream out, PrintStream err) {
            Verifier v = new Verifier(storage, recordBytesMax, out);
            try {
                v.verify();
            } catch (Damage e) {
                err.println("ERROR: " + e.getMessage());
                out.println("FAILED");
                return EXIT_DAMAGED;
            }
            v.warnings.forEach(w -> out.println("warning: " + w));
            out.println(v.warnings.isEmpty() ? "OK" : "OK (" + v.warnings.size()
                    + (v.warnings.size() == 1 ? " warning)" : " warnings)"));
            return EXIT_OK;
        }

        /** The first problem found; verify stops there. */
        private static final class Damage extends Exception {
            private static final long serialVersionUID = 1L;

            Damage(String message) {
                super(message, null, false, false);
            }
        }

        private void verify() throws Damage {
            List<Long> listed;
            long newest;
            try {
                listed = storage.snapshots().list();
                try (SnapshotStore.SnapshotReader latest = storage.snapshots().openLatest().orElse(null)) {
                    newest = latest == null ? Zxid.NONE : latest.zxid();
                }
            } catch (IOException | RuntimeException e) {
                throw new Damage("cannot list the snapshots: " + e.getMessage());
            }
            if (!listed.isEmpty() && listed.get(0) != newest) {
                throw new Damage("snapshot 0x" + Zxid.toHex(listed.get(0)) + " is listed but does not open"
                        + reason(listed.get(0)) + "; recovery would fall back to "
                        + (newest == Zxid.NONE ? "no snapshot" : "0x" + Zxid.toHex(newest)));
            }
            long highestInSnapshots = Zxid.NONE;
            for (long zxid : listed) {
                highestInSnapshots = Math.max(highestInSnapshots, verifySnapshot(zxid));
            }
            verifyLog(newest, highestInSnapshots);
        }

        /** Why the engine will not open the snapshot at {@code zxid}, as far as it says. */
        private String reason(long zxid) {
            try (SnapshotStore.SnapshotReader r = storage.snapshots().open(zxid).orElse(null)) {
                return r == null ? " (damaged)" : "";
            } catch (IOException | RuntimeException e) {
                return " (" + e.getMessage() + ")";
            }
        }

        /** Returns the highest zxid the snapshot's nodes carry. */
        private long verifySnapshot(long zxid) throws Damage {
            String name = "snapshot 0x" + Zxid.toHex(zxid);
            Optional<SnapshotStore.SnapshotReader> opened;
            try {
                opened = storage.snapshots().open(zxid);
            } catch (IOException | RuntimeException e) {
                throw new Damage(name + " does not open: " + e.getMessage());
            }
            if (opened.isEmpty()) {
                throw new Damage(name + " is listed but does not open");
            }
            try (SnapshotStore.SnapshotReader reader = opened.get()) {
                if (reader.zxid() != zxid) {
                    throw new Damage(name + " opened as 0x" + Zxid.toHex(reader.zxid()));
                }
                SnapshotSummary s = SnapshotDecoder.read(reader.stream(), recordBytesMax, IGNORE);
                out.println(name + ": " + s.toLine());
                return s.fuzzyHorizon(); // the log must reach the zxid the snapshot's walk ended at
            } catch (IOException | RuntimeException e) {
                throw new Damage(name + ": " + e.getMessage());
            }
        }

        private void verifyLog(long newestSnapshot, long highestInSnapshots) throws Damage {
            long count = 0;
            long first = Zxid.NONE;
            long prev = Zxid.NONE;
            long gapsBeforeSnapshot = 0;
            try (TxnCursor cursor = storage.log().readAfter(Zxid.NONE)) {
                while (cursor.next()) {
                    long zxid = cursor.zxid();
                    if (count > 0 && zxid <= prev) {
                        throw new Damage("the log goes from 0x" + Zxid.toHex(prev) + " back to 0x" + Zxid.toHex(zxid));
                    }
                    // zxids are consecutive within an epoch; a new epoch restarts the counter
                    boolean contiguous = count == 0 || zxid == prev + 1 || Zxid.epoch(zxid) > Zxid.epoch(prev);
                    if (!contiguous) {
                        if (zxid > newestSnapshot + 1) {
                            throw new Damage("the log skips from 0x" + Zxid.toHex(prev) + " to 0x" + Zxid.toHex(zxid)
                                    + ", after the newest snapshot (0x" + Zxid.toHex(newestSnapshot)
                                    + "): recovery would miss the txns between");
                        }
                        gapsBeforeSnapshot++;
                    }
                    try {
                        TxnFormatter.format(zxid, cursor.txn());
                    } catch (IllegalArgumentException e) {
                        throw new Damage("the log record at 0x" + Zxid.toHex(zxid) + " passed the storage checksum"
                                + " but is not a txn: " + e.getMessage());
                    }
                    first = count == 0 ? zxid : first;
                    prev = zxid;
                    count++;
                }
            } catch (IOException | RuntimeException e) {
                throw new Damage("the log is unreadable after " + (count == 0 ? "its start" : "0x" + Zxid.toHex(prev))
                        + ": " + e.getMessage());
            }
            if (count > 0 && first > newestSnapshot + 1
                    && Zxid.epoch(first) == Zxid.epoch(newestSnapshot)) {
                throw new Damage("the log starts at 0x" + Zxid.toHex(first) + ", after the newest snapshot 0x"
                        + Zxid.toHex(newestSnapshot) + ": the txns between are missing");
            }
            out.println("log: " + count + (count == 1 ? " txn" : " txns")
                    + (count == 0 ? "" : ", zxids 0x" + Zxid.toHex(first) + " to 0x" + Zxid.toHex(prev)));
            if (gapsBeforeSnapshot > 0) {
                warnings.add("the log has " + gapsBeforeSnapshot + " gaps before the newest snapshot (covered by it)");
            }
            long snapshotReach = Math.max(newestSnapshot, highestInSnapshots);
            if (count > 0 && prev < snapshotReach) {
                // Standalone snapshots hold only applied txns, and a txn is applied after its sync: such a log lost
                // synced records. A learner that just took a SNAP from its leader is the innocent case.
                warnings.add("the log ends at 0x" + Zxid.toHex(prev) + " but a snapshot reaches 0x"
                        + Zxid.toHex(snapshotReach) + ": synced records may be missing");
            }
            if (count == 0 && snapshotReach != Zxid.NONE) {
                warnings.add("the log is empty but a snapshot reaches 0x" + Zxid.toHex(snapshotReach));
            }
        }

        private static final SnapshotDecoder.Visitor IGNORE = new SnapshotDecoder.Visitor() {
            @Override
            public void session(SnapshotSession session) {}

            @Override
            public void node(SnapshotNode node) {}
        };
    }
}
