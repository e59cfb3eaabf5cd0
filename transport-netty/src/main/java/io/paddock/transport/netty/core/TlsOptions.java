package io.paddock.transport.netty.core;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * ZooKeeper's {@code ssl.*} settings for a TLS listener (or {@code ssl.quorum.*} for the peer links), parsed but not
 * loaded: the stores are still file names.
 *
 * @param keyPrefix                  how the keys are spelled in messages: {@code transport.ssl.} or
 *                                   {@code transport.ssl.quorum.}
 * @param keyStore                   the server's key and certificate chain; {@code null} when TLS is not configured
 * @param trustStore                 the CAs client certificates are checked against; {@code null} = the JDK's default
 * @param clientAuth                 {@code ssl.clientAuth}; ZooKeeper's default is {@link ClientAuthMode#NEED}
 * @param hostnameVerification       {@code ssl.hostnameVerification}, default true
 * @param clientHostnameVerification {@code ssl.clientHostnameVerification}, default true; with the one above it makes
 *                                   the server check a client certificate against the client's IP address
 * @param protocol                   {@code ssl.protocol}, or {@code null} for the newest the JDK has (TLSv1.3)
 * @param enabledProtocols           {@code ssl.enabledProtocols}; empty = derived from {@code protocol}
 * @param cipherSuites               {@code ssl.ciphersuites}; empty = Netty's defaults for the JDK provider
 */
public record TlsOptions(
        String keyPrefix,
        Store keyStore,
        Store trustStore,
        ClientAuthMode clientAuth,
        boolean hostnameVerification,
        boolean clientHostnameVerification,
        String protocol,
        List<String> enabledProtocols,
        List<String> cipherSuites) {

    public TlsOptions {
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        Objects.requireNonNull(clientAuth, "clientAuth");
        enabledProtocols = List.copyOf(enabledProtocols);
        cipherSuites = List.copyOf(cipherSuites);
    }

    /** Whether a key store is configured, so that a secure listener can be opened. */
    public boolean configured() {
        return keyStore != null;
    }

    /** The protocols to enable, given the newest protocol the JDK supports (used when none is configured). */
    public List<String> protocolsToEnable(String newestSupported) {
        if (!enabledProtocols.isEmpty()) {
            return enabledProtocols;
        }
        String chosen = protocol != null ? protocol : newestSupported;
        // as ZooKeeper 3.9: asking for TLSv1.3 still lets TLSv1.2 clients in
        return chosen.equals("TLSv1.3") ? List.of("TLSv1.3", "TLSv1.2") : List.of(chosen);
    }

    /** {@code ssl.clientAuth}: none, want or need (ZooKeeper's names). */
    public enum ClientAuthMode {
        NONE, WANT, NEED;

        static ClientAuthMode parse(String key, String value) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Invalid value '" + value + "' for " + key
                        + ": expected none, want or need", e);
            }
        }
    }

    /** The key store formats ZooKeeper accepts that the JDK can read without an extra provider. */
    public enum StoreType {
        JKS, PKCS12, PEM;

        /** {@code ssl.*.type}, case-insensitive. BCFKS needs BouncyCastle, which this plugin does not ship. */
        static StoreType parse(String key, String value) {
            String upper = value.trim().toUpperCase(Locale.ROOT);
            try {
                return valueOf(upper);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Invalid value '" + value + "' for " + key
                        + ": expected JKS, PKCS12 or PEM" + (upper.equals("BCFKS")
                                ? " (BCFKS needs the BouncyCastle provider, which transport-netty does not ship)"
                                : ""), e);
            }
        }

        /** ZooKeeper's rule when no type is given: the file name's extension; {@code null} if it says nothing. */
        static StoreType fromFileName(String location) {
            String name = location.toLowerCase(Locale.ROOT);
            if (name.endsWith(".jks")) {
                return JKS;
            }
            if (name.endsWith(".p12") || name.endsWith(".pfx")) {
                return PKCS12;
            }
            if (name.endsWith(".pem")) {
                return PEM;
            }
            return null;
        }
    }

    /**
     * One store: where it is, how to open it. {@code passwordPath} names a file holding the password (ZooKeeper's
     * {@code ssl.*.passwordPath}); at most one of it and {@code password} is set.
     *
     * @param key the config key of the location, for error messages ({@code ssl.keyStore.location})
     */
    public record Store(String key, String location, StoreType type, String password, String passwordPath) {
        public Store {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(type, "type");
        }

        /** Never shows the password. */
        @Override
        public String toString() {
            return "Store[" + key + "=" + location + ", type=" + type + ", password="
                    + (password != null ? "(set)" : passwordPath != null ? "from " + passwordPath : "(none)") + "]";
        }
    }
}
