package io.paddock.zab.internal;

import io.paddock.api.PeerId;
import io.paddock.api.election.ElectionAction;
import io.paddock.api.election.ElectionService;
import io.paddock.api.election.PeerState;
import io.paddock.api.election.Vote;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/** An election that always decides the same thing: server 1 leads, and this peer is in {@code state}. */
final class FixedElection implements ElectionService {
    private static final Vote SERVER_ONE = new Vote(new PeerId(1), 0, 1, 1);
    private final PeerState state;

    FixedElection(PeerState state) {
        this.state = state;
    }

    @Override
    public CompletableFuture<ElectionAction.Decided> lookForLeader(long lastLoggedZxid, long currentEpoch) {
        return CompletableFuture.completedFuture(new ElectionAction.Decided(SERVER_ONE, state));
    }

    @Override
    public Vote currentVote() {
        return SERVER_ONE;
    }

    @Override
    public PeerState state() {
        return state;
    }

    @Override
    public InetSocketAddress electionAddress() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 1);
    }

    @Override
    public void close() {}
}
