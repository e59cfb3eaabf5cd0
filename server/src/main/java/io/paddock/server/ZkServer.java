package io.paddock.server;

import io.paddock.api.auth.AuthScheme;
import io.paddock.api.replication.Replicator;
import io.paddock.api.time.Clock;
import io.paddock.api.time.Ticker;
import io.paddock.api.transport.ClientListener;
import java.util.Collection;

/** Placeholder signature; the implementation lands with the server. */
public final class ZkServer implements AutoCloseable {
    public ZkServer(ServerConfig config, Clock clock, Ticker ticker, Collection<AuthScheme> authSchemes) {}

    public void start(Replicator replicator) {}

    public void clientListenerBound(ClientListener listener) {}

    @Override
    public void close() {}
}
