package io.paddock.zab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.paddock.api.PeerId;
import io.paddock.api.election.ElectionConfig;
import io.paddock.api.election.ElectionService;
import io.paddock.api.election.ElectionServiceConfig;
import io.paddock.api.replication.ForwardedRequest;
import io.paddock.api.replication.NotLeaderException;
import io.paddock.api.replication.Role;
import io.paddock.api.storage.Storage;
import io.paddock.api.storage.StorageConfig;
import io.paddock.api.storage.StorageCorruptException;
import io.paddock.api.transport.PeerLink;
import io.paddock.api.transport.PeerLinkHandler;
import io.paddock.api.transport.Transport;
import io.paddock.api.transport.TransportConfig;
import io.paddock.election.fle.FleElectionProvider;
import io.paddock.storage.file.FileStorageProvider;
import io.paddock.transport.nio.NioTransportProvider;
import io.paddock.zab.replicator.ZabReplicator;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real peers in one JVM: FLE over loopback, ZAB over loopback nio peer links, file storage in temp folders.
 * Every port is bound as 0 and read back (the election ports are reserved up front, since an election service takes
 * its address book at start).
 */
class ZabEnsembleIT {
    private static final int TICK_MS = 50;
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Set<Long> VOTERS = Set.of(1L, 2L, 3L);

    @TempDir
    Path tmp;

    private final Map<Long, InetSocketAddress> quorumBook = new ConcurrentHashMap<>();
    private final Map<PeerId, InetSocketAddress> electionBook = new ConcurrentHashMap<>();
    private final Map<Long, Peer> peers = new TreeMap<>();
    private int committedLogMax = 500;
    private Set<Long> observers = Set.of();
    private int maxFrameBytes = 4 << 20;
    private ZabSnapshotPolicy snapshotPolicy = ZabSnapshotPolicy.DEFAULTS;
    private int txnsPerLogFile = 10_000;

    /** One running server. */
    private final class Peer implements AutoCloseable {
        final long sid;
        final Path dir;
        final KvStateMachine sm = new KvStateMachine();
        Transport transport;
        Storage storage;
        ElectionService election;
        ZabReplicator replicator;

        Peer(long sid, Path dir) {
            this.sid = sid;
            this.dir = dir;
        }

        void open() throws IOException {
            transport = new NioTransportProvider().create(
                    new TransportConfig(1, maxFrameBytes, 16 << 20, 5_000, Map.of()), System::nanoTime);
            storage = new FileStorageProvider().open(
                    new StorageConfig(dir, dir, 64 << 10, txnsPerLogFile, true, Map.of()));
            ElectionConfig ec = new ElectionConfig(new PeerId(sid), ids(VOTERS), ids(observers), 8);
            election = new FleElectionProvider().start(new ElectionServiceConfig(ec, electionBook.get(new PeerId(sid)),
                    electionBook, TICK_MS, 1_000), transport, System::nanoTime);
            ZabConfig zc = ZabConfig.of(sid, VOTERS, observers, 20, 10).withCommittedLogMax(committedLogMax);
            replicator = ZabReplicator.open(zc, new ZabPeerSettings(new InetSocketAddress(LOOPBACK, 0), quorumBook::get,
                    TICK_MS, 1_000), snapshotPolicy, sm, storage, transport, election, System::nanoTime);
            sm.replicator = replicator;
            quorumBook.put(sid, replicator.quorumAddress());
        }

        @Override
        public void close() {
            // The election first, as in a crash: a stopped peer must not keep telling lookers it leads.
            if (election != null) {
                election.close();
            }
            if (replicator != null) {
                replicator.close();
            }
            if (transport != null) {
                transport.close();
            }
            if (storage != null) {
                storage.close();
            }
            election = null;
            replicator = null;
            transport = null;
            storage = null;
        }
    }

    @AfterEach
    void closeAll() {
        peers.values().forEach(Peer::close);
    }

    private static Set<PeerId> ids(Set<Long> sids) {
        return sids.stream().map(PeerId::new).collect(Collectors.toSet());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            return s.getLocalPort();
        }
    }

    private Set<Long> members() {
        Set<Long> all = new java.util.TreeSet<>(VOTERS);
        all.addAll(observers);
        return all;
    }

    private void startEnsemble() throws IOException {
        for (long sid : members()) {
            electionBook.put(new PeerId(sid), new InetSocketAddress(LOOPBACK, freePort()));
        }
        for (long sid : members()) {
            Peer p = new Peer(sid, Files.createDirectories(tmp.resolve("p" + sid)));
            p.open();
            peers.put(sid, p);
        }
        peers.values().forEach(p -> p.replicator.start());
    }

    /** Restarts {@code sid} on {@code dir} (its old folder, or a fresh one), keeping its election port. */
    private Peer restart(long sid, Path dir) throws IOException {
        Peer p = new Peer(sid, dir);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                p.open();
                break;
            } catch (java.net.BindException e) {
                p.close();
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // the old election port is still closing
            }
        }
        peers.put(sid, p);
        p.replicator.start();
        return p;
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
    }

    private Peer awaitLeader(Set<Long> among) {
        await("one of " + among + " leads and the rest follow", () -> among.stream()
                .filter(s -> peers.get(s).replicator.role() == Role.LEADER).count() == 1
                && among.stream().filter(s -> peers.get(s).replicator.role() == Role.FOLLOWER).count()
                        == among.size() - 1);
        return among.stream().map(peers::get).filter(p -> p.replicator.role() == Role.LEADER).findFirst()
                .orElseThrow();
    }

    private static long propose(Peer leader, String txn) throws NotLeaderException {
        return leader.replicator.propose(ByteBuffer.wrap(txn.getBytes(StandardCharsets.UTF_8)), "ctx-" + txn);
    }

    private void awaitSameState(Set<Long> among, int atLeast) {
        await("peers " + among + " applied the same " + atLeast + "+ txns", () -> {
            List<List<String>> states = new ArrayList<>();
            for (long s : among) {
                states.add(peers.get(s).sm.applied());
            }
            return states.get(0).size() >= atLeast && states.stream().allMatch(states.get(0)::equals);
        });
    }

    private static List<String> txnsOf(Peer p) {
        return p.sm.applied().stream().map(s -> s.substring(s.indexOf(':') + 1)).toList();
    }

    @Test
    void threePeersElectALeaderAndAllApplyProposedAndForwardedTxnsInTheSameOrder() throws Exception {
        startEnsemble();
        Peer leader = awaitLeader(VOTERS);
        List<Long> zxids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            zxids.add(propose(leader, "k" + i + "=v" + i));
        }
        for (int i = 1; i < zxids.size(); i++) {
            assertEquals(zxids.get(i - 1) + 1, zxids.get(i), "consecutive zxids in one epoch");
        }
        Peer follower = peers.values().stream().filter(p -> p != leader).findFirst().orElseThrow();
        for (int i = 0; i < 5; i++) {
            follower.replicator.forward(new ForwardedRequest(follower.sid, 1, i, 1,
                    ("fwd" + i).getBytes(StandardCharsets.UTF_8), new String[0]));
        }
        awaitSameState(VOTERS, 25);
        List<String> txns = txnsOf(leader);
        assertEquals("k0=v0", txns.get(0));
        assertEquals(List.of("fwd0", "fwd1", "fwd2", "fwd3", "fwd4"),
                txns.stream().filter(t -> t.startsWith("fwd")).toList());
        await("the leader saw the context of each of its proposals", () -> leader.sm.contextsSeen.size() == 20);
        assertTrue(follower.sm.contextsSeen.isEmpty(), "a peer that did not propose gets a null context");
        assertThrows(NotLeaderException.class, () -> propose(follower, "nope"));

        follower.replicator.sync("s1");
        leader.replicator.sync("s2");
        await("syncs complete", () -> follower.sm.syncsCompleted.contains("s1")
                && leader.sm.syncsCompleted.contains("s2"));
    }

    @Test
    void closingTheLeaderElectsAnotherThatKeepsEveryCommittedTxnAndCommitsMore() throws Exception {
        startEnsemble();
        Peer leader = awaitLeader(VOTERS);
        for (int i = 0; i < 10; i++) {
            propose(leader, "a" + i);
        }
        awaitSameState(VOTERS, 10);
        List<String> before = leader.sm.applied();
        leader.close();
        Set<Long> rest = VOTERS.stream().filter(s -> s != leader.sid).collect(Collectors.toSet());
        Peer next = awaitLeader(rest);
        for (int i = 0; i < 10; i++) {
            propose(next, "b" + i);
        }
        awaitSameState(rest, 20);
        List<String> after = next.sm.applied();
        assertEquals(before, after.subList(0, before.size()), "no committed txn lost or reordered");
        assertTrue(txnsOf(next).containsAll(List.of("b0", "b9")));

        restart(leader.sid, leader.dir);
        awaitLeader(VOTERS);
        awaitSameState(VOTERS, 20);
    }

    @Test
    void aRestartedFollowerCatchesUpWithDiff() throws Exception {
        startEnsemble();
        Peer leader = awaitLeader(VOTERS);
        for (int i = 0; i < 5; i++) {
            propose(leader, "a" + i);
        }
        awaitSameState(VOTERS, 5);
        Peer follower = peers.values().stream().filter(p -> p != leader).findFirst().orElseThrow();
        follower.close();
        for (int i = 0; i < 5; i++) {
            propose(leader, "b" + i);
        }
        Peer back = restart(follower.sid, follower.dir);
        awaitLeader(VOTERS);
        awaitSameState(VOTERS, 10);
        assertTrue(back.storage.snapshots().list().isEmpty(), "caught up by DIFF, not by a snapshot");
    }

    @Test
    void aFollowerWithAnEmptyDataDirCatchesUpWithSnap() throws Exception {
        committedLogMax = 3;
        startEnsemble();
        Peer leader = awaitLeader(VOTERS);
        Peer follower = peers.values().stream().filter(p -> p != leader).findFirst().orElseThrow();
        follower.close();
        for (int i = 0; i < 12; i++) {
            propose(leader, "a" + i);
        }
        Set<Long> up = VOTERS.stream().filter(s -> s != follower.sid).collect(Collectors.toSet());
        awaitSameState(up, 12);
        Peer fresh = restart(follower.sid, Files.createDirectories(tmp.resolve("fresh" + follower.sid)));
        awaitLeader(VOTERS);
        awaitSameState(VOTERS, 12);
        assertFalse(fresh.storage.snapshots().list().isEmpty(), "caught up by SNAP");
        propose(leader, "after");
        awaitSameState(VOTERS, 13);
    }

    @Test
    void aLinkWithABadHelloIsDroppedAndTheEnsembleKeepsWorking() throws Exception {
        startEnsemble();
        Peer leader = awaitLeader(VOTERS);
        PeerLinkHandler ignore = new PeerLinkHandler() {
            @Override
            public void messageReceived(PeerLink link, ByteBuffer payload) {}

            @Override
            public void linkClosed(PeerLink link, Throwable cause) {}
        };
        try (Transport t = new NioTransportProvider().create(new TransportConfig(1, 1 << 16, 1 << 20, 5_000, Map.of()),
                System::nanoTime)) {
            PeerLink unknown = t.connectToPeer(leader.replicator.quorumAddress(), 1_000, ignore);
            unknown.send(ByteBuffer.allocate(13).put((byte) 0).putInt(0x505A4142).putLong(99).flip());
            PeerLink garbage = t.connectToPeer(leader.replicator.quorumAddress(), 1_000, ignore);
            garbage.send(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            await("both links dropped", () -> leader.replicator.droppedLinks() >= 2);
        }
        propose(leader, "still");
        awaitSameState(VOTERS, 1);
    }

    private Peer anyFollower(Peer leader) {
        return VOTERS.stream().map(peers::get).filter(p -> p != leader).findFirst().orElseThrow();
    }

    @Test
    void anObserverGetsEveryCommitForwardsWritesAndNeverCountsTowardAQuorum() throws Exception {
        observers = Set.of(4L);
        startEnsemble();
        Peer leader = awaitLeader(VOTERS);
        Peer observer = peers.get(4L);
        await("the observer observes", () -> observer.replicator.role() == Role.OBSERVER);
        for (int i = 0; i < 10; i++) {
            propose(leader, "a" + i);
        }
        observer.replicator.forward(new ForwardedRequest(4, 7, 1, 1, "from-observer".getBytes(StandardCharsets.UTF_8),
                new String[0]));
        awaitSameState(members(), 11);
        assertTrue(txnsOf(leader).contains("from-observer"));
        assertThrows(NotLeaderException.class, () -> propose(observer, "nope"));

        List<Peer> followers = VOTERS.stream().map(peers::get).filter(p -> p != leader).toList();
        followers.get(0).close(); // one voter of three gone: leader + one follower are still a quorum
        propose(leader, "two-of-three");
        Set<Long> up = Set.of(leader.sid, followers.get(1).sid, 4L);
        awaitSameState(up, 12);

        followers.get(1).close(); // leader + observer: no quorum, whatever the observer does
        boolean proposed;
        try {
            propose(leader, "no-quorum");
            proposed = true;
        } catch (NotLeaderException e) {
            proposed = false; // the leader already noticed
        }
        await("the leader without a voter quorum steps down", () -> leader.replicator.role() != Role.LEADER);
        assertFalse(txnsOf(leader).contains("no-quorum"), "committed without a quorum (proposed: " + proposed + ")");
        assertFalse(txnsOf(observer).contains("no-quorum"), "the observer applied an uncommitted txn");
        assertEquals(12, observer.sm.applied().size());
    }

    @Test
    void aSnapMuchLargerThanTheFrameLimitIsStreamedInChunksAndArrivesIntact() throws Exception {
        committedLogMax = 3;
        maxFrameBytes = 80 << 10; // a chunk (64 KiB + 5) fits; the 2 MB snapshot is 25 times the limit
        startEnsemble();
        Peer leader = awaitLeader(VOTERS);
        Peer follower = anyFollower(leader);
        follower.close();
        String pad = "x".repeat(10_000);
        for (int i = 0; i < 200; i++) {
            propose(leader, i + pad);
        }
        Set<Long> up = VOTERS.stream().filter(s -> s != follower.sid).collect(Collectors.toSet());
        awaitSameState(up, 200);
        Peer fresh = restart(follower.sid, Files.createDirectories(tmp.resolve("fresh" + follower.sid)));
        awaitLeader(VOTERS);
        awaitSameState(VOTERS, 200);
        await("the leader sent one SNAP", () -> leader.replicator.snapshotsSent() == 1);
        assertEquals(1, fresh.sm.restores, "installed one snapshot");
        assertFalse(fresh.storage.snapshots().list().isEmpty(), "the streamed snapshot is in the store");
        propose(leader, "after");
        awaitSameState(VOTERS, 201);
    }

    @Test
    void snapshotsAndPurgeWhileRunningStillServeSnapAndDiffAndARestartReplaysOnlyTheTail() throws Exception {
        committedLogMax = 20;
        txnsPerLogFile = 8; // small log files, so that purge has whole files to delete
        snapshotPolicy = new ZabSnapshotPolicy(10, 3, 50);
        startEnsemble();
        Peer leader = awaitLeader(VOTERS);
        int n = 0;
        for (int round = 0; round < 8; round++) { // applied round by round, so that snapshots are taken in between
            for (int i = 0; i < 10; i++, n++) {
                propose(leader, "a" + n);
            }
            awaitSameState(VOTERS, n);
        }
        await("every peer snapshotted and purged", () -> VOTERS.stream().map(peers::get).allMatch(p ->
                p.replicator.snapshotsTaken() >= 3 && p.replicator.purges() >= 1));
        // The storage refuses to replay from a zxid whose records were purged.
        assertThrows(StorageCorruptException.class, () -> leader.storage.log().readAfter(0).close());
        await("purge keeps snapRetainCount snapshots once writes stop", () -> {
            try {
                return leader.storage.snapshots().list().size() <= 3;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });

        // Slightly behind: DIFF from the leader's window, although its log on disk was purged.
        Peer behind = anyFollower(leader);
        behind.close();
        for (int i = 0; i < 5; i++, n++) {
            propose(leader, "b" + i);
        }
        Peer back = restart(behind.sid, behind.dir);
        awaitLeader(VOTERS);
        int total = n;
        awaitSameState(VOTERS, total);
        assertEquals(0, leader.replicator.snapshotsSent(), "caught up by DIFF");
        assertEquals(1, back.sm.restores, "restarted from its newest snapshot");
        assertTrue(back.sm.applyCalls < 30, "replayed only the tail after its snapshot and the DIFF, not all "
                + total + " txns: " + back.sm.applyCalls);

        // Empty: SNAP.
        Peer other = VOTERS.stream().map(peers::get).filter(p -> p != leader && p != back).findFirst().orElseThrow();
        other.close();
        Peer fresh = restart(other.sid, Files.createDirectories(tmp.resolve("fresh" + other.sid)));
        awaitLeader(VOTERS);
        awaitSameState(VOTERS, total);
        await("an empty learner gets a SNAP", () -> leader.replicator.snapshotsSent() == 1);
        propose(leader, "after");
        awaitSameState(VOTERS, total + 1);
        assertEquals(txnsOf(leader), txnsOf(fresh));
    }
}
