package io.paddock.compat.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import javax.security.sasl.SaslException;
import org.apache.zookeeper.server.quorum.QuorumPeer;
import org.apache.zookeeper.server.quorum.QuorumPeerConfig;
import org.apache.zookeeper.server.quorum.QuorumPeerMain;

/**
 * Three Apache ZooKeeper 3.9.4 quorum peers (server.1-3, all voters) in this JVM, each run by its own
 * {@link QuorumPeerMain} thread from a zoo.cfg built here: loopback, file storage with fsync on (ZooKeeper's
 * default), the tickTime/initLimit/syncLimit the caller gives, no admin server. The benchmark's counterpart of the
 * compat fixture's Paddock ensemble: same JVM, same client placement (a follower).
 *
 * <p>Client, quorum and election ports are fixed in ZooKeeper's config, so they are reserved with
 * {@code ServerSocket(0)} and closed before the peers bind them; a peer that fails to start (a clash in between)
 * restarts the whole ensemble on fresh ports, up to three times.
 */
final class ZooKeeperEnsemble implements AutoCloseable {
    private static final int MEMBERS = 3;
    private static final int START_ATTEMPTS = 3;
    private static final Duration ELECTION_WAIT = Duration.ofSeconds(60);
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    /** A {@link QuorumPeerMain} that hands out the peer it built, so the benchmark can see its role and stop it. */
    private static final class Member extends QuorumPeerMain {
        private final AtomicReference<QuorumPeer> peer = new AtomicReference<>();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private Thread thread;

        @Override
        protected QuorumPeer getQuorumPeer() throws SaslException {
            QuorumPeer created = super.getQuorumPeer();
            peer.set(created);
            return created;
        }

        void start(QuorumPeerConfig config, int id) {
            thread = new Thread(() -> {
                try {
                    runFromConfig(config); // returns when the peer has stopped
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "bench-zk-peer-" + id);
            thread.setDaemon(true);
            thread.start();
        }

        QuorumPeer.ServerState state() {
            QuorumPeer p = peer.get();
            return p == null ? null : p.getPeerState();
        }

        void stop() throws InterruptedException {
            close(); // shuts the peer down; runFromConfig then returns
            if (thread != null) {
                thread.join(Duration.ofSeconds(30).toMillis());
            }
        }
    }

    private final List<Member> members;
    private final List<Integer> clientPorts;

    private ZooKeeperEnsemble(List<Member> members, List<Integer> clientPorts) {
        this.members = members;
        this.clientPorts = clientPorts;
    }

    /** Starts three peers under {@code root} with the given zoo.cfg keys (tickTime, initLimit, syncLimit, ...). */
    static ZooKeeperEnsemble start(Path root, Map<String, String> zooCfg) throws Exception {
        // ZooKeeper's admin server would bind 8080 once per peer
        System.setProperty("zookeeper.admin.enableServer", "false");
        for (int attempt = 1; ; attempt++) {
            List<Integer> clientPorts = new ArrayList<>();
            Properties servers = new Properties();
            for (int id = 1; id <= MEMBERS; id++) {
                servers.setProperty("server." + id, "127.0.0.1:" + freePort() + ":" + freePort());
                clientPorts.add(freePort());
            }
            List<Member> started = new ArrayList<>();
            try {
                for (int id = 1; id <= MEMBERS; id++) {
                    Path dir = Files.createDirectories(root.resolve("attempt" + attempt).resolve("member" + id));
                    Files.writeString(dir.resolve("myid"), id + "\n");
                    Properties p = new Properties();
                    p.putAll(zooCfg);
                    p.putAll(servers);
                    p.setProperty("dataDir", dir.toString());
                    p.setProperty("clientPort", String.valueOf(clientPorts.get(id - 1)));
                    p.setProperty("clientPortAddress", "127.0.0.1");
                    QuorumPeerConfig config = new QuorumPeerConfig();
                    config.parseProperties(p);
                    Member member = new Member();
                    started.add(member);
                    member.start(config, id);
                }
                ZooKeeperEnsemble ensemble = new ZooKeeperEnsemble(started, clientPorts);
                ensemble.awaitQuorum();
                return ensemble;
            } catch (UncheckedIOException | IllegalStateException e) {
                for (Member m : started) {
                    m.stop();
                }
                if (attempt == START_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** Waits for one leader and two followers; a peer whose thread died (a port clash) fails the attempt. */
    private void awaitQuorum() {
        long deadline = System.nanoTime() + ELECTION_WAIT.toNanos();
        while (true) {
            for (Member m : members) {
                if (m.failure.get() != null) {
                    throw new UncheckedIOException(new IOException("a ZooKeeper peer failed to start",
                            m.failure.get()));
                }
            }
            long leaders = members.stream().filter(m -> m.state() == QuorumPeer.ServerState.LEADING).count();
            long followers = members.stream().filter(m -> m.state() == QuorumPeer.ServerState.FOLLOWING).count();
            if (leaders == 1 && followers == MEMBERS - 1) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no ZooKeeper leader with two followers within " + ELECTION_WAIT
                        + "; states: " + members.stream().map(Member::state).toList());
            }
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
    }

    /** The client address of a follower (the benchmark's client talks to a follower, as with Paddock's ensemble). */
    InetSocketAddress follower() {
        for (int i = 0; i < members.size(); i++) {
            if (members.get(i).state() == QuorumPeer.ServerState.FOLLOWING) {
                return new InetSocketAddress("127.0.0.1", clientPorts.get(i));
            }
        }
        throw new IllegalStateException("no follower: " + members.stream().map(Member::state).toList());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (Member m : members) {
            m.stop();
        }
    }
}
