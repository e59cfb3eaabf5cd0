package io.paddock.sim;

import io.paddock.zab.core.ZabAction;

/** Called before the simulated driver runs each action; returning true crashes the peer right there. */
@FunctionalInterface
public interface ActionHook {
    boolean crashBefore(Simulator sim, SimPeer peer, ZabAction action);
}
