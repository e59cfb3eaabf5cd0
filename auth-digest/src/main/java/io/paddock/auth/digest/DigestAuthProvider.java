package io.paddock.auth.digest;

import io.paddock.api.auth.AuthProvider;
import io.paddock.api.auth.AuthScheme;
import io.paddock.auth.digest.internal.DigestScheme;
import java.util.Locale;
import java.util.Map;

/**
 * Provides the {@code digest} scheme: {@code addauth digest user:password} gives the id
 * {@code user:base64(sha1(user:password))}. Settings (see {@code auth-digest/README.md}) are read under ZooKeeper's
 * names, as distro hands them over, or under the short names of {@code auth.digest.*}.
 */
public final class DigestAuthProvider implements AuthProvider {
    static final String ZK_PREFIX = "DigestAuthenticationProvider.";
    static final String SUPER_DIGEST = "superDigest";
    static final String DIGEST_ALG = "digestAlg";
    static final String ENABLED = "enabled";

    @Override
    public String name() {
        return DigestScheme.NAME;
    }

    /** @throws IllegalArgumentException if a setting is malformed; the message names the key but never a secret */
    @Override
    public AuthScheme create(Map<String, String> settings) {
        String superDigest = setting(settings, SUPER_DIGEST, false);
        if (superDigest != null) {
            int colon = superDigest.indexOf(':');
            if (colon <= 0 || colon == superDigest.length() - 1) {
                throw new IllegalArgumentException(ZK_PREFIX + SUPER_DIGEST
                        + " must be user:base64(hash(user:password)), as ZooKeeper's DigestAuthenticationProvider"
                        + " prints it");
            }
        }
        String algorithm = setting(settings, DIGEST_ALG, true);
        String enabled = setting(settings, ENABLED, true);
        return new DigestScheme(algorithm == null ? DigestScheme.ALGORITHM_DEFAULT : algorithm, superDigest,
                enabled == null || bool(enabled));
    }

    /**
     * The value under the ZooKeeper name or the short name; both with different values is an error. The super digest
     * is a credential, so its value stays out of the message.
     */
    private static String setting(Map<String, String> settings, String shortName, boolean showValue) {
        String zk = trimmed(settings.get(ZK_PREFIX + shortName));
        String mine = trimmed(settings.get(shortName));
        if (zk != null && mine != null && !zk.equals(mine)) {
            throw new IllegalArgumentException("Conflicting values for " + ZK_PREFIX + shortName + " and auth.digest."
                    + shortName + (showValue ? " ('" + zk + "' and '" + mine + "')" : "")
                    + ": they are the same setting");
        }
        return zk != null ? zk : mine;
    }

    private static String trimmed(String value) {
        if (value == null) {
            return null;
        }
        String t = value.trim();
        return t.isEmpty() ? null : t;
    }

    private static boolean bool(String value) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "true":
            case "yes":
                return true;
            case "false":
            case "no":
                return false;
            default:
                throw new IllegalArgumentException("Invalid value '" + value + "' for " + ZK_PREFIX + ENABLED
                        + ": expected true or false");
        }
    }
}
