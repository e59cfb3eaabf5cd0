package io.paddock.auth.digest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.api.Id;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DigestSchemeTest {
    private static final InetSocketAddress REMOTE = new InetSocketAddress("127.0.0.1", 40000);
    private static final String USER_ID = "user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY=";
    private static final String SUPER_ID = "super:xQJmxLMiHGwaqBvst5y6rkB6HQs=";

    private static List<Id> auth(DigestScheme scheme, String credentials) {
        return scheme.authenticate(REMOTE, credentials.getBytes(StandardCharsets.UTF_8));
    }

    private static DigestScheme plain() {
        return new DigestScheme(DigestScheme.ALGORITHM_DEFAULT, null, true);
    }

    @Test
    void credentialsBecomeUserColonBase64OfSha1OfTheWholeString() {
        assertEquals(List.of(new Id("digest", USER_ID)), auth(plain(), "user:password"));
        assertEquals(List.of(new Id("digest", SUPER_ID)), auth(plain(), "super:admin"));
    }

    @Test
    void theUserEndsAtTheFirstColonAndThePasswordMayHoldMore() {
        List<Id> ids = auth(plain(), "bob:pa:ss:");
        assertEquals(1, ids.size());
        assertEquals("bob:" + plain().hash("bob:pa:ss:"), ids.get(0).id());
        assertEquals("bob", plain().userName(ids.get(0).id()));
    }

    @Test
    void anEmptyPasswordIsAcceptedAsZooKeeperDoes() {
        assertEquals(List.of(new Id("digest", "user:" + plain().hash("user:"))), auth(plain(), "user:"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "nocolon", ":password", ":"})
    void credentialsWithoutAUserAreRejected(String credentials) {
        assertEquals(List.of(), auth(plain(), credentials));
    }

    @Test
    void nullCredentialsAreRejected() {
        assertEquals(List.of(), plain().authenticate(REMOTE, null));
    }

    @Test
    void theSuperDigestAlsoGrantsSuper() {
        DigestScheme scheme = new DigestScheme("SHA1", SUPER_ID, true);
        assertEquals(List.of(Id.SUPER, new Id("digest", SUPER_ID)), auth(scheme, "super:admin"));
        assertEquals(List.of(new Id("digest", USER_ID)), auth(scheme, "user:password"));
        assertEquals(List.of(new Id("digest", "super:" + scheme.hash("super:wrong"))), auth(scheme, "super:wrong"));
    }

    @Test
    void withoutASuperDigestNobodyIsSuper() {
        assertEquals(List.of(new Id("digest", SUPER_ID)), auth(plain(), "super:admin"));
    }

    @Test
    void anotherAlgorithmChangesTheHash() {
        DigestScheme sha256 = new DigestScheme("SHA-256", null, true);
        String id = auth(sha256, "user:password").get(0).id();
        assertEquals("user:yRsdas04PETE7CDJcj51jDEYKh9PAjHWPZElmi6hS50=", id);
    }

    @Test
    void anUnknownAlgorithmFailsAtCreation() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DigestScheme("NO-SUCH-HASH", null, true));
        assertTrue(e.getMessage().contains("digestAlg"), e.getMessage());
    }

    @Test
    void aDisabledSchemeAcceptsNothingValidatesNothingAndMatchesNothing() {
        DigestScheme off = new DigestScheme("SHA1", SUPER_ID, false);
        assertEquals(List.of(), auth(off, "super:admin"));
        assertFalse(off.isValid(USER_ID));
        assertFalse(off.matches(USER_ID, USER_ID));
    }

    @ParameterizedTest
    @ValueSource(strings = {USER_ID, "a:b", ":hash", "a:b:", "user:anything-at-all"})
    void idsThatSplitIntoTwoPartsAreValid(String id) {
        assertTrue(plain().isValid(id), id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "user", "user:", ":", "::", "a:b:c", "a::b"})
    void idsThatDoNotSplitIntoTwoPartsAreInvalid(String id) {
        assertFalse(plain().isValid(id), id);
    }

    @Test
    void matchingIsExactStringEquality() {
        DigestScheme s = plain();
        assertTrue(s.matches(USER_ID, USER_ID));
        assertFalse(s.matches(USER_ID, "user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY"));
        assertFalse(s.matches(USER_ID, "USER:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY="));
        assertFalse(s.matches(USER_ID, "user:x"));
        assertFalse(s.matches(USER_ID, null));
    }

    @Test
    void digestIdsCountAsAuthenticated() {
        assertTrue(plain().isAuthenticated());
        assertEquals("digest", plain().scheme());
    }

    @Test
    void toStringNeverShowsTheSuperDigest() {
        assertFalse(new DigestScheme("SHA1", SUPER_ID, true).toString().contains("xQJm"));
    }
}
