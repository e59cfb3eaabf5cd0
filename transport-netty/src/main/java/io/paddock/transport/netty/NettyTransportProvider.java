package io.paddock.transport.netty;

import io.paddock.api.time.Ticker;
import io.paddock.api.transport.Transport;
import io.paddock.api.transport.TransportConfig;
import io.paddock.api.transport.TransportProvider;
import io.paddock.transport.netty.internal.NettyTransport;

/** Provides the {@code netty} transport: Netty 4.2 event loops (native epoll where available), TLS for clients. */
public final class NettyTransportProvider implements TransportProvider {
    @Override
    public String name() {
        return "netty";
    }

    /**
     * Starts the transport's threads; see {@code transport-netty/README.md} for the keys of {@code extra} it reads.
     *
     * @throws IllegalArgumentException if a {@code transport.*} key has a value this transport cannot use
     */
    @Override
    public Transport create(TransportConfig config, Ticker ticker) {
        // No file reader yet: the secure client port needs one for its key material (see the README's "TLS").
        return new NettyTransport(config, ticker, null);
    }
}
