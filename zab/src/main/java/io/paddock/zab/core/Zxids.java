package io.paddock.zab.core;

import io.paddock.api.Zxid;

/** zxid helpers the cores share. */
final class Zxids {
    private Zxids() {}

    /**
     * Whether {@code next} may directly follow {@code prev} on a history: the next counter of the same epoch, or the
     * first proposal (counter 1) of a later epoch. Every leader numbers its proposals 1, 2, 3... in its epoch and a
     * learner's log is a leader's history plus a prefix of its proposals, so any other step is a hole.
     */
    static boolean follows(long prev, long next) {
        long pe = Zxid.epoch(prev);
        long ne = Zxid.epoch(next);
        if (ne == pe) {
            return Zxid.counter(next) == Zxid.counter(prev) + 1;
        }
        return ne > pe && Zxid.counter(next) == 1;
    }

    /** {@code 3|7} for epoch 3, counter 7: the notation of RELIABILITY.md, readable in traces. */
    static String str(long zxid) {
        return Zxid.epoch(zxid) + "|" + Zxid.counter(zxid);
    }
}
