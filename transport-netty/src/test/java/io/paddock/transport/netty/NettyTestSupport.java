package io.paddock.transport.netty;

import static io.paddock.transport.testkit.TransportTestSupport.MAX_FRAME_BYTES;

import io.paddock.api.transport.Transport;
import io.paddock.api.transport.TransportConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * How this module's own tests build a netty transport; the client, handler and polling helpers are the contract
 * kit's {@code TransportTestSupport}.
 */
final class NettyTestSupport {

    /**
     * {@code epoll} for every transport the tests build: {@code auto} (native where available) unless
     * {@code -Dpaddock.test.epoll} says otherwise; the pom runs the suite once more with {@code false}.
     */
    static final String EPOLL = System.getProperty("paddock.test.epoll", "auto");

    private NettyTestSupport() {}

    static TransportConfig config(int outboundBytesMax, int handshakeTimeoutMs) {
        return config(2, outboundBytesMax, handshakeTimeoutMs, Map.of());
    }

    static TransportConfig config(int ioThreads, int outboundBytesMax, int handshakeTimeoutMs,
            Map<String, String> extra) {
        Map<String, String> all = new HashMap<>(extra);
        all.putIfAbsent("epoll", EPOLL);
        return new TransportConfig(ioThreads, MAX_FRAME_BYTES, outboundBytesMax, handshakeTimeoutMs, all);
    }

    static Transport transport(TransportConfig config) {
        return new NettyTransportProvider().create(config, System::nanoTime);
    }

    static Transport transport() {
        return transport(config(1024 * 1024, 5_000));
    }
}
