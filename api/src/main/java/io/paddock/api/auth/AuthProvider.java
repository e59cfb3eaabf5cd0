package io.paddock.api.auth;

import java.util.Map;

/** ServiceLoader entry point of an ACL scheme plugin. The no-arg constructor does no I/O. */
public interface AuthProvider {
    /** The scheme name as it appears in ACLs and auth packets, e.g. {@code digest}. */
    String name();

    /**
     * Builds the scheme. {@code settings} holds the config keys addressed to it, with ZooKeeper's names where they
     * exist (for example {@code DigestAuthenticationProvider.superDigest}), prefix removed as the provider documents.
     */
    AuthScheme create(Map<String, String> settings);
}
