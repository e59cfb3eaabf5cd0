package io.paddock.auth.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.api.auth.AuthScheme;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IpAuthProviderTest {
    @Test
    void isNamedIpAndIgnoresSettings() {
        IpAuthProvider provider = new IpAuthProvider();
        assertEquals("ip", provider.name());
        AuthScheme scheme = provider.create(Map.of("DigestAuthenticationProvider.superDigest", "super:x"));
        assertEquals("ip", scheme.scheme());
        assertTrue(scheme.matches("10.0.0.1", "10.0.0.0/8"));
    }
}
