package io.paddock.transport.netty.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.transport.netty.core.NettyOptions.EpollMode;
import io.paddock.transport.netty.core.TlsOptions.ClientAuthMode;
import io.paddock.transport.netty.core.TlsOptions.StoreType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NettyOptionsTest {

    private static IllegalArgumentException invalid(Map<String, String> extra) {
        return assertThrows(IllegalArgumentException.class, () -> NettyOptions.parse(extra));
    }

    @Test
    void nothingSetMeansAutoEpollAndNoTls() {
        NettyOptions options = NettyOptions.parse(Map.of());
        assertEquals(EpollMode.AUTO, options.epoll());
        assertFalse(options.tls().configured());
        assertEquals(List.of(), options.warnings());
    }

    @Test
    void defaultsFollowZooKeeper() {
        TlsOptions tls = NettyOptions.parse(Map.of("ssl.keyStore.location", "/etc/zk/keys.p12")).tls();
        assertTrue(tls.configured());
        assertEquals(StoreType.PKCS12, tls.keyStore().type());
        assertEquals(ClientAuthMode.NEED, tls.clientAuth());
        assertTrue(tls.hostnameVerification());
        assertTrue(tls.clientHostnameVerification());
        assertNull(tls.trustStore());
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), tls.protocolsToEnable("TLSv1.3"));
        assertEquals(List.of("TLSv1.2"), tls.protocolsToEnable("TLSv1.2"));
    }

    @Test
    void everyZooKeeperKeyIsRead() {
        TlsOptions tls = NettyOptions.parse(Map.ofEntries(
                Map.entry("ssl.keyStore.location", "keys"), Map.entry("ssl.keyStore.type", "jks"),
                Map.entry("ssl.keyStore.password", "secret"),
                Map.entry("ssl.trustStore.location", "cas.pem"), Map.entry("ssl.trustStore.passwordPath", "pw"),
                Map.entry("ssl.clientAuth", "Want"), Map.entry("ssl.hostnameVerification", "false"),
                Map.entry("ssl.protocol", "TLSv1.2"), Map.entry("ssl.enabledProtocols", "TLSv1.2, TLSv1.3"),
                Map.entry("ssl.ciphersuites", "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384"))).tls();
        assertEquals(StoreType.JKS, tls.keyStore().type());
        assertEquals("secret", tls.keyStore().password());
        assertEquals(StoreType.PEM, tls.trustStore().type());
        assertEquals("pw", tls.trustStore().passwordPath());
        assertEquals(ClientAuthMode.WANT, tls.clientAuth());
        assertFalse(tls.hostnameVerification());
        assertFalse(tls.clientHostnameVerification(), "follows hostnameVerification unless set");
        assertEquals(List.of("TLSv1.2", "TLSv1.3"), tls.protocolsToEnable("TLSv1.3"));
        assertEquals(List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"), tls.cipherSuites());
    }

    @Test
    void epollCanBeRequiredOrTurnedOff() {
        assertEquals(EpollMode.REQUIRED, NettyOptions.parse(Map.of("epoll", "true")).epoll());
        assertEquals(EpollMode.OFF, NettyOptions.parse(Map.of("epoll", "false")).epoll());
        assertTrue(invalid(Map.of("epoll", "sometimes")).getMessage().contains("transport.epoll"));
    }

    @Test
    void badValuesNameTheirKey() {
        assertTrue(invalid(Map.of("ssl.keyStore.location", "k.p12", "ssl.clientAuth", "maybe")).getMessage()
                .contains("transport.ssl.clientAuth"));
        assertTrue(invalid(Map.of("ssl.keyStore.location", "keystore")).getMessage()
                .contains("transport.ssl.keyStore.type"));
        assertTrue(invalid(Map.of("ssl.keyStore.location", "k", "ssl.keyStore.type", "BCFKS")).getMessage()
                .contains("BouncyCastle"));
        assertTrue(invalid(Map.of("ssl.trustStore.password", "x")).getMessage()
                .contains("transport.ssl.trustStore.location"));
        assertTrue(invalid(Map.of("ssl.keyStore.location", "k.p12", "ssl.keyStore.password", "a",
                "ssl.keyStore.passwordPath", "b")).getMessage().contains("not both"));
        assertTrue(invalid(Map.of("ssl.hostnameVerification", "perhaps")).getMessage()
                .contains("transport.ssl.hostnameVerification"));
    }

    @Test
    void securityFeaturesThatAreNotThereAreRefusedRatherThanIgnored() {
        assertTrue(invalid(Map.of("ssl.crl", "true")).getMessage().contains("transport.ssl.crl"));
        assertTrue(invalid(Map.of("ssl.ocsp", "true")).getMessage().contains("transport.ssl.ocsp"));
        assertTrue(invalid(Map.of("ssl.allowReverseDnsLookup", "true")).getMessage().contains("reverse DNS"));
        NettyOptions.parse(Map.of("ssl.crl", "false", "ssl.ocsp", "false", "ssl.allowReverseDnsLookup", "false"));
    }

    @Test
    void unknownKeysAreWarnedAbout() {
        List<String> warnings = NettyOptions.parse(Map.of("ssl.sslProvider", "OPENSSL")).warnings();
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("transport.ssl.sslProvider"), warnings.get(0));
    }

    @Test
    void sslQuorumReadsTheQuorumKeysApartFromTheClientPortKeys() {
        NettyOptions options = NettyOptions.parse(Map.of("sslQuorum", "true",
                "ssl.quorum.keyStore.location", "/etc/zk/quorum.jks", "ssl.quorum.keyStore.password", "q",
                "ssl.quorum.trustStore.location", "/etc/zk/quorum-cas.p12",
                "ssl.quorum.hostnameVerification", "false", "ssl.quorum.protocol", "TLSv1.2",
                "ssl.keyStore.location", "/etc/zk/client.p12"));
        TlsOptions quorum = options.quorumTls();
        assertEquals("/etc/zk/quorum.jks", quorum.keyStore().location());
        assertEquals(StoreType.JKS, quorum.keyStore().type());
        assertEquals("transport.ssl.quorum.keyStore.location", quorum.keyStore().key());
        assertEquals(StoreType.PKCS12, quorum.trustStore().type());
        assertEquals(ClientAuthMode.NEED, quorum.clientAuth(), "peers always authenticate each other");
        assertFalse(quorum.hostnameVerification());
        assertEquals(List.of("TLSv1.2"), quorum.protocolsToEnable("TLSv1.3"));
        assertEquals("transport.ssl.quorum.", quorum.keyPrefix());
        assertEquals("/etc/zk/client.p12", options.tls().keyStore().location(), "the client port's own store");
        assertEquals(List.of(), options.warnings());
    }

    @Test
    void sslQuorumDefaultsFollowZooKeeperAndNeedAKeyStore() {
        TlsOptions quorum = NettyOptions.parse(Map.of("sslQuorum", "yes", "ssl.quorum.keyStore.location",
                "q.pem")).quorumTls();
        assertTrue(quorum.hostnameVerification());
        assertEquals(StoreType.PEM, quorum.keyStore().type());
        assertTrue(invalid(Map.of("sslQuorum", "true")).getMessage()
                .contains("transport.ssl.quorum.keyStore.location"));
        assertTrue(invalid(Map.of("sslQuorum", "true", "ssl.quorum.keyStore.location", "q.p12",
                "ssl.quorum.clientAuth", "want")).getMessage().contains("mutual TLS"));
        assertTrue(invalid(Map.of("sslQuorum", "sometimes")).getMessage().contains("transport.sslQuorum"));
        assertTrue(invalid(Map.of("sslQuorum", "true", "ssl.quorum.keyStore.location", "q.p12",
                "ssl.quorum.allowReverseDnsLookup", "true")).getMessage().contains("reverse DNS"));
    }

    @Test
    void quorumKeysWithoutSslQuorumAreWarnedAboutAndLeaveLinksPlain() {
        NettyOptions options = NettyOptions.parse(Map.of("ssl.quorum.keyStore.location", "q.p12"));
        assertNull(options.quorumTls());
        assertEquals(1, options.warnings().size());
        assertTrue(options.warnings().get(0).contains("sslQuorum is not true"), options.warnings().get(0));
        assertNull(NettyOptions.parse(Map.of("sslQuorum", "false")).quorumTls());
    }
}
