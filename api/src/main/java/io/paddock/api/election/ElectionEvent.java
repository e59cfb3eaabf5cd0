package io.paddock.api.election;

/** Inputs to an {@link Election} core. */
public sealed interface ElectionEvent {
    /** Begin looking with this peer's own state. */
    record Start(long lastLoggedZxid, long currentEpoch) implements ElectionEvent {}

    /** A notification arrived from another peer. */
    record Received(Notification notification) implements ElectionEvent {}

    /** One tick of time passed. */
    record Tick() implements ElectionEvent {}

    /** The link to a peer went down or came up, so the core may re-send. */
    record PeerReachable(io.paddock.api.PeerId peer, boolean reachable) implements ElectionEvent {}
}
