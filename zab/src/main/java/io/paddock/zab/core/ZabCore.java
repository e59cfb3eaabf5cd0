package io.paddock.zab.core;

import java.util.List;

/**
 * A ZAB role machine for one term of one role: created when the election decides, discarded after it returns
 * {@link ZabAction.StepDown}. Not thread-safe; one driver thread (or the simulator) feeds it events one at a time.
 * No threads, I/O, clock or unseeded randomness inside: the same events give the same actions.
 */
public sealed interface ZabCore permits LeaderCore, LearnerCore {

    /**
     * Takes one event, returns what to do, in order (see {@link ZabAction} for the driver's contract).
     *
     * @throws IllegalStateException if the driver breaks the contract (an event the current phase cannot take, such as
     *                               a proposal to a leader that is not established, or any event after StepDown);
     *                               the message names the epoch and zxids. A remote peer's bad message never throws:
     *                               it ends the session with that peer.
     */
    List<ZabAction> handle(ZabEvent event);

    /** The epoch this core works in: the one it proposed or accepted, 0 before it is known. */
    long epoch();

    /** True once the core has returned StepDown. */
    boolean stopped();
}
