package io.paddock.api.election;

/** The state a peer announces in election notifications. */
public enum PeerState {
    LOOKING,
    FOLLOWING,
    LEADING,
    OBSERVING
}
