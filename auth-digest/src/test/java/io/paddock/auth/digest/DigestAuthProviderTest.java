package io.paddock.auth.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.api.Id;
import io.paddock.api.auth.AuthScheme;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DigestAuthProviderTest {
    private static final InetSocketAddress REMOTE = new InetSocketAddress("127.0.0.1", 40000);
    private static final String SUPER_ID = "super:xQJmxLMiHGwaqBvst5y6rkB6HQs=";

    private static List<Id> auth(AuthScheme scheme, String credentials) {
        return scheme.authenticate(REMOTE, credentials.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void isNamedDigestAndNeedsNoSettings() {
        DigestAuthProvider provider = new DigestAuthProvider();
        assertEquals("digest", provider.name());
        AuthScheme scheme = provider.create(Map.of());
        assertEquals("digest", scheme.scheme());
        assertEquals(List.of(new Id("digest", "user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY=")), auth(scheme, "user:password"));
    }

    @Test
    void readsTheSuperDigestUnderZooKeepersNameAsDistroPassesIt() {
        AuthScheme scheme = new DigestAuthProvider().create(
                Map.of("DigestAuthenticationProvider.superDigest", SUPER_ID));
        assertTrue(auth(scheme, "super:admin").contains(Id.SUPER));
    }

    @Test
    void readsTheSuperDigestUnderItsShortName() {
        AuthScheme scheme = new DigestAuthProvider().create(Map.of("superDigest", SUPER_ID));
        assertTrue(auth(scheme, "super:admin").contains(Id.SUPER));
    }

    @Test
    void bothNamesWithTheSameValueAreFineButDifferentValuesAreAnError() {
        new DigestAuthProvider().create(Map.of("superDigest", SUPER_ID,
                "DigestAuthenticationProvider.superDigest", SUPER_ID));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DigestAuthProvider().create(Map.of("superDigest", SUPER_ID,
                        "DigestAuthenticationProvider.superDigest", "super:other")));
        assertFalse(e.getMessage().contains("xQJm"), "no credential in messages: " + e.getMessage());
    }

    @Test
    void aMalformedSuperDigestIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new DigestAuthProvider().create(Map.of("superDigest", "nocolon")));
        assertThrows(IllegalArgumentException.class,
                () -> new DigestAuthProvider().create(Map.of("superDigest", "super:")));
    }

    @Test
    void honoursDigestAlg() {
        AuthScheme scheme = new DigestAuthProvider().create(Map.of("DigestAuthenticationProvider.digestAlg",
                "SHA-256"));
        assertEquals("user:yRsdas04PETE7CDJcj51jDEYKh9PAjHWPZElmi6hS50=", auth(scheme, "user:password").get(0).id());
        assertThrows(IllegalArgumentException.class,
                () -> new DigestAuthProvider().create(Map.of("digestAlg", "MD-nothing")));
    }

    @Test
    void enabledFalseRejectsEveryCredential() {
        AuthScheme scheme = new DigestAuthProvider().create(Map.of("DigestAuthenticationProvider.enabled", "false"));
        assertEquals(List.of(), auth(scheme, "user:password"));
        assertFalse(scheme.isValid("user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY="));
        AuthScheme on = new DigestAuthProvider().create(Map.of("enabled", "true"));
        assertEquals(1, auth(on, "user:password").size());
        assertThrows(IllegalArgumentException.class,
                () -> new DigestAuthProvider().create(Map.of("enabled", "maybe")));
    }

    @Test
    void ignoresOtherSchemesSettings() {
        AuthScheme scheme = new DigestAuthProvider().create(Map.of("IPAuthenticationProvider.usexforwardedfor",
                "true", "tokens", "a:b"));
        assertEquals(1, auth(scheme, "user:password").size());
    }
}
