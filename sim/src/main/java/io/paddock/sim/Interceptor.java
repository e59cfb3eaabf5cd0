package io.paddock.sim;

import io.paddock.zab.core.ZabMessage;
import java.util.List;

/**
 * Sees every message a core sends before the network does, and returns what is sent instead: the message itself,
 * nothing (dropped inside the connection, which TCP never does), or rewritten messages. Scenario tests use it to
 * aim a fault at one message, and positive controls use it to re-create a buggy peer.
 */
@FunctionalInterface
public interface Interceptor {
    List<ZabMessage> onSend(Simulator sim, long from, long to, ZabMessage message);
}
