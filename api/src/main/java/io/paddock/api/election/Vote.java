package io.paddock.api.election;

import io.paddock.api.PeerId;

/**
 * A vote for a leader: the candidate, the last zxid it has logged, the election round and the candidate's epoch.
 */
public record Vote(PeerId leader, long zxid, long electionEpoch, long peerEpoch) {}
