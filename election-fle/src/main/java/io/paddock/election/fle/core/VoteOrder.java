package io.paddock.election.fle.core;

import io.paddock.api.PeerId;
import io.paddock.api.election.Vote;
import java.util.Set;

/**
 * FLE's total order on candidates: the higher peer epoch wins, then the higher last logged zxid, then the higher sid.
 * The election round ({@link Vote#electionEpoch()}) takes no part. A candidate that is not a voter never wins, so an
 * observer's placeholder vote for itself loses to every real vote.
 */
public final class VoteOrder {
    private VoteOrder() {}

    /** Whether {@code candidate} should replace {@code current} as the proposal. */
    public static boolean beats(Vote candidate, Vote current, Set<PeerId> voters) {
        if (!voters.contains(candidate.leader())) {
            return false;
        }
        if (!voters.contains(current.leader())) {
            return true;
        }
        return compare(candidate, current) > 0;
    }

    /** Orders by (peerEpoch, zxid, sid); ignores voter-ship and the election round. */
    public static int compare(Vote a, Vote b) {
        int c = Long.compare(a.peerEpoch(), b.peerEpoch());
        if (c != 0) {
            return c;
        }
        c = Long.compare(a.zxid(), b.zxid());
        if (c != 0) {
            return c;
        }
        return a.leader().compareTo(b.leader());
    }
}
