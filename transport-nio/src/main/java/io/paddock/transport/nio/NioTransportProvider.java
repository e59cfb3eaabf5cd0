package io.paddock.transport.nio;

import io.paddock.api.transport.Transport;
import io.paddock.api.transport.TransportConfig;
import io.paddock.api.transport.TransportProvider;

/** Provides the {@code nio} transport. */
public final class NioTransportProvider implements TransportProvider {
    @Override
    public String name() {
        return "nio";
    }

    @Override
    public Transport create(TransportConfig config) {
        throw new IllegalStateException("nio transport is being built");
    }
}
