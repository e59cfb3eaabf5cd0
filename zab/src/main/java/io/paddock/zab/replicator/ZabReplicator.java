package io.paddock.zab.replicator;

import io.paddock.api.election.ElectionService;
import io.paddock.api.replication.ForwardedRequest;
import io.paddock.api.replication.NotLeaderException;
import io.paddock.api.replication.Replicator;
import io.paddock.api.replication.Role;
import io.paddock.api.replication.StateMachine;
import io.paddock.api.storage.Storage;
import io.paddock.api.time.Ticker;
import io.paddock.api.transport.Transport;
import io.paddock.zab.ZabConfig;
import io.paddock.zab.ZabPeerSettings;
import io.paddock.zab.ZabSnapshotPolicy;
import io.paddock.zab.internal.ZabDriver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The ensemble replicator: one quorum peer running ZAB over peer links, for {@code distro} to hand to the server.
 *
 * <p>Life cycle: {@link #open} recovers the state machine from the newest snapshot and binds the quorum port (read it
 * back with {@link #quorumAddress()} when port 0 was asked); {@link #start()} starts the threads and the first look
 * for a leader; {@link #close()} stops them and closes the links. The caller owns and closes the storage, the
 * transport and the election service, after this.
 *
 * <p>{@link #propose} works on an established leader only and blocks while the leader has
 * {@link ZabConfig#outstandingProposalsMax()} proposals in flight; {@link #forward}, {@link #touchSession} work on a
 * serving follower or observer; {@link #sync} completes once this peer has applied everything the leader had
 * committed when it saw the sync (it waits while the peer is not serving).
 */
public final class ZabReplicator implements Replicator, AutoCloseable {
    private final ZabDriver driver;

    private ZabReplicator(ZabDriver driver) {
        this.driver = driver;
    }

    /**
     * @param storage opened by the caller, not shared with anything else that writes
     * @param election started by the caller for the same ensemble
     * @param ticker  the only clock read (tick pacing)
     * @throws IOException if the newest snapshot cannot be read or the quorum port cannot be bound
     */
    public static ZabReplicator open(ZabConfig config, ZabPeerSettings settings, StateMachine stateMachine,
            Storage storage, Transport transport, ElectionService election, Ticker ticker) throws IOException {
        return open(config, settings, ZabSnapshotPolicy.DEFAULTS, stateMachine, storage, transport, election, ticker);
    }

    /**
     * As {@link #open(ZabConfig, ZabPeerSettings, StateMachine, Storage, Transport, ElectionService, Ticker)}, with
     * the snapshot and purge policy.
     *
     * @param snapshots when to snapshot and what to purge ({@link ZabSnapshotPolicy#DEFAULTS} for ZooKeeper's)
     * @throws IOException also if the data on disk fails the start-up checks (a gap in the log, epochs behind the log)
     */
    public static ZabReplicator open(ZabConfig config, ZabPeerSettings settings, ZabSnapshotPolicy snapshots,
            StateMachine stateMachine, Storage storage, Transport transport, ElectionService election, Ticker ticker)
            throws IOException {
        Objects.requireNonNull(snapshots, "snapshots");
        return new ZabReplicator(
                ZabDriver.open(config, settings, snapshots, stateMachine, storage, transport, election, ticker));
    }

    /** Starts the driver, storage, apply and dial threads and the first look for a leader. Call once. */
    public void start() {
        driver.start();
    }

    /** The bound quorum address (with port 0 asked, the chosen port). */
    public InetSocketAddress quorumAddress() {
        return driver.quorumAddress();
    }

    @Override
    public Role role() {
        return driver.role();
    }

    @Override
    public long propose(ByteBuffer txn, Object context) throws NotLeaderException {
        return driver.propose(txn, context);
    }

    @Override
    public void forward(ForwardedRequest request) throws NotLeaderException {
        driver.forward(request);
    }

    @Override
    public void sync(Object context) {
        driver.sync(context);
    }

    @Override
    public void touchSession(long sessionId, int timeoutMs) {
        driver.touchSession(sessionId, timeoutMs);
    }

    @Override
    public long lastProposedZxid() {
        return driver.lastProposedZxid();
    }

    /** Quorum links dropped for a bad hello, a malformed message or a flood, since open. */
    public long droppedLinks() {
        return driver.droppedLinks();
    }

    /** Snapshots this peer wrote since open: periodic ones ({@link ZabSnapshotPolicy}) and those written for a SNAP. */
    public long snapshotsTaken() {
        return driver.snapshotsTaken();
    }

    /** SNAP streams this peer (as leader) finished sending since open. */
    public long snapshotsSent() {
        return driver.snapshotsSent();
    }

    /** Purges since open that found {@code snapRetainCount} snapshots and cut the log below the oldest of them. */
    public long purges() {
        return driver.purges();
    }

    /** Stops the threads and closes the listener and every link. Idempotent. */
    @Override
    public void close() {
        driver.close();
    }
}
