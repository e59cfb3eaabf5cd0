package io.paddock.distro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.api.transport.Transport;
import io.paddock.api.transport.TransportConfig;
import io.paddock.api.transport.TransportProvider;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProviderRegistryTest {

    /** A provider that is never asked to build anything: selection only looks at names. */
    private record FakeTransport(String name) implements TransportProvider {
        @Override
        public Transport create(TransportConfig config, io.paddock.api.time.Ticker ticker,
                io.paddock.api.transport.ConfigFiles files) {
            throw new UnsupportedOperationException("fake");
        }
    }

    private static Plugins.Registry<TransportProvider> registry(TransportProvider... providers) {
        return Plugins.Registry.of("transport", "transport", Arrays.asList(providers), TransportProvider::name);
    }

    @Test
    void selectsTheProviderWithTheConfiguredName() {
        FakeTransport nio = new FakeTransport("nio");
        FakeTransport netty = new FakeTransport("netty");
        assertSame(netty, registry(nio, netty).select("netty"));
        assertSame(nio, registry(nio, netty).select("nio"));
    }

    @Test
    void missingNameFailsWithTheAvailableNames() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> registry(new FakeTransport("nio"), new FakeTransport("epoll")).select("netty"));
        assertTrue(e.getMessage().contains("'netty'"), e.getMessage());
        assertTrue(e.getMessage().contains("transport=netty"), e.getMessage());
        assertTrue(e.getMessage().contains("Available: epoll, nio"), e.getMessage());
    }

    @Test
    void missingNameWithNoProvidersSaysNone() {
        ConfigException e = assertThrows(ConfigException.class, () -> registry().select("nio"));
        assertTrue(e.getMessage().contains("Available: none"), e.getMessage());
    }

    @Test
    void twoProvidersWithTheSameNameFailAtDiscovery() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> registry(new FakeTransport("nio"), new FakeTransport("netty"), new FakeTransport("nio")));
        assertTrue(e.getMessage().contains("Two transport providers are named 'nio'"), e.getMessage());
        assertTrue(e.getMessage().contains(FakeTransport.class.getName()), e.getMessage());
    }

    @Test
    void providerWithoutANameFailsAtDiscovery() {
        ConfigException e = assertThrows(ConfigException.class, () -> registry(new FakeTransport(" ")));
        assertTrue(e.getMessage().contains("has no name()"), e.getMessage());
    }

    @Test
    void namesAreCaseSensitiveLikeZooKeeperSchemeNames() {
        assertThrows(ConfigException.class, () -> registry(new FakeTransport("nio")).select("NIO"));
    }

    @Test
    void selectAllWithoutNamesReturnsEveryProvider() {
        Plugins.Registry<TransportProvider> r = registry(new FakeTransport("b"), new FakeTransport("a"));
        assertEquals(Set.of("a", "b"), r.selectAll(null).keySet());
        assertEquals(Set.of("a", "b"), r.names());
    }

    @Test
    void selectAllKeepsTheConfiguredOrderAndFailsOnAMissingName() {
        Plugins.Registry<TransportProvider> r = registry(new FakeTransport("a"), new FakeTransport("b"));
        assertEquals(List.of("b", "a"), List.copyOf(r.selectAll(List.of("b", "a")).keySet()));
        assertEquals(Set.of(), r.selectAll(List.of()).keySet());
        ConfigException e = assertThrows(ConfigException.class, () -> r.selectAll(List.of("a", "c")));
        assertTrue(e.getMessage().contains("Available: a, b"), e.getMessage());
    }
}
