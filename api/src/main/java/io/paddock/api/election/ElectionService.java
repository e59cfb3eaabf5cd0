package io.paddock.api.election;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * The running election of one server: its listener, its links to the other peers and the thread that drives an
 * {@link Election} core. Built by {@link ElectionProvider#start}; used by the quorum driver, which asks for a leader
 * each time it starts looking. Thread-safe.
 */
public interface ElectionService extends AutoCloseable {

    /**
     * Starts looking for a leader with this server's last logged zxid and current epoch (the {@code currentEpoch}
     * value). Completes with the decision, on the election thread (use the {@code *Async} variants for anything
     * slow); completes exceptionally with {@link IllegalStateException} if a look is already in flight, if
     * {@code epoch(lastLoggedZxid) > currentEpoch}, if the epoch went back since the previous look, or when the
     * service closes. Cancelling the future abandons the look: the next call starts a new round.
     */
    CompletableFuture<ElectionAction.Decided> lookForLeader(long lastLoggedZxid, long currentEpoch);

    /** Our proposal while looking, the decision after; null before the first look. */
    Vote currentVote();

    /** LOOKING while a look is in flight, the decided state after; null before the first look. */
    PeerState state();

    /** The bound election address (with port 0 requested, the chosen port). */
    InetSocketAddress electionAddress();

    /** Stops the threads, closes the listener and every link, fails a look in flight. Idempotent. */
    @Override
    void close();
}
