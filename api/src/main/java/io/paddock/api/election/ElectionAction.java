package io.paddock.api.election;

import io.paddock.api.PeerId;

/** Outputs of an {@link Election} core, executed by its driver in order. */
public sealed interface ElectionAction {
    /** Send a notification to one peer. */
    record Send(PeerId to, Notification notification) implements ElectionAction {}

    /** The election is over: this peer should take {@code state} under {@code vote.leader()}. */
    record Decided(Vote vote, PeerState state) implements ElectionAction {}
}
