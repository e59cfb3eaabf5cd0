package io.paddock.transport.netty;

import io.paddock.api.transport.TransportProvider;
import io.paddock.transport.testkit.TransportContractTest;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The shared transport contract (transport-nio's test-jar) run against the {@code netty} provider: on native epoll
 * where it loads, and once more on java.nio channels (the pom's {@code nio-channels} run sets
 * {@code -Dpaddock.test.epoll=false}). Every buffer is leak-checked.
 */
@ExtendWith(NettyLeaks.class)
class NettyTransportContractTest extends TransportContractTest {
    @Override
    protected TransportProvider provider() {
        return new NettyTransportProvider();
    }

    @Override
    protected String expectedName() {
        return "netty";
    }

    @Override
    protected Map<String, String> extra() {
        return Map.of("epoll", NettyTestSupport.EPOLL);
    }
}
