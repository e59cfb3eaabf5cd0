package io.paddock.transport.nio;

import io.paddock.api.time.Ticker;
import io.paddock.api.transport.ConfigFiles;
import io.paddock.api.transport.Transport;
import io.paddock.api.transport.TransportConfig;
import io.paddock.api.transport.TransportProvider;
import io.paddock.transport.nio.internal.NioTransport;

/** Provides the {@code nio} transport: plain {@code java.nio} selectors, no TLS. */
public final class NioTransportProvider implements TransportProvider {
    @Override
    public String name() {
        return "nio";
    }

    /**
     * Starts the transport's threads; see {@code transport-nio/README.md} for what it honours. {@code files} is not
     * used: this transport reads no settings that name files (it has no TLS).
     */
    @Override
    public Transport create(TransportConfig config, Ticker ticker, ConfigFiles files) {
        return new NioTransport(config, ticker);
    }
}
