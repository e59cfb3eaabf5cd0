package io.paddock.sim;

/**
 * Who leads, decided once per world tick for the peers that are looking. The default is {@link OracleElection}, an
 * all-seeing stand-in; the real Fast Leader Election (election-fle) plugs in here later: one
 * {@code io.paddock.api.election.Election} core per looking peer, its notifications carried by the simulated network,
 * and on {@code Decided(vote, LEADING|FOLLOWING|OBSERVING)} a call to {@link Simulator#becomeLeader} or
 * {@link Simulator#becomeLearner}. Safety must not depend on the choice: a leader that is not the most up to date of
 * its quorum steps down at ACKEPOCH.
 */
public interface ElectionSeam {
    void onWorldTick(Simulator sim);
}
