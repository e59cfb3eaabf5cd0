package io.paddock.transport.netty;

import io.paddock.api.time.Ticker;
import io.paddock.api.transport.ConfigFiles;
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
     * When {@code ssl.keyStore.location} is set, the key and trust stores are read through {@code files} here, so a
     * bad store fails now rather than at the first TLS client.
     *
     * @throws IllegalArgumentException if a {@code transport.*} key has a value this transport cannot use, or a key
     *                                  store cannot be read or opened; the message names the key and the file
     */
    @Override
    public Transport create(TransportConfig config, Ticker ticker, ConfigFiles files) {
        return new NettyTransport(config, ticker, files::open);
    }
}
