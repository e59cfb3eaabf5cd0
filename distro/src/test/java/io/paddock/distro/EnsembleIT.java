package io.paddock.distro;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.paddock.api.replication.Role;
import io.paddock.api.transport.TransportConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ensemble members started the way the launcher starts them ({@link Paddock#start(Map)} with zoo.cfg keys, a myid file
 * in each dataDir), in one JVM on loopback, driven by the official ZooKeeper client. Three voters and one observer;
 * client ports are bound as 0 and read back, quorum and election ports are reserved up front (a server.N line needs
 * them) and the whole ensemble is started again on fresh ports if one of them was taken in between.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EnsembleIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int SESSION_TIMEOUT_MS = 30_000;

    @TempDir
    Path tmp;

    /** One member: its id, folder, ports and, while it runs, its server. */
    private static final class Member {
        final long id;
        final boolean observer;
        final Path dataDir;
        int quorumPort;
        int electionPort;
        Paddock paddock;

        Member(long id, boolean observer, Path dataDir) {
            this.id = id;
            this.observer = observer;
            this.dataDir = dataDir;
        }

        InetSocketAddress client() {
            return paddock.clientAddress();
        }
    }

    private final Map<Long, Member> members = new TreeMap<>();
    /** zoo.cfg keys of one member on top of (or replacing) the common ones: its transport, its TLS stores. */
    private final Map<Long, Map<String, String>> memberKeys = new HashMap<>();
    private final List<ZooKeeper> clients = new ArrayList<>();

    @AfterEach
    void stopEverything() throws InterruptedException {
        for (ZooKeeper zk : clients) {
            zk.close(1_000);
        }
        members.values().forEach(this::stop);
    }

    private void stop(Member m) {
        if (m.paddock != null) {
            m.paddock.close();
            m.paddock = null;
        }
    }

    // ------------------------------------------------------------------ the ensemble

    private Map<String, String> zooCfg(Member self) {
        Map<String, String> cfg = new HashMap<>();
        cfg.put("tickTime", "100");
        cfg.put("initLimit", "30");
        cfg.put("syncLimit", "15");
        cfg.put("dataDir", self.dataDir.toString());
        cfg.put("clientPort", "0");
        cfg.put("clientPortAddress", "127.0.0.1");
        // tickTime 100 would cap sessions at 2 s (20 ticks); the machine running the tests may be slower than that
        cfg.put("maxSessionTimeout", Integer.toString(SESSION_TIMEOUT_MS));
        cfg.put("4lw.commands.whitelist", "srvr,conf");
        cfg.put("cnxTimeout", "1000");
        for (Member m : members.values()) {
            cfg.put("server." + m.id, "127.0.0.1:" + m.quorumPort + ":" + m.electionPort
                    + (m.observer ? ":observer" : ""));
        }
        if (self.observer) {
            cfg.put("peerType", "observer");
        }
        cfg.putAll(memberKeys.getOrDefault(self.id, Map.of()));
        return cfg;
    }

    /** Starts voters 1-3 and observer 4; retries on fresh ports if a reserved port was taken meanwhile. */
    private void startEnsemble() throws IOException {
        startEnsemble(3, 1);
    }

    /**
     * Starts voters 1..{@code voters}, then the observers after them, each with its {@link #memberKeys}; retries on
     * fresh ports if a reserved port was taken meanwhile.
     */
    private void startEnsemble(int voters, int observers) throws IOException {
        for (long id = 1; id <= voters + observers; id++) {
            Path dir = Files.createDirectories(tmp.resolve("member" + id));
            Files.writeString(dir.resolve("myid"), id + "\n");
            members.put(id, new Member(id, id > voters, dir));
        }
        for (int attempt = 1; ; attempt++) {
            reservePorts();
            try {
                for (Member m : members.values()) {
                    m.paddock = Paddock.start(zooCfg(m));
                }
                return;
            } catch (UncheckedIOException e) {
                members.values().forEach(this::stop);
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    /**
     * Gives every member a quorum and an election port the system reports free. The sockets are all open at once while
     * their ports are read, so no two members (or a member's two ports) get the same one; they are closed before the
     * members bind them, so another process may still take one in between (the caller retries).
     */
    private void reservePorts() throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (Member m : members.values()) {
                ServerSocket quorum = new ServerSocket(0, 1, LOOPBACK);
                sockets.add(quorum);
                ServerSocket election = new ServerSocket(0, 1, LOOPBACK);
                sockets.add(election);
                m.quorumPort = quorum.getLocalPort();
                m.electionPort = election.getLocalPort();
            }
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

    private List<Member> running() {
        return members.values().stream().filter(m -> m.paddock != null).collect(Collectors.toList());
    }

    /** Waits until one running voter leads and every other running member follows or observes. */
    private Member awaitLeader() {
        return awaitLeaderAmong(running());
    }

    /** Waits until one of {@code group} leads and the others follow or observe. */
    private Member awaitLeaderAmong(List<Member> group) {
        await("one leader, the other voters following and the observer observing", () -> {
            int leaders = 0;
            for (Member m : group) {
                Role expected = m.observer ? Role.OBSERVER : Role.FOLLOWER;
                Role role = m.paddock.role();
                if (role == Role.LEADER && !m.observer) {
                    leaders++;
                } else if (role != expected) {
                    return false;
                }
            }
            return leaders == 1;
        });
        return group.stream().filter(m -> m.paddock.role() == Role.LEADER).findFirst().orElseThrow();
    }

    private Member anyWith(Role role) {
        return running().stream().filter(m -> m.paddock.role() == role).findFirst().orElseThrow();
    }

    // ------------------------------------------------------------------ clients

    private ZooKeeper connect(Member m) throws Exception {
        return connect(m, 0, null);
    }

    /** A session on {@code m}; with {@code sessionId} != 0, re-attaches that session (ZooKeeper's reconnect). */
    private ZooKeeper connect(Member m, long sessionId, byte[] password) throws Exception {
        return session(m, m.client(), (where, watcher) -> sessionId == 0
                ? new ZooKeeper(where, SESSION_TIMEOUT_MS, watcher)
                : new ZooKeeper(where, SESSION_TIMEOUT_MS, watcher, sessionId, password));
    }

    /** A new session on {@code m}'s TLS port ({@code secureClientPort}) with the client's TLS settings. */
    private ZooKeeper connectOverTls(Member m, ZKClientConfig tls) throws Exception {
        return session(m, m.paddock.secureClientAddress().orElseThrow(),
                (where, watcher) -> new ZooKeeper(where, SESSION_TIMEOUT_MS, watcher, tls));
    }

    /** How a test's client is made, from the connect string and the watcher that sees it connect. */
    private interface ClientFactory {
        ZooKeeper open(String connectString, Watcher watcher) throws IOException;
    }

    private ZooKeeper session(Member m, InetSocketAddress address, ClientFactory factory) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        Watcher watcher = event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        };
        String where = "127.0.0.1:" + address.getPort();
        ZooKeeper zk = factory.open(where, watcher);
        clients.add(zk);
        if (!connected.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            fail("no session on member " + m.id + " (" + where + ") within " + WAIT);
        }
        return zk;
    }

    private static void create(ZooKeeper zk, String path, String data) throws Exception {
        zk.create(path, data.getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    }

    /**
     * Creates {@code path}, retrying while the session's member is briefly not serving (a loaded machine can make a
     * follower miss its sync limit and rejoin); a retry that finds the node made by a lost reply counts as done.
     */
    private static void createSurvivingReconnects(ZooKeeper zk, String path, String data) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                create(zk, path, data);
                return;
            } catch (KeeperException.NodeExistsException e) {
                return;
            } catch (KeeperException.ConnectionLossException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
            }
        }
    }

    /** Polls {@code zk} until {@code path} holds {@code data}: a member applies commits a little after the leader. */
    private static void awaitData(ZooKeeper zk, String path, String data) {
        byte[] expected = data.getBytes(StandardCharsets.UTF_8);
        await(path + " = " + data + " on session 0x" + Long.toHexString(zk.getSessionId()), () -> {
            try {
                return java.util.Arrays.equals(expected, zk.getData(path, false, null));
            } catch (KeeperException.NoNodeException e) {
                return false;
            } catch (KeeperException | InterruptedException e) {
                throw new AssertionError(e);
            }
        });
    }

    private static String fourLetterWord(InetSocketAddress address, String word) throws IOException {
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(word.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + WAIT + " waiting for " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
    }

    // ------------------------------------------------------------------ tests

    @Test
    void writesThroughEveryRoleAreReadOnEveryMemberAndSrvrShowsTheRoles() throws Exception {
        startEnsemble();
        Member leader = awaitLeader();
        Member follower = anyWith(Role.FOLLOWER);
        Member observer = members.get(4L);

        for (Member m : running()) {
            String srvr = fourLetterWord(m.client(), "srvr");
            String mode = m == leader ? "leader" : m.observer ? "observer" : "follower";
            assertTrue(srvr.contains("Mode: " + mode + "\n"), "member " + m.id + ": " + srvr);
            String conf = fourLetterWord(m.client(), "conf");
            assertTrue(conf.contains("serverId=" + m.id + "\n"), conf);
        }

        create(connect(leader), "/via-leader", "L");
        create(connect(follower), "/via-follower", "F");
        create(connect(observer), "/via-observer", "O");

        for (Member m : running()) {
            ZooKeeper zk = connect(m);
            awaitData(zk, "/via-leader", "L");
            awaitData(zk, "/via-follower", "F");
            awaitData(zk, "/via-observer", "O");
            String config = new String(zk.getConfig(false, null), StandardCharsets.UTF_8);
            for (Member other : members.values()) {
                String line = "server." + other.id + "=127.0.0.1:" + other.quorumPort + ":" + other.electionPort + ":"
                        + (other.observer ? "observer" : "participant");
                assertTrue(config.contains(line), "member " + m.id + " /zookeeper/config lacks " + line + ":\n"
                        + config);
            }
            assertTrue(config.contains("server." + m.id + "=127.0.0.1:" + m.quorumPort + ":" + m.electionPort)
                    && config.contains(";127.0.0.1:" + m.client().getPort() + "\n"), config);
            assertTrue(config.endsWith("version=0\n") || config.contains("version=0"), config);
        }
    }

    @Test
    void closingTheLeaderElectsAnotherThatKeepsTheData() throws Exception {
        startEnsemble();
        Member leader = awaitLeader();
        ZooKeeper zk = connect(leader);
        for (int i = 0; i < 20; i++) {
            create(zk, "/before-" + i, "v" + i);
        }
        stop(leader);
        Member next = awaitLeader();
        assertTrue(next != leader && !next.observer);
        ZooKeeper onNext = connect(next);
        for (int i = 0; i < 20; i++) {
            awaitData(onNext, "/before-" + i, "v" + i);
        }
        create(onNext, "/after", "a");
        for (Member m : running()) {
            awaitData(connect(m), "/after", "a");
        }
    }

    @Test
    void aRestartedMemberRecoversFromItsDataDirAndCatchesUp() throws Exception {
        startEnsemble();
        awaitLeader();
        Member follower = anyWith(Role.FOLLOWER);
        Member leader = anyWith(Role.LEADER);
        ZooKeeper zk = connect(leader);
        for (int i = 0; i < 10; i++) {
            create(zk, "/kept-" + i, "k" + i);
        }
        awaitData(connect(follower), "/kept-9", "k9");
        stop(follower);
        for (int i = 0; i < 10; i++) {
            create(zk, "/missed-" + i, "m" + i);
        }
        restart(follower);
        awaitLeader();
        ZooKeeper back = connect(follower);
        awaitData(back, "/kept-0", "k0");
        awaitData(back, "/missed-9", "m9");
    }

    /** Starts {@code m} again on its folder and ports; a port of the closed instance may take a moment to free. */
    private void restart(Member m) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                m.paddock = Paddock.start(zooCfg(m));
                return;
            } catch (UncheckedIOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            }
        }
    }

    /**
     * ClickHouse keeper #116690: a client that moves to another member with its session id and password must get its
     * own session back (with its ephemerals), never a silently fresh one.
     */
    @Test
    void aSessionMovedToAnotherMemberKeepsItsIdAndItsEphemeral() throws Exception {
        startEnsemble();
        awaitLeader();
        Member follower = anyWith(Role.FOLLOWER);
        Member other = running().stream().filter(m -> m != follower).findFirst().orElseThrow();
        ZooKeeper first = connect(follower);
        first.create("/mine", new byte[] {1}, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        long sessionId = first.getSessionId();

        ZooKeeper moved = connect(other, sessionId, first.getSessionPasswd());
        assertEquals(sessionId, moved.getSessionId(), "the same session, not a new one");
        awaitData(moved, "/mine", "\u0001");
        Stat stat = moved.exists("/mine", false);
        assertNotNull(stat);
        assertEquals(sessionId, stat.getEphemeralOwner());
        moved.create("/moved-write", new byte[] {2}, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        assertEquals(sessionId, moved.exists("/moved-write", false).getEphemeralOwner());
        assertArrayEquals(new byte[] {2}, moved.getData("/moved-write", false, null));
    }

    @Test
    void unusableEnsembleConfigsFailWithAClearMessage() throws Exception {
        for (long id = 1; id <= 3; id++) {
            members.put(id, new Member(id, false, Files.createDirectories(tmp.resolve("bad" + id))));
        }
        // never bound: each start fails while reading the config
        reservePorts();
        Member one = members.get(1L);
        ConfigException missing = assertThrows(ConfigException.class, () -> Paddock.start(zooCfg(one)));
        assertTrue(missing.getMessage().contains("myid file is missing")
                && missing.getMessage().contains(one.dataDir.resolve("myid").toAbsolutePath().toString()),
                missing.getMessage());

        Files.writeString(one.dataDir.resolve("myid"), "9\n");
        ConfigException unlisted = assertThrows(ConfigException.class, () -> Paddock.start(zooCfg(one)));
        assertTrue(unlisted.getMessage().contains("myid 9") && unlisted.getMessage().contains("not in the server list"),
                unlisted.getMessage());

        Files.writeString(one.dataDir.resolve("myid"), "1\n");
        Map<String, String> cfg = zooCfg(one);
        cfg.put("electionAlg", "0");
        ConfigException alg = assertThrows(ConfigException.class, () -> Paddock.start(cfg));
        assertTrue(alg.getMessage().contains("electionAlg") && alg.getMessage().contains("only 3"),
                alg.getMessage());

        // TLS between peers with a transport that has no TLS: refused by the transport, before any port is bound
        memberKeys.put(1L, Map.of("transport", "nio", "sslQuorum", "true",
                "ssl.quorum.keyStore.location", tmp.resolve("never-read.p12").toString()));
        ConfigException nio = assertThrows(ConfigException.class, () -> Paddock.start(zooCfg(one)));
        assertTrue(nio.getMessage().contains("sslQuorum needs transport=netty"), nio.getMessage());
    }

    // ------------------------------------------------------------------ large requests on peer links

    /**
     * The largest transaction a client can cause must cross the peer links: a request of up to jute.maxbuffer
     * becomes a txn and a proposal a few dozen bytes larger. Were peer links held to jute.maxbuffer like the client
     * port, the follower would drop the link on that proposal, rejoin, be sent it again, and nothing would commit.
     * Written through a follower, so the forwarded request crosses a peer link too.
     */
    @Test
    void aNodeOfNearlyJuteMaxbufferWrittenThroughAFollowerIsReadOnEveryMember() throws Exception {
        startEnsemble();
        awaitLeader();
        Member follower = anyWith(Role.FOLLOWER);
        // the create request frame is the data plus 51 bytes (header 8, path 8, data length 4, world:anyone ACL 27,
        // flags 4): with 80 bytes taken off it passes the client port, while the txn (data + 76) wrapped in its
        // proposal (+21) is 17 bytes over jute.maxbuffer
        int size = TransportConfig.JUTE_MAXBUFFER_DEFAULT - 80;
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
        connect(follower).create("/big", data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        for (Member m : running()) {
            // the reply (data + stat + header) is a little over the client's own default jute.maxbuffer
            ZooKeeper zk = connectWithClientMaxBuffer(m, 2 * TransportConfig.JUTE_MAXBUFFER_DEFAULT);
            await("/big on member " + m.id, () -> {
                try {
                    return java.util.Arrays.equals(data, zk.getData("/big", false, null));
                } catch (KeeperException.NoNodeException e) {
                    return false;
                } catch (KeeperException | InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
        }
    }

    /**
     * A multi of many tiny creates, sent through a follower, whose request fits jute.maxbuffer but whose txn (a few
     * bytes more per op) does not: it commits on every member.
     */
    @Test
    void aMultiOfThousandsOfTinyCreatesThroughAFollowerCommitsOnEveryMember() throws Exception {
        startEnsemble();
        awaitLeader();
        Member follower = anyWith(Role.FOLLOWER);
        ZooKeeper zk = connect(follower);
        create(zk, "/m", "");
        // request: 56 bytes per op (op header 9, path 4+8, data 4, ACL 27, flags 4), about 1,030,000 in all; the txn
        // takes 59 per op, about 1,086,000, over jute.maxbuffer
        int ops = 18_400;
        List<org.apache.zookeeper.Op> creates = new ArrayList<>(ops);
        for (int i = 0; i < ops; i++) {
            creates.add(org.apache.zookeeper.Op.create(String.format("/m/%05d", i), new byte[0],
                    ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
        }
        assertEquals(ops, zk.multi(creates).size());
        for (Member m : running()) {
            ZooKeeper onMember = connect(m);
            await(ops + " children of /m on member " + m.id, () -> {
                try {
                    Stat stat = onMember.exists("/m", false);
                    return stat != null && stat.getNumChildren() == ops;
                } catch (KeeperException | InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            assertNotNull(onMember.exists(String.format("/m/%05d", ops - 1), false));
        }
    }

    /**
     * A member whose jute.maxbuffer (32 KiB) is below a snapshot chunk (64 KiB) still receives a SNAP: peer links
     * allow at least 256 KiB whatever the client limit. The member is restarted with an empty dataDir after more
     * writes than the leader keeps in its committed log ({@code commitLogCount=4}), so a DIFF is impossible.
     */
    @Test
    void aMemberWithASmallJuteMaxbufferStillReceivesASnapshot() throws Exception {
        for (long id = 1; id <= 3; id++) {
            memberKeys.put(id, Map.of("commitLogCount", "4"));
        }
        startEnsemble(3, 0);
        Member leader = awaitLeader();
        Member follower = anyWith(Role.FOLLOWER);
        stop(follower);
        try (var files = Files.list(follower.dataDir)) {
            for (Path p : files.filter(p -> !p.getFileName().toString().equals("myid")).collect(Collectors.toList())) {
                deleteTree(p);
            }
        }
        memberKeys.put(follower.id, Map.of("commitLogCount", "4", "jute.maxbuffer", "32768"));
        ZooKeeper zk = connect(leader);
        String data = "s".repeat(16 * 1024); // 12 of these make a snapshot of about 200 KiB, several chunks
        for (int i = 0; i < 12; i++) {
            create(zk, "/snap-" + i, data);
        }
        restart(follower);
        awaitLeader();
        assertEquals(Role.FOLLOWER, follower.paddock.role());
        ZooKeeper back = connect(follower);
        for (int i = 0; i < 12; i++) {
            awaitData(back, "/snap-" + i, data);
        }
        create(zk, "/after-snap", "a");
        awaitData(back, "/after-snap", "a");
    }

    private static void deleteTree(Path root) throws IOException {
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.delete(p);
            }
        }
    }

    /** A session on {@code m} whose client accepts replies of up to {@code maxBuffer} bytes. */
    private ZooKeeper connectWithClientMaxBuffer(Member m, int maxBuffer) throws Exception {
        ZKClientConfig config = new ZKClientConfig();
        config.setProperty("jute.maxbuffer", Integer.toString(maxBuffer));
        return session(m, m.client(), (where, watcher) -> new ZooKeeper(where, SESSION_TIMEOUT_MS, watcher, config));
    }

    // ------------------------------------------------------------------ transports and TLS between peers

    /**
     * nio and netty members in one ensemble. Member 2 runs nio: FLE usually makes 3 (netty) the first leader, with
     * the nio member following; once 3 is closed, 2 or 1 leads, so the nio member leads netty or follows it again.
     */
    @Test
    void membersOnDifferentTransportsElectReplicateWritesThroughEachAndSurviveTheLeader() throws Exception {
        memberKeys.put(1L, Map.of("transport", "netty"));
        memberKeys.put(2L, Map.of("transport", "nio"));
        // ZooKeeper's spelling of the same choice
        memberKeys.put(3L, Map.of("serverCnxnFactory", "org.apache.zookeeper.server.NettyServerCnxnFactory"));
        startEnsemble(3, 0);
        awaitLeader();
        for (Member m : running()) {
            create(connect(m), "/via-" + m.id, "w" + m.id);
        }
        for (Member m : running()) {
            ZooKeeper zk = connect(m);
            for (Member writer : members.values()) {
                awaitData(zk, "/via-" + writer.id, "w" + writer.id);
            }
        }

        Member leader = anyWith(Role.LEADER);
        stop(leader);
        Member next = awaitLeader();
        assertTrue(next != leader);
        create(connect(next), "/after", "a");
        for (Member m : running()) {
            ZooKeeper zk = connect(m);
            awaitData(zk, "/after", "a");
            awaitData(zk, "/via-" + leader.id, "w" + leader.id);
        }
    }

    private static final String PASSWORD = "paddock-ensemble-it";

    /** A member's key and certificate, for its peer links and its TLS client port alike. */
    private static TestKeyStores.Identity memberIdentity(long id) throws Exception {
        // the IP is what peers dial and dial from; the name is what the official client checks (see transport-netty)
        return TestKeyStores.selfSigned("paddock-member-" + id, List.of("127.0.0.1"), List.of("localhost"));
    }

    /** The keys of one member of an all-netty ensemble with {@code sslQuorum=true}, spelled as in ZooKeeper. */
    private static Map<String, String> quorumTls(Path keyStore, Path trustStore) {
        Map<String, String> keys = new HashMap<>();
        keys.put("transport", "netty");
        keys.put("sslQuorum", "true");
        keys.put("ssl.quorum.keyStore.location", keyStore.toString());
        keys.put("ssl.quorum.keyStore.password", PASSWORD);
        keys.put("ssl.quorum.trustStore.location", trustStore.toString());
        keys.put("zookeeper.ssl.quorum.trustStore.password", PASSWORD);
        // TLS costs CPU on every link: on 2 busy cores a follower could miss 15 ticks and rejoin, which only slows
        // the test down (no test here closes a member of a TLS ensemble, so the longer limits cost nothing)
        keys.put("initLimit", "50");
        keys.put("syncLimit", "50");
        return keys;
    }

    @Test
    void anSslQuorumEnsembleReplicatesAndTheOfficialClientWritesOverTlsOnAFollower() throws Exception {
        Path certs = Files.createDirectories(tmp.resolve("certs"));
        List<java.security.cert.X509Certificate> memberCertificates = new ArrayList<>();
        Map<Long, Path> keyStores = new HashMap<>();
        for (long id = 1; id <= 3; id++) {
            TestKeyStores.Identity identity = memberIdentity(id);
            memberCertificates.add(identity.certificate());
            keyStores.put(id, identity.writeKeyStore(certs.resolve("member" + id + ".p12"), PASSWORD));
        }
        java.security.cert.X509Certificate[] trusted =
                memberCertificates.toArray(new java.security.cert.X509Certificate[0]);
        Path quorumTrust = TestKeyStores.writeTrustStore(certs.resolve("quorum-trust.p12"), PASSWORD, trusted);
        // the client port's stores are separate, as in ZooKeeper: members trust the client, the client the members
        TestKeyStores.Identity client = TestKeyStores.selfSigned("paddock-client", List.of("127.0.0.1"), List.of());
        Path clientKeys = client.writeKeyStore(certs.resolve("client.p12"), PASSWORD);
        Path clientsTrusted = TestKeyStores.writeTrustStore(certs.resolve("clients.p12"), PASSWORD,
                client.certificate());
        Path clientTrust = TestKeyStores.writeTrustStore(certs.resolve("client-trust.p12"), PASSWORD, trusted);
        for (long id = 1; id <= 3; id++) {
            Map<String, String> keys = quorumTls(keyStores.get(id), quorumTrust);
            keys.put("secureClientPort", "0");
            keys.put("ssl.keyStore.location", keyStores.get(id).toString());
            keys.put("ssl.keyStore.password", PASSWORD);
            keys.put("ssl.trustStore.location", clientsTrusted.toString());
            keys.put("ssl.trustStore.password", PASSWORD);
            memberKeys.put(id, keys);
        }
        startEnsemble(3, 0);
        Member leader = awaitLeader();
        Member follower = anyWith(Role.FOLLOWER);

        ZKClientConfig tls = new ZKClientConfig();
        tls.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
        tls.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, "org.apache.zookeeper.ClientCnxnSocketNetty");
        tls.setProperty("zookeeper.ssl.keyStore.location", clientKeys.toString());
        tls.setProperty("zookeeper.ssl.keyStore.password", PASSWORD);
        tls.setProperty("zookeeper.ssl.keyStore.type", "PKCS12");
        tls.setProperty("zookeeper.ssl.trustStore.location", clientTrust.toString());
        tls.setProperty("zookeeper.ssl.trustStore.password", PASSWORD);
        tls.setProperty("zookeeper.ssl.trustStore.type", "PKCS12");
        ZooKeeper overTls = connectOverTls(follower, tls);
        create(overTls, "/over-tls", "t");
        create(connect(leader), "/on-leader", "l");
        for (Member m : running()) {
            ZooKeeper zk = connect(m);
            awaitData(zk, "/over-tls", "t");
            awaitData(zk, "/on-leader", "l");
        }
        awaitData(overTls, "/on-leader", "l");
    }

    /**
     * Member 3's quorum certificate is in nobody else's trust store: 1 and 2 refuse its links (both ways: they do not
     * trust what it presents when it dials, nor when they dial it), so it cannot vote or sync. Whether it "never"
     * joins is observed over a window of writes (30 ticks) after 1 and 2 have formed the quorum.
     */
    @Test
    void aMemberWithAnUntrustedQuorumCertificateNeverJoinsWhileTheOtherTwoKeepServing() throws Exception {
        Path certs = Files.createDirectories(tmp.resolve("certs"));
        List<java.security.cert.X509Certificate> all = new ArrayList<>();
        Map<Long, Path> keyStores = new HashMap<>();
        for (long id = 1; id <= 3; id++) {
            TestKeyStores.Identity identity = memberIdentity(id);
            all.add(identity.certificate());
            keyStores.put(id, identity.writeKeyStore(certs.resolve("member" + id + ".p12"), PASSWORD));
        }
        Path trustsOneAndTwo = TestKeyStores.writeTrustStore(certs.resolve("trust-1-2.p12"), PASSWORD, all.get(0),
                all.get(1));
        Path trustsAll = TestKeyStores.writeTrustStore(certs.resolve("trust-all.p12"), PASSWORD,
                all.toArray(new java.security.cert.X509Certificate[0]));
        memberKeys.put(1L, quorumTls(keyStores.get(1L), trustsOneAndTwo));
        memberKeys.put(2L, quorumTls(keyStores.get(2L), trustsOneAndTwo));
        memberKeys.put(3L, quorumTls(keyStores.get(3L), trustsAll));
        startEnsemble(3, 0);
        Member one = members.get(1L);
        Member two = members.get(2L);
        Member three = members.get(3L);

        awaitLeaderAmong(List.of(one, two));
        ZooKeeper onOne = connect(one);
        ZooKeeper onTwo = connect(two);
        long windowEnd = System.nanoTime() + Duration.ofMillis(30 * 100).toNanos();
        for (int i = 0; i < 10 || System.nanoTime() < windowEnd; i++) {
            createSurvivingReconnects(i % 2 == 0 ? onOne : onTwo, "/kept-" + i, "k" + i);
            Role role = three.paddock.role();
            assertEquals(Role.LOOKING, role, "member 3 joined as " + role + " with an untrusted certificate");
        }
        awaitData(onOne, "/kept-9", "k9");
        awaitData(onTwo, "/kept-8", "k8");
        String srvr = fourLetterWord(three.client(), "srvr");
        assertTrue(!srvr.contains("Mode: leader") && !srvr.contains("Mode: follower"), srvr);
    }
}
