package io.paddock.transport.nio;

import static io.paddock.transport.testkit.TransportTestSupport.LOOPBACK_ANY_PORT;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.api.transport.Transport;
import io.paddock.api.transport.TransportConfig;
import io.paddock.transport.testkit.TransportTestSupport.RecordingHandler;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What only transport-nio promises at start: it has no TLS, and says so clearly. The shared part is in the kit. */
@Timeout(20)
class NioLifecycleTest {

    private static Transport transport(Map<String, String> extra) {
        return new NioTransportProvider().create(new TransportConfig(1, 64 * 1024, 1024 * 1024, 5_000, extra),
                System::nanoTime);
    }

    @Test
    void secureClientPortIsRefusedWithAMessageNamingTheTransport() throws Exception {
        try (Transport transport = transport(Map.of())) {
            IOException e = assertThrows(IOException.class,
                    () -> transport.listenForSecureClients(LOOPBACK_ANY_PORT, 0, 0, new RecordingHandler()));
            assertTrue(e.getMessage().contains("transport nio has no TLS"), e.getMessage());
            assertTrue(e.getMessage().contains("transport=netty"), e.getMessage());
        }
    }

    @Test
    void sslQuorumFailsAtStartNamingNetty() {
        for (String on : new String[] {"true", "TRUE", " yes "}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> transport(Map.of("sslQuorum", on)));
            assertTrue(e.getMessage().startsWith("sslQuorum needs transport=netty"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> transport(Map.of("sslQuorum", "maybe")));
        transport(Map.of("sslQuorum", "false")).close(); // off: a plain transport, as without the key
    }
}
