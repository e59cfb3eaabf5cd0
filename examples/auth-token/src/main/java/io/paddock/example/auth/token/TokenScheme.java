package io.paddock.example.auth.token;

import io.paddock.api.Id;
import io.paddock.api.auth.AuthScheme;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code token} scheme. {@code addauth token <secret>} succeeds when the secret is one of the configured tokens,
 * and the session gains the id {@code token:<name>} of that token; an ACL entry {@code token:<name>:cdrwa} grants it.
 *
 * <p>The SPI's promises, as every scheme must keep them: thread-safe (immutable here), no blocking I/O, and a
 * malformed id never throws, it is just invalid and never matches. Tokens are kept only as SHA-256 hashes and
 * compared in constant time, and nothing is logged.
 */
final class TokenScheme implements AuthScheme {
    static final String NAME = "token";
    private static final Pattern NAME_SYNTAX = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private record Entry(byte[] tokenHash, String name) {}

    private final List<Entry> entries = new ArrayList<>();

    TokenScheme(Map<String, String> tokenToName) {
        tokenToName.forEach((token, name) -> entries.add(new Entry(sha256(token.getBytes(StandardCharsets.UTF_8)),
                name)));
    }

    static boolean isName(String s) {
        return s != null && NAME_SYNTAX.matcher(s).matches();
    }

    @Override
    public String scheme() {
        return NAME;
    }

    /** An empty list rejects the credentials: the server answers AUTHFAILED and closes the connection. */
    @Override
    public List<Id> authenticate(InetSocketAddress remote, byte[] credentials) {
        if (credentials == null || credentials.length == 0) {
            return List.of();
        }
        byte[] hash = sha256(credentials);
        String found = null;
        for (Entry e : entries) {
            // look at every entry, so the time taken does not tell which one matched
            if (MessageDigest.isEqual(e.tokenHash, hash)) {
                found = e.name;
            }
        }
        return found == null ? List.of() : List.of(new Id(NAME, found));
    }

    @Override
    public boolean matches(String held, String aclId) {
        return held != null && held.equals(aclId);
    }

    /** Any well-formed name, configured or not, so an ACL may name a token that is added later. */
    @Override
    public boolean isValid(String aclId) {
        return isName(aclId);
    }

    /** Yes: a token proves who the caller is, so {@code auth} ACLs (CREATOR_ALL_ACL) expand to token ids. */
    @Override
    public boolean isAuthenticated() {
        return true;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
