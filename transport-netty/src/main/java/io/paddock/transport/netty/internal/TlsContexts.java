package io.paddock.transport.netty.internal;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import io.paddock.transport.netty.core.TlsOptions;
import io.paddock.transport.netty.core.TlsOptions.Store;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Builds the {@link SslContext}s of the secure client port (server side) and of the peer links (server side for the
 * peer port, client side for dialled links) from ZooKeeper's {@code ssl.*} / {@code ssl.quorum.*} settings. The JDK's
 * TLS engine is used (no tcnative), so it runs the same on the module path and on every platform.
 *
 * <p>Every failure is an {@link IllegalArgumentException} whose message names the config key and the file, raised
 * while the transport is created, before the port is bound.
 */
final class TlsContexts {
    private static final String NEWEST_PROTOCOL_FALLBACK = "TLSv1.2";

    /** Which end of which kind of connection a context is for. */
    enum Role {
        /** The secure client port: {@code ssl.clientAuth} as configured. */
        CLIENT_PORT("the secure client port"),
        /** The peer port: a dialling peer must present a certificate. */
        PEER_PORT("the peer port (sslQuorum)"),
        /** A dialled peer link: presents this server's certificate and checks the peer's against the address. */
        PEER_DIAL("dialled peer links (sslQuorum)");

        private final String what;

        Role(String what) {
            this.what = what;
        }
    }

    private TlsContexts() {}

    static SslContext server(TlsOptions options, KeyMaterialOpener files) {
        return build(options, files, Role.CLIENT_PORT);
    }

    static SslContext build(TlsOptions options, KeyMaterialOpener files, Role role) {
        Store keyStore = options.keyStore();
        char[] keyPassword = password(keyStore, files);
        boolean serverSide = role != Role.PEER_DIAL;
        SslContextBuilder builder;
        if (keyStore.type() == TlsOptions.StoreType.PEM) {
            byte[] pem = read(keyStore, files);
            String password = keyPassword == null || keyPassword.length == 0 ? null : new String(keyPassword);
            try {
                // one file holds the private key and the certificate chain, as ZooKeeper's PEM key stores do
                builder = serverSide
                        ? SslContextBuilder.forServer(new ByteArrayInputStream(pem), new ByteArrayInputStream(pem),
                                password)
                        : SslContextBuilder.forClient().keyManager(new ByteArrayInputStream(pem),
                                new ByteArrayInputStream(pem), password);
            } catch (IllegalArgumentException e) {
                throw unusable(keyStore, "no private key and certificate chain in it, or a wrong password", e);
            }
        } else {
            KeyStore store = load(keyStore, keyPassword, files);
            try {
                KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(store, keyPassword);
                builder = serverSide ? SslContextBuilder.forServer(keys) : SslContextBuilder.forClient().keyManager(keys);
            } catch (UnrecoverableKeyException e) {
                throw unusable(keyStore, "the private key's password differs from the store's", e);
            } catch (GeneralSecurityException e) {
                throw unusable(keyStore, e.toString(), e);
            }
        }
        builder.sslProvider(SslProvider.JDK).protocols(options.protocolsToEnable(newestProtocol()));
        switch (role) {
            case CLIENT_PORT:
                builder.clientAuth(clientAuth(options.clientAuth()));
                if (options.clientAuth() != TlsOptions.ClientAuthMode.NONE) {
                    builder.trustManager(trustManager(options, files, true));
                }
                break;
            case PEER_PORT:
                builder.clientAuth(ClientAuth.REQUIRE).trustManager(trustManager(options, files, true));
                break;
            default:
                // the JDK's own check of the name or IP literal the link was dialled with (the engine's peer host),
                // against the certificate's subject alternative names; it never looks a name up
                builder.trustManager(trustManager(options, files, false))
                        .endpointIdentificationAlgorithm(options.hostnameVerification() ? "HTTPS" : null);
                break;
        }
        if (!options.cipherSuites().isEmpty()) {
            builder.ciphers(options.cipherSuites(), IdentityCipherSuiteFilter.INSTANCE);
        }
        SslContext context;
        try {
            context = builder.build();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("Cannot build the TLS context of " + role.what + " from "
                    + keyStore.location() + ": " + e.getMessage(), e);
        }
        checkEngine(context, options);
        return context;
    }

    /** Unsupported protocols or cipher suites only show when an engine is made: make one now, not per connection. */
    private static void checkEngine(SslContext context, TlsOptions options) {
        SSLEngine engine;
        try {
            engine = context.newEngine(ByteBufAllocator.DEFAULT);
        } catch (RuntimeException e) {
            String prefix = options.keyPrefix();
            throw new IllegalArgumentException("Invalid TLS settings (" + prefix + "protocol " + options.protocol()
                    + ", " + prefix + "enabledProtocols " + options.enabledProtocols() + ", " + prefix
                    + "ciphersuites " + options.cipherSuites() + "): " + e.getMessage(), e);
        }
        try {
            if (engine.getEnabledCipherSuites().length == 0) {
                throw new IllegalArgumentException("No usable cipher suite among " + options.keyPrefix()
                        + "ciphersuites " + options.cipherSuites());
            }
        } finally {
            ReferenceCountUtil.release(engine);
        }
    }

    /**
     * The chain check against the trust store; with {@code checkClientAddress} (the accepting side) and hostname
     * verification on, also the check of the other side's certificate against its IP address.
     */
    private static TrustManager trustManager(TlsOptions options, KeyMaterialOpener files, boolean checkClientAddress) {
        Store trust = options.trustStore();
        KeyStore store = null; // null: the JDK's default CAs, as ZooKeeper does without a trust store
        if (trust != null) {
            store = trust.type() == TlsOptions.StoreType.PEM ? pemTrustStore(trust, files)
                    : load(trust, password(trust, files), files);
        }
        X509ExtendedTrustManager chainCheck;
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            chainCheck = Arrays.stream(factory.getTrustManagers())
                    .filter(X509ExtendedTrustManager.class::isInstance).map(X509ExtendedTrustManager.class::cast)
                    .findFirst().orElseThrow(() -> new IllegalStateException("the JDK has no X.509 trust manager"));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("Cannot use the trust store "
                    + (trust == null ? "(JDK default)" : trust.location()) + ": " + e, e);
        }
        return checkClientAddress && options.hostnameVerification() && options.clientHostnameVerification()
                ? new ClientAddressTrustManager(chainCheck) : chainCheck;
    }

    private static KeyStore pemTrustStore(Store trust, KeyMaterialOpener files) {
        try {
            CertificateFactory x509 = CertificateFactory.getInstance("X.509");
            List<? extends Certificate> certificates = List.copyOf(
                    x509.generateCertificates(new ByteArrayInputStream(read(trust, files))));
            if (certificates.isEmpty()) {
                throw unusable(trust, "no certificate in it", null);
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < certificates.size(); i++) {
                store.setCertificateEntry("ca-" + i, certificates.get(i));
            }
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw unusable(trust, "not PEM certificates: " + e.getMessage(), e);
        }
    }

    private static KeyStore load(Store store, char[] password, KeyMaterialOpener files) {
        byte[] bytes = read(store, files);
        try {
            KeyStore keyStore = KeyStore.getInstance(store.type().name());
            keyStore.load(new ByteArrayInputStream(bytes), password);
            return keyStore;
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw unusable(store, "wrong password (" + store.key().replace(".location", ".password") + ")", e);
            }
            throw unusable(store, "not a readable " + store.type() + " store: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw unusable(store, e.toString(), e);
        }
    }

    /** The store's password: given, read from its passwordPath file, or none. */
    private static char[] password(Store store, KeyMaterialOpener files) {
        if (store.password() != null) {
            return store.password().toCharArray();
        }
        if (store.passwordPath() == null) {
            return null;
        }
        try (InputStream in = files.open(store.passwordPath())) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return text.strip().toCharArray(); // a password file usually ends with a newline
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read the password file " + store.passwordPath() + " ("
                    + store.key().replace(".location", ".passwordPath") + "): " + e, e);
        }
    }

    private static byte[] read(Store store, KeyMaterialOpener files) {
        try (InputStream in = files.open(store.location())) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read " + store.location() + " (" + store.key() + "): " + e,
                    e);
        }
    }

    private static IllegalArgumentException unusable(Store store, String why, Exception cause) {
        return new IllegalArgumentException("Cannot use " + store.location() + " (" + store.key() + ", "
                + store.type() + "): " + why, cause);
    }

    private static ClientAuth clientAuth(TlsOptions.ClientAuthMode mode) {
        switch (mode) {
            case NONE:
                return ClientAuth.NONE;
            case WANT:
                return ClientAuth.OPTIONAL;
            default:
                return ClientAuth.REQUIRE;
        }
    }

    private static String newestProtocol() {
        try {
            List<String> supported = Arrays.asList(SSLContext.getDefault().getSupportedSSLParameters().getProtocols());
            return supported.contains("TLSv1.3") ? "TLSv1.3" : NEWEST_PROTOCOL_FALLBACK;
        } catch (GeneralSecurityException e) {
            return NEWEST_PROTOCOL_FALLBACK;
        }
    }
}
