package io.paddock.auth.digest.internal;

import io.paddock.api.Id;
import io.paddock.api.auth.AuthScheme;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * ZooKeeper's {@code digest} scheme (WIRE-PROTOCOL.md §8.3, §8.4). Credentials {@code user:password} become the id
 * {@code user:base64(hash(user:password))}: the hash covers the whole string, the user is everything before the first
 * {@code ':'}, base64 is the standard alphabet with padding. ACL ids match by exact string equality.
 *
 * <p>Departs from ZooKeeper on purpose in one place: credentials without a {@code ':'}, or with an empty user name,
 * are rejected (ZooKeeper accepts them and makes up an id such as {@code foo:hash(foo)}).
 *
 * <p>Holds no secret but the configured super digest, which is itself a hash. Nothing here logs.
 */
public final class DigestScheme implements AuthScheme {
    public static final String NAME = "digest";
    /** ZooKeeper's default; the JDK knows it as an alias of SHA-1. */
    public static final String ALGORITHM_DEFAULT = "SHA1";

    private final String algorithm;
    private final byte[] superDigest;
    private final boolean enabled;

    /**
     * @param algorithm   a {@link MessageDigest} algorithm name
     * @param superDigest the id whose holder also gets {@link Id#SUPER}, or null for no super user
     * @param enabled     false behaves as if the scheme were not installed: no credentials are accepted, no ACL id is
     *                    valid and none matches
     * @throws IllegalArgumentException if the JDK does not know {@code algorithm}
     */
    public DigestScheme(String algorithm, String superDigest, boolean enabled) {
        this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
        try {
            MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("DigestAuthenticationProvider.digestAlg: this JVM has no message"
                    + " digest named '" + algorithm + "' (ZooKeeper's default is SHA1)", e);
        }
        this.superDigest = superDigest == null ? null : superDigest.getBytes(StandardCharsets.UTF_8);
        this.enabled = enabled;
    }

    @Override
    public String scheme() {
        return NAME;
    }

    @Override
    public List<Id> authenticate(InetSocketAddress remote, byte[] credentials) {
        if (!enabled || credentials == null) {
            return List.of();
        }
        // ZooKeeper decodes the packet to a String and hashes that string's UTF-8 bytes; so do we, so that invalid
        // UTF-8 hashes the same on both.
        String userPassword = new String(credentials, StandardCharsets.UTF_8);
        int colon = userPassword.indexOf(':');
        if (colon <= 0) {
            return List.of();
        }
        String id = userPassword.substring(0, colon) + ":" + hash(userPassword);
        Id digest = new Id(NAME, id);
        // constant time: the super digest is the one secret here
        if (superDigest != null && MessageDigest.isEqual(superDigest, id.getBytes(StandardCharsets.UTF_8))) {
            return List.of(Id.SUPER, digest);
        }
        return List.of(digest);
    }

    /** ZooKeeper's rule: exactly two parts when split on {@code ':'}, trailing empty parts dropped. */
    @Override
    public boolean isValid(String aclId) {
        return enabled && aclId != null && aclId.split(":").length == 2;
    }

    @Override
    public boolean matches(String held, String aclId) {
        return enabled && held != null && held.equals(aclId);
    }

    @Override
    public boolean isAuthenticated() {
        return true;
    }

    @Override
    public String userName(String held) {
        int colon = held.indexOf(':');
        return colon < 0 ? held : held.substring(0, colon);
    }

    /** {@code base64(hash(utf8(userPassword)))} with the configured algorithm. */
    public String hash(String userPassword) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("checked in the constructor", e);
        }
        return Base64.getEncoder().encodeToString(md.digest(userPassword.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public String toString() {
        // never the super digest
        return "DigestScheme[" + algorithm + (enabled ? "" : ", disabled") + (superDigest == null ? "" : ", super")
                + "]";
    }
}
