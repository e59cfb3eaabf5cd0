package io.paddock.crash;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * An ensemble of real server processes on loopback: N voters and optional observers, each a child JVM started the way
 * an operator starts it ({@code PaddockMain zoo.cfg}, or Apache ZooKeeper's {@code QuorumPeerMain zoo.cfg} for a
 * comparison), each with its own folder, {@code dataDir/myid} and zoo.cfg listing every member as
 * {@code server.N=127.0.0.1:quorumPort:electionPort[:observer];127.0.0.1:clientPort}.
 *
 * <p>Peers must know each other's ports before any of them starts, so the ports are reserved by binding
 * {@code ServerSocket(0)} and closing it; if another process takes one in that moment, the member that cannot bind
 * exits, and {@link #start} starts the whole ensemble again on fresh ports. A member keeps its ports across restarts.
 *
 * <p>Roles are read with the {@code srvr} four-letter word ({@code Mode: leader}); every wait polls with a deadline.
 * Children are SIGKILLed by {@link #close} and, if the test JVM dies first, by {@link ServerProcess}'s shutdown hook.
 */
final class Ensemble implements AutoCloseable {
    /** Which server the children run. */
    enum Flavor {
        PADDOCK(ServerProcess.PADDOCK_MAIN),
        ZOOKEEPER("org.apache.zookeeper.server.quorum.QuorumPeerMain");

        final String mainClass;

        Flavor(String mainClass) {
            this.mainClass = mainClass;
        }
    }

    static final int TICK_MS = 100;
    static final long START_TIMEOUT_MS = 90_000;
    private static final int START_ATTEMPTS = 3;
    private static final int SRVR_TIMEOUT_MS = 2_000;
    private static final Pattern BIND_CLASH = Pattern.compile(
            "BindException|Address already in use|Cannot bind|Failed to bind|unable to bind", Pattern.CASE_INSENSITIVE);
    private static final Pattern SNAPSHOT_FILE = Pattern.compile("snapshot\\.([0-9a-fA-F]+)(\\..*)?");

    private final Path work;
    private final Flavor flavor;
    private final int voters;
    private final int observers;
    private final Map<String, String> settings;
    private final List<String> jvmOptions;
    private final List<Member> members = new ArrayList<>();
    private int attempt;

    /**
     * @param settings zoo.cfg keys added to (or replacing) the defaults: {@code tickTime=100}, {@code initLimit=30},
     *                 {@code syncLimit=10}, {@code maxSessionTimeout=60000}, every four-letter word
     */
    Ensemble(Path work, Flavor flavor, int voters, int observers, Map<String, String> settings, List<String> jvmOptions) {
        this.work = work;
        this.flavor = flavor;
        this.voters = voters;
        this.observers = observers;
        this.settings = new LinkedHashMap<>(settings);
        this.jvmOptions = List.copyOf(jvmOptions);
    }

    /** An ensemble of the servers {@code ensemble.server} names: {@code paddock} (default) or {@code zookeeper}. */
    Ensemble(Path work, int voters, int observers, Map<String, String> settings) {
        this(work, defaultFlavor(), voters, observers, settings, List.of());
    }

    static Flavor defaultFlavor() {
        String name = System.getProperty("ensemble.server", "");
        return name.isBlank() ? Flavor.PADDOCK : Flavor.valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
    }

    /** A new folder under {@code crash.workDir} for one test's ensemble. */
    static Path workDir(String name) throws IOException {
        Path base = Path.of(System.getProperty("crash.workDir", System.getProperty("java.io.tmpdir")));
        Files.createDirectories(base);
        return Files.createTempDirectory(base, name + "-");
    }

    /**
     * Starts every member and waits until one is the leader and every member serves. A member that exits because it
     * could not bind one of its reserved ports makes the whole ensemble start again on fresh ports (up to 3 times).
     */
    Ensemble start() throws IOException, InterruptedException {
        while (true) {
            attempt++;
            layOut();
            for (Member m : members) {
                m.start();
            }
            Optional<Member> clash = awaitAnswering();
            if (clash.isEmpty()) {
                break;
            }
            String why = "member " + clash.get().sid + " could not bind a reserved port (attempt " + attempt + ")";
            killAll();
            if (attempt >= START_ATTEMPTS) {
                throw new AssertionError(why + "; giving up. Its last lines:\n" + clash.get().process.tail());
            }
            System.out.println("[ensemble] " + why + "; starting again on fresh ports");
        }
        awaitLeader(START_TIMEOUT_MS);
        awaitAllServing(START_TIMEOUT_MS);
        return this;
    }

    /** Reserves ports and writes every member's folder, myid and zoo.cfg. */
    private void layOut() throws IOException {
        members.clear();
        int total = voters + observers;
        int[] ports = reservePorts(3 * total);
        for (int i = 0; i < total; i++) {
            int sid = i + 1;
            Path dir = work.resolve("attempt-" + attempt).resolve("server-" + sid);
            members.add(new Member(sid, sid > voters, ports[3 * i], ports[3 * i + 1], ports[3 * i + 2], dir));
        }
        for (Member m : members) {
            Files.createDirectories(m.dataDir);
            Files.writeString(m.dataDir.resolve("myid"), m.sid + "\n", StandardCharsets.US_ASCII);
            Files.writeString(m.zooCfg, zooCfg(m), StandardCharsets.ISO_8859_1);
        }
    }

    private String zooCfg(Member self) {
        Map<String, String> cfg = new LinkedHashMap<>();
        cfg.put("tickTime", Integer.toString(TICK_MS));
        cfg.put("initLimit", "30");
        cfg.put("syncLimit", "10");
        cfg.put("dataDir", self.dataDir.toString());
        cfg.put("clientPort", Integer.toString(self.clientPort));
        cfg.put("clientPortAddress", "127.0.0.1");
        cfg.put("maxSessionTimeout", "60000");
        cfg.put("4lw.commands.whitelist", "*");
        if (flavor == Flavor.ZOOKEEPER) {
            // ZooKeeper's AdminServer would bind 8080 in every member
            cfg.put("admin.enableServer", "false");
        } else {
            cfg.put("storage", "file");
        }
        if (self.observer) {
            cfg.put("peerType", "observer");
        }
        cfg.putAll(settings);
        StringBuilder sb = new StringBuilder();
        cfg.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        for (Member m : members) {
            sb.append("server.").append(m.sid).append("=127.0.0.1:").append(m.quorumPort).append(':')
                    .append(m.electionPort).append(m.observer ? ":observer" : "").append(";127.0.0.1:")
                    .append(m.clientPort).append('\n');
        }
        return sb.toString();
    }

    /** Binds {@code n} sockets on port 0 at once (so the ports differ), reads the ports back, closes them. */
    private static int[] reservePorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket();
                held.add(s);
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress("127.0.0.1", 0));
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }

    /** Waits until every member answers {@code srvr}; returns a member that died of a port clash, if one did. */
    private Optional<Member> awaitAnswering() throws IOException {
        for (Member m : members) {
            String srvr = Poll.until(START_TIMEOUT_MS, () -> "member " + m.sid + " answers srvr; last lines:\n"
                    + m.process.tail(), () -> {
                        String answer = m.srvr();
                        return answer != null ? answer : (m.process.isAlive() ? null : "exited");
                    });
            if (srvr.equals("exited")) {
                awaitOutput(m);
                if (m.process.logContains(BIND_CLASH)) {
                    return Optional.of(m);
                }
                throw new AssertionError("member " + m.sid + " exited at start; its last lines:\n" + m.process.tail());
            }
        }
        return Optional.empty();
    }

    private static void awaitOutput(Member m) {
        try {
            m.process.stop(); // already exited: this only waits for its output to be read to the end
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    List<Member> members() {
        return List.copyOf(members);
    }

    Member member(int sid) {
        return members.get(sid - 1);
    }

    List<Member> live() {
        return members.stream().filter(Member::isAlive).toList();
    }

    /** The one live member that says {@code Mode: leader}, once there is exactly one. */
    Member awaitLeader(long timeoutMs) {
        return Poll.until(timeoutMs, () -> "one leader among the live members; modes " + modes(), () -> {
            List<Member> leaders = live().stream().filter(m -> "leader".equals(m.mode())).toList();
            return leaders.size() == 1 ? leaders.get(0) : null;
        });
    }

    /** Live members that say {@code Mode: follower}. */
    List<Member> followers() {
        return live().stream().filter(m -> "follower".equals(m.mode())).toList();
    }

    List<Member> observersList() {
        return members.stream().filter(m -> m.observer).toList();
    }

    void awaitAllServing(long timeoutMs) {
        for (Member m : live()) {
            m.awaitServing(timeoutMs);
        }
    }

    /**
     * Waits until every live member serves and all report the same {@code Zxid} in {@code srvr} (no write in flight:
     * the caller has stopped its load), and returns that zxid.
     */
    long awaitSameZxid(long timeoutMs) {
        return Poll.until(timeoutMs, () -> "every live member serving at the same zxid; " + modes(), () -> {
            long zxid = -1;
            for (Member m : live()) {
                String srvr = m.srvr();
                if (!FourLetterWord.serving(FourLetterWord.mode(srvr))) {
                    return null;
                }
                long z = FourLetterWord.zxid(srvr);
                if (zxid != -1 && z != zxid) {
                    return null;
                }
                zxid = z;
            }
            return zxid;
        });
    }

    /** sid -> mode (null: no answer) of every member, for failure messages. */
    String modes() {
        Map<Integer, String> out = new TreeMap<>();
        for (Member m : members) {
            out.put(m.sid, m.isAlive() ? String.valueOf(m.mode()) + "@0x" + Long.toHexString(
                    FourLetterWord.zxid(m.srvr())) : "dead");
        }
        return out.toString();
    }

    /** {@code 127.0.0.1:port,...} of the given members, for a client's connect string. */
    static String connectString(List<Member> ms) {
        return ms.stream().map(m -> "127.0.0.1:" + m.clientPort).collect(Collectors.joining(","));
    }

    private void killAll() {
        for (Member m : members) {
            if (m.process != null && m.process.isAlive()) {
                m.process.sigkill();
                try {
                    m.process.awaitKilled();
                } catch (InterruptedException | AssertionError e) {
                    // on the way out: the shutdown hook is the last resort
                }
            }
        }
    }

    @Override
    public void close() {
        killAll();
    }

    /** Deletes a passed test's folder, unless {@code crash.keep} is set. */
    static void cleanUp(Path work) throws IOException {
        if (Boolean.getBoolean("crash.keep")) {
            return;
        }
        try (Stream<Path> paths = Files.walk(work)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** The name of the servers this ensemble runs: {@code paddock} or {@code zookeeper}. */
    String serverName() {
        return flavor.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Where the run's files are (logs of every member start, data, zoo.cfg). */
    Path work() {
        return work;
    }

    /** One member: its ports, folder and current process. */
    final class Member {
        final int sid;
        final boolean observer;
        final int quorumPort;
        final int electionPort;
        final int clientPort;
        final Path dir;
        final Path dataDir;
        final Path zooCfg;
        private ServerProcess process;
        private int incarnation;

        Member(int sid, boolean observer, int quorumPort, int electionPort, int clientPort, Path dir) {
            this.sid = sid;
            this.observer = observer;
            this.quorumPort = quorumPort;
            this.electionPort = electionPort;
            this.clientPort = clientPort;
            this.dir = dir;
            this.dataDir = dir.resolve("data");
            this.zooCfg = dir.resolve("zoo.cfg");
        }

        void start() throws IOException {
            if (process != null && process.isAlive()) {
                throw new IllegalStateException("member " + sid + " is running");
            }
            incarnation++;
            List<String> options = new ArrayList<>(jvmOptions);
            Path archive = ClassArchive.get();
            if (archive != null) {
                options.add(0, "-XX:SharedArchiveFile=" + archive);
            }
            process = ServerProcess.start(flavor.mainClass, zooCfg, dir.resolve("server-" + incarnation + ".log"),
                    options);
        }

        /**
         * Starts the member again on its folder and ports, and waits until it answers {@code srvr}. A port another
         * process grabbed while the member was down makes it exit; it is then started again, until the deadline.
         */
        void restart(long timeoutMs) throws IOException {
            long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
            while (true) {
                start();
                String srvr = Poll.until(timeoutMs, () -> "restarted member " + sid + " answers srvr; last lines:\n"
                        + process.tail(), () -> {
                            String answer = srvr();
                            return answer != null ? answer : (process.isAlive() ? null : "exited");
                        });
                if (!srvr.equals("exited")) {
                    return;
                }
                awaitOutput(this);
                if (!process.logContains(BIND_CLASH) || System.nanoTime() > deadline) {
                    throw new AssertionError("member " + sid + " exited at restart; its last lines:\n"
                            + process.tail());
                }
            }
        }

        /** SIGKILL, and a check that the process ended by it (exit status 137). */
        void kill9() throws InterruptedException {
            process.sigkill();
            process.awaitKilled();
        }

        long pid() {
            return process.pid();
        }

        boolean isAlive() {
            return process != null && process.isAlive();
        }

        String srvr() {
            return isAlive() ? FourLetterWord.ask(clientPort, "srvr", SRVR_TIMEOUT_MS) : null;
        }

        String ask(String word) {
            return FourLetterWord.ask(clientPort, word, SRVR_TIMEOUT_MS);
        }

        /** {@code leader}, {@code follower}, {@code observer}, {@code not serving}, or null (no answer). */
        String mode() {
            return FourLetterWord.mode(srvr());
        }

        void awaitServing(long timeoutMs) {
            Poll.untilTrue(timeoutMs, () -> "member " + sid + " serving; modes " + modes() + "; its last lines:\n"
                    + (process == null ? "" : process.tail()), () -> FourLetterWord.serving(mode()));
        }

        ServerProcess process() {
            return process;
        }

        String connectString() {
            return "127.0.0.1:" + clientPort;
        }

        /** Zxids of the snapshot files in this member's data folder ({@code version-2/snapshot.<zxid>}). */
        List<Long> snapshotZxids() throws IOException {
            Path v2 = dataDir.resolve("version-2");
            if (!Files.isDirectory(v2)) {
                return List.of();
            }
            try (Stream<Path> files = Files.list(v2)) {
                List<Long> out = new ArrayList<>();
                for (Path p : files.toList()) {
                    Matcher m = SNAPSHOT_FILE.matcher(p.getFileName().toString());
                    if (m.matches()) {
                        out.add(Long.parseUnsignedLong(m.group(1), 16));
                    }
                }
                out.sort(null);
                return out;
            }
        }

        @Override
        public String toString() {
            return "server." + sid + (observer ? " (observer)" : "") + " on client port " + clientPort;
        }
    }

    /** One class-data archive per test JVM, made by a standalone Paddock start: later child JVMs start faster. */
    static final class ClassArchive {
        private static Path archive;
        private static boolean made;

        private ClassArchive() {}

        static synchronized Path get() throws IOException {
            if (!made) {
                made = true;
                Path scratch = workDir("class-archive");
                // the archive serves this test JVM only (the next run's class path may differ)
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        cleanUp(scratch);
                    } catch (IOException e) {
                        // a leftover scratch folder under target/ is harmless
                    }
                }, "crash-tests-class-archive"));
                Path cfg = scratch.resolve("zoo.cfg");
                Files.writeString(cfg, String.join("\n", "tickTime=200", "clientPort=0", "clientPortAddress=127.0.0.1",
                        "dataDir=" + scratch.resolve("data"), ""), StandardCharsets.ISO_8859_1);
                try {
                    archive = ServerProcess.makeClassArchive(cfg, scratch.resolve("paddock.jsa"), START_TIMEOUT_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return archive;
        }
    }
}
