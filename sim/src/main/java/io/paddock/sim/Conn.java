package io.paddock.sim;

import io.paddock.zab.core.ZabMessage;
import java.util.ArrayDeque;
import java.util.List;

/**
 * One TCP connection between a learner and its leader: ordered in each direction, stalled (not broken) while a
 * partition blocks a direction, closed on reset, crash or either side giving up.
 */
final class Conn {
    record InFlight(long from, long to, ZabMessage message) {}

    final long id;
    final long learner;
    final long leader;
    final int learnerGeneration;
    final int leaderGeneration;
    boolean open;
    boolean closed;
    /** Per direction (0: learner to leader, 1: leader to learner): last scheduled delivery time, held messages. */
    final long[] lastDelivery = new long[2];
    final List<ArrayDeque<InFlight>> held = List.of(new ArrayDeque<>(), new ArrayDeque<>());

    Conn(long id, long learner, long leader, int learnerGeneration, int leaderGeneration) {
        this.id = id;
        this.learner = learner;
        this.leader = leader;
        this.learnerGeneration = learnerGeneration;
        this.leaderGeneration = leaderGeneration;
    }

    int direction(long from) {
        return from == learner ? 0 : 1;
    }

    @Override
    public String toString() {
        return "conn" + id + "(" + learner + "->" + leader + (closed ? " closed" : open ? "" : " connecting") + ")";
    }
}
