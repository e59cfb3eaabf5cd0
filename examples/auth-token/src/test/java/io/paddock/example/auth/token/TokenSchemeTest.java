package io.paddock.example.auth.token;

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

class TokenSchemeTest {
    private static final InetSocketAddress REMOTE = new InetSocketAddress("127.0.0.1", 40000);

    private static AuthScheme scheme(String tokens) {
        return new TokenAuthProvider().create(Map.of("tokens", tokens));
    }

    private static List<Id> auth(AuthScheme s, String secret) {
        return s.authenticate(REMOTE, secret.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aConfiguredTokenGivesItsName() {
        AuthScheme s = scheme("ci:s3cret, ops : 0ther:with:colons");
        assertEquals("token", s.scheme());
        assertEquals(List.of(new Id("token", "ci")), auth(s, "s3cret"));
        assertEquals(List.of(new Id("token", "ops")), auth(s, "0ther:with:colons"));
    }

    @Test
    void anythingElseIsRejected() {
        AuthScheme s = scheme("ci:s3cret");
        assertEquals(List.of(), auth(s, "s3cre"));
        assertEquals(List.of(), auth(s, "ci"));
        assertEquals(List.of(), auth(s, ""));
        assertEquals(List.of(), s.authenticate(REMOTE, null));
        assertEquals(List.of(), auth(new TokenAuthProvider().create(Map.of()), "s3cret"));
    }

    @Test
    void aclIdsAreNamesMatchedExactly() {
        AuthScheme s = scheme("ci:s3cret");
        assertTrue(s.isValid("ci"));
        assertTrue(s.isValid("not-configured-yet"));
        assertFalse(s.isValid(""));
        assertFalse(s.isValid("ci:s3cret"));
        assertFalse(s.isValid("a b"));
        assertTrue(s.matches("ci", "ci"));
        assertFalse(s.matches("ci", "CI"));
        assertTrue(s.isAuthenticated());
    }

    @Test
    void malformedSettingsFailWithoutShowingTheToken() {
        for (String bad : List.of("ci", "ci:", ":Xq7", "c i:Xq7", "ci:Xq7,ci:Wv8", "ci:Zz9,ops:Zz9")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> scheme(bad), bad);
            assertFalse(e.getMessage().matches(".*(Xq7|Wv8|Zz9).*"), e.getMessage());
        }
    }
}
