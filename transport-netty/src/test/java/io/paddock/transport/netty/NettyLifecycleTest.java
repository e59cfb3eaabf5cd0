package io.paddock.transport.netty;

import static io.paddock.transport.netty.NettyTestSupport.config;
import static io.paddock.transport.testkit.TransportTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.epoll.Epoll;
import io.paddock.api.transport.Transport;
import io.paddock.transport.netty.internal.NettyTransport;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** What only the netty transport has at start: the choice of native epoll. The shared lifecycle is in the kit. */
@Timeout(20)
@ExtendWith(NettyLeaks.class)
class NettyLifecycleTest {

    private static boolean noNettyThreadLeft() {
        return Thread.getAllStackTraces().keySet().stream()
                .noneMatch(thread -> thread.isAlive() && thread.getName().startsWith("paddock-netty-"));
    }

    @Test
    void epollIsUsedWhereAvailableUnlessTurnedOff() throws Exception {
        try (Transport auto = NettyTestSupport.transport(config(1, 4096, 5_000, Map.of("epoll", "auto")));
                Transport off = NettyTestSupport.transport(config(1, 4096, 5_000, Map.of("epoll", "false")))) {
            assertEquals(Epoll.isAvailable(), ((NettyTransport) auto).usesEpoll(),
                    () -> "epoll unavailable: " + Epoll.unavailabilityCause());
            assertFalse(((NettyTransport) off).usesEpoll());
        }
        if (!Epoll.isAvailable()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NettyTestSupport.transport(config(1, 4096, 5_000, Map.of("epoll", "true"))));
            assertTrue(e.getMessage().contains("transport.epoll"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class,
                () -> NettyTestSupport.transport(config(1, 4096, 5_000, Map.of("epoll", "maybe"))));
        await("every paddock-netty thread to end", NettyLifecycleTest::noNettyThreadLeft);
    }
}
