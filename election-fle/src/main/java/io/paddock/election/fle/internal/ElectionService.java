package io.paddock.election.fle.internal;

import io.paddock.api.election.ElectionAction;
import io.paddock.api.election.PeerState;
import io.paddock.api.election.Vote;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * The running election of one server, as proposed for {@code io.paddock.api.election.ElectionService} (see
 * README.md, "Proposed api change"). It lives here until api adopts it; then this interface is deleted and
 * {@link FleDriver} implements the api one unchanged. Thread-safe.
 */
public interface ElectionService extends AutoCloseable {

    /**
     * Starts looking for a leader with this server's last logged zxid and current epoch (the {@code currentEpoch}
     * file). Completes with the decision, on the election thread (use the {@code *Async} variants for anything slow);
     * completes exceptionally with {@link IllegalStateException} if a look is already in flight, if
     * {@code epoch(lastLoggedZxid) > currentEpoch}, if the epoch went back since the previous look, or when the
     * service closes. Cancelling the future abandons the look: the next call starts a new round.
     */
    CompletableFuture<ElectionAction.Decided> lookForLeader(long lastLoggedZxid, long currentEpoch);

    /** The vote this server announces (its proposal while looking, the decision after); null before the first look. */
    Vote currentVote();

    /** LOOKING while a look is in flight, the decided state after; null before the first look. */
    PeerState state();

    /** Where the election listener is bound (with port 0 requested, the chosen port). */
    InetSocketAddress electionAddress();

    /** Stops the threads, closes the listener and every link, fails a look in flight. Idempotent. */
    @Override
    void close();
}
