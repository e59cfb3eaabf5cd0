package io.paddock.api.election;

import io.paddock.api.PeerId;

/** An election message: who sends it, in which state, for which vote, with the sender's config version. */
public record Notification(PeerId from, PeerState state, Vote vote, long configVersion) {}
