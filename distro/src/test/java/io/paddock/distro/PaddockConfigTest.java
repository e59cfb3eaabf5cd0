package io.paddock.distro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.api.storage.StorageConfig;
import io.paddock.api.transport.TransportConfig;
import io.paddock.server.ServerConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PaddockConfigTest {

    private static final Map<String, String> NO_PROPERTIES = Map.of();

    private static PaddockConfig parse(Map<String, String> cfg) {
        return parse(cfg, NO_PROPERTIES);
    }

    private static PaddockConfig parse(Map<String, String> cfg, Map<String, String> systemProperties) {
        return PaddockConfig.parse(cfg, systemProperties::get);
    }

    private static ConfigException rejected(Map<String, String> cfg) {
        return assertThrows(ConfigException.class, () -> parse(cfg));
    }

    private static void assertMentions(ConfigException e, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), () -> "'" + fragment + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void emptyConfigTakesZooKeepersSampleDefaults() {
        PaddockConfig c = parse(Map.of());
        assertEquals(2000, c.tickTimeMs());
        assertEquals(Path.of("data"), c.dataDir());
        assertEquals(Path.of("data"), c.dataLogDir());
        assertEquals(2181, c.clientPort());
        assertNull(c.clientPortAddress());
        assertEquals(60, c.maxClientCnxns());
        assertEquals(4000, c.sessionTimeoutMsMin());
        assertEquals(40000, c.sessionTimeoutMsMax());
        assertEquals(Set.of("srvr"), c.fourLetterWords());
        assertEquals(0xfffff, c.juteMaxBufferBytes());
        assertFalse(c.extendedTypesEnabled());
        assertNull(c.superDigest());
        assertEquals("nio", c.transport());
        assertNull(c.storage());
        assertNull(c.authSchemes(), "null means every auth provider found");
        assertEquals(-1, c.clientPortListenBacklog());
        assertEquals(1000, c.globalOutstandingLimit());
        assertEquals(0, c.ioThreads());
        assertEquals(4 * 1024 * 1024, c.outboundBytesMax());
        assertEquals(10_000, c.handshakeTimeoutMs());
        assertEquals(64L * 1024 * 1024, c.preAllocBytes());
        assertEquals(100_000, c.snapCount());
        assertTrue(c.forceSync());
        assertNull(c.pluginsDir());
        assertEquals(List.of(), c.warnings());
    }

    @Test
    void everyZooKeeperKeyIsRead() {
        Map<String, String> cfg = new HashMap<>();
        cfg.put("tickTime", "500");
        cfg.put("dataDir", "/var/lib/zk");
        cfg.put("dataLogDir", "/var/log/zk");
        cfg.put("clientPort", "12181");
        cfg.put("clientPortAddress", "127.0.0.1");
        cfg.put("maxClientCnxns", "0");
        cfg.put("minSessionTimeout", "1500");
        cfg.put("maxSessionTimeout", "90000");
        cfg.put("4lw.commands.whitelist", "ruok, stat conf");
        cfg.put("jute.maxbuffer", "4194304");
        cfg.put("extendedTypesEnabled", "true");
        cfg.put("DigestAuthenticationProvider.superDigest", "super:D/InIHSb7yEEbrWz8b9l71RjZJU=");
        cfg.put("serverCnxnFactory", "org.apache.zookeeper.server.NIOServerCnxnFactory");
        cfg.put("clientPortListenBacklog", "128");
        cfg.put("globalOutstandingLimit", "50");
        cfg.put("preAllocSize", "1024");
        cfg.put("snapCount", "5000");
        cfg.put("forceSync", "no");
        PaddockConfig c = parse(cfg);
        assertEquals(500, c.tickTimeMs());
        assertEquals(Path.of("/var/lib/zk"), c.dataDir());
        assertEquals(Path.of("/var/log/zk"), c.dataLogDir());
        assertEquals(12181, c.clientPort());
        assertEquals("127.0.0.1", c.clientPortAddress());
        assertEquals(new InetSocketAddress("127.0.0.1", 12181), c.clientSocketAddress().orElseThrow());
        assertEquals(0, c.maxClientCnxns());
        assertEquals(1500, c.sessionTimeoutMsMin());
        assertEquals(90000, c.sessionTimeoutMsMax());
        assertEquals(Set.of("ruok", "stat", "conf", "srvr"), c.fourLetterWords());
        assertEquals(4194304, c.juteMaxBufferBytes());
        assertTrue(c.extendedTypesEnabled());
        assertEquals("super:D/InIHSb7yEEbrWz8b9l71RjZJU=", c.superDigest());
        assertEquals("nio", c.transport());
        assertEquals(128, c.clientPortListenBacklog());
        assertEquals(128, c.listenBacklog());
        assertEquals(50, c.globalOutstandingLimit());
        assertEquals(1024L * 1024, c.preAllocBytes());
        assertEquals(5000, c.snapCount());
        assertFalse(c.forceSync());
        assertEquals(List.of(), c.warnings(), "every key above is known");
    }

    @Test
    void paddockKeysAreRead() {
        Map<String, String> cfg = new HashMap<>();
        cfg.put("transport", "netty");
        cfg.put("storage", "file");
        cfg.put("auth", "digest ip,x509");
        cfg.put("paddock.ioThreads", "3");
        cfg.put("paddock.outboundBytesMax", "65536");
        cfg.put("paddock.handshakeTimeoutMs", "2500");
        cfg.put("paddock.pluginsDir", "/opt/paddock/plugins");
        cfg.put("transport.tls.enabled", "true");
        cfg.put("storage.segmentBytes", "1048576");
        cfg.put("auth.digest.hashAlgorithm", "SHA1");
        PaddockConfig c = parse(cfg);
        assertEquals("netty", c.transport());
        assertEquals("file", c.storage());
        assertEquals(List.of("digest", "ip", "x509"), List.copyOf(c.authSchemes()));
        assertEquals(3, c.ioThreads());
        assertEquals(65536, c.outboundBytesMax());
        assertEquals(2500, c.handshakeTimeoutMs());
        assertEquals(Path.of("/opt/paddock/plugins"), c.pluginsDir());
        assertEquals(Map.of("tls.enabled", "true"), c.transportExtra());
        assertEquals(Map.of("segmentBytes", "1048576"), c.storageExtra());
        assertEquals(Map.of("hashAlgorithm", "SHA1"), c.authSettings("digest"));
        assertEquals(Map.of(), c.authSettings("ip"));
        assertEquals(List.of(), c.warnings());
    }

    @Test
    void zookeeperPrefixedKeysAreTheSameKeys() {
        Map<String, String> cfg = new HashMap<>();
        cfg.put("zookeeper.tickTime", "1000");
        cfg.put("zookeeper.extendedTypesEnabled", "true");
        cfg.put("zookeeper.DigestAuthenticationProvider.superDigest", "super:abc=");
        cfg.put("zookeeper.serverCnxnFactory", "org.apache.zookeeper.server.NIOServerCnxnFactory");
        cfg.put("zookeeper.4lw.commands.whitelist", "*");
        cfg.put("zookeeper.jute.maxbuffer", "2048");
        PaddockConfig c = parse(cfg);
        assertEquals(1000, c.tickTimeMs());
        assertTrue(c.extendedTypesEnabled());
        assertEquals("super:abc=", c.superDigest());
        assertEquals("nio", c.transport());
        assertEquals(Set.copyOf(PaddockConfig.FOUR_LETTER_WORDS_ALL), c.fourLetterWords());
        assertEquals(2048, c.juteMaxBufferBytes());
        assertEquals(List.of(), c.warnings());
    }

    @Test
    void bothSpellingsWithDifferentValuesAreRejected() {
        ConfigException e = rejected(Map.of("tickTime", "1000", "zookeeper.tickTime", "2000"));
        assertMentions(e, "'tickTime'", "'zookeeper.tickTime'", "1000", "2000");
    }

    @Test
    void bothSpellingsWithTheSameValueAreAccepted() {
        assertEquals(1000, parse(Map.of("tickTime", "1000", "zookeeper.tickTime", " 1000 ")).tickTimeMs());
    }

    @Test
    void keysAndValuesAreTrimmed() {
        PaddockConfig c = parse(Map.of(" clientPort ", " 3000  ", "dataDir", " /tmp/x "));
        assertEquals(3000, c.clientPort());
        assertEquals(Path.of("/tmp/x"), c.dataDir());
    }

    @Test
    void sessionTimeoutsDefaultToTwoAndTwentyTicks() {
        PaddockConfig c = parse(Map.of("tickTime", "100", "minSessionTimeout", "-1"));
        assertEquals(200, c.sessionTimeoutMsMin());
        assertEquals(2000, c.sessionTimeoutMsMax());
    }

    @Test
    void minSessionTimeoutAboveMaxIsRejected() {
        assertMentions(rejected(Map.of("minSessionTimeout", "50000")), "minSessionTimeout", "maxSessionTimeout",
                "50000", "40000");
        assertMentions(rejected(Map.of("minSessionTimeout", "0")), "minSessionTimeout");
    }

    @Test
    void badNumbersNameTheKey() {
        for (String key : List.of("tickTime", "clientPort", "maxClientCnxns", "minSessionTimeout",
                "maxSessionTimeout", "jute.maxbuffer", "clientPortListenBacklog", "globalOutstandingLimit",
                "paddock.ioThreads", "paddock.outboundBytesMax", "paddock.handshakeTimeoutMs", "preAllocSize",
                "snapCount", "nio.sessionlessCnxnTimeout")) {
            ConfigException e = rejected(Map.of(key, "12x"));
            assertMentions(e, "'" + key + "'", "'12x'");
        }
    }

    @Test
    void outOfRangeNumbersAreRejectedWithTheRange() {
        assertMentions(rejected(Map.of("clientPort", "70000")), "'clientPort'", "0..65535");
        assertMentions(rejected(Map.of("tickTime", "0")), "'tickTime'", ">= 1");
        assertMentions(rejected(Map.of("maxClientCnxns", "-5")), "'maxClientCnxns'", ">= 0");
        assertMentions(rejected(Map.of("tickTime", "99999999999")), "'tickTime'");
    }

    @Test
    void prefixedKeyIsNamedAsWritten() {
        assertMentions(rejected(Map.of("zookeeper.tickTime", "soon")), "'zookeeper.tickTime'");
    }

    @Test
    void juteMaxBufferAcceptsHexLikeIntegerGetInteger() {
        assertEquals(0xfffff, parse(Map.of("jute.maxbuffer", "0xfffff")).juteMaxBufferBytes());
    }

    @Test
    void booleansAcceptTrueFalseYesNoAndNothingElse() {
        assertTrue(parse(Map.of("extendedTypesEnabled", "TRUE")).extendedTypesEnabled());
        assertTrue(parse(Map.of("extendedTypesEnabled", "yes")).extendedTypesEnabled());
        assertFalse(parse(Map.of("forceSync", "false")).forceSync());
        assertMentions(rejected(Map.of("extendedTypesEnabled", "on")), "'extendedTypesEnabled'", "'on'");
    }

    @Test
    void systemPropertiesUnderZooKeepersNamesAreRead() {
        Map<String, String> props = new HashMap<>();
        props.put("jute.maxbuffer", "8192");
        props.put("zookeeper.extendedTypesEnabled", "true");
        props.put("zookeeper.DigestAuthenticationProvider.superDigest", "super:xyz=");
        props.put("zookeeper.serverCnxnFactory", "org.apache.zookeeper.server.NIOServerCnxnFactory");
        props.put("zookeeper.4lw.commands.whitelist", "ruok");
        props.put("zookeeper.globalOutstandingLimit", "7");
        props.put("zookeeper.forceSync", "no");
        props.put("paddock.ioThreads", "2");
        PaddockConfig c = parse(Map.of(), props);
        assertEquals(8192, c.juteMaxBufferBytes());
        assertTrue(c.extendedTypesEnabled());
        assertEquals("super:xyz=", c.superDigest());
        assertEquals("nio", c.transport());
        assertEquals(Set.of("ruok", "srvr"), c.fourLetterWords());
        assertEquals(7, c.globalOutstandingLimit());
        assertFalse(c.forceSync());
        assertEquals(2, c.ioThreads());
        assertEquals("super:xyz=", c.authSettings("digest").get("DigestAuthenticationProvider.superDigest"));
    }

    @Test
    void zookeeperPrefixedJuteMaxBufferPropertyIsReadToo() {
        assertEquals(4096, parse(Map.of(), Map.of("zookeeper.jute.maxbuffer", "4096")).juteMaxBufferBytes());
    }

    @Test
    void fileWinsOverSystemProperty() {
        assertEquals(1024, parse(Map.of("jute.maxbuffer", "1024"), Map.of("jute.maxbuffer", "8192"))
                .juteMaxBufferBytes());
    }

    @Test
    void onlyKeysZooKeeperReadsFromPropertiesConsultThem() {
        assertEquals(2000, parse(Map.of(), Map.of("tickTime", "10", "zookeeper.tickTime", "10")).tickTimeMs());
    }

    @Test
    void badSystemPropertyIsNamedInTheMessage() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse(Map.of(), Map.of("jute.maxbuffer", "big")));
        assertMentions(e, "system property 'jute.maxbuffer'", "'big'");
    }

    @Test
    void serverCnxnFactoryClassNamesMapToTransports() {
        assertEquals("nio", parse(Map.of("serverCnxnFactory", "org.apache.zookeeper.server.NIOServerCnxnFactory"))
                .transport());
        assertEquals("netty", parse(Map.of("serverCnxnFactory",
                "org.apache.zookeeper.server.NettyServerCnxnFactory")).transport());
        assertEquals("netty", parse(Map.of("serverCnxnFactory", "NettyServerCnxnFactory")).transport());
    }

    @Test
    void unknownServerCnxnFactoryIsRejectedWithTheSupportedNames() {
        assertMentions(rejected(Map.of("serverCnxnFactory", "com.example.MyFactory")), "'serverCnxnFactory'",
                "com.example.MyFactory", "org.apache.zookeeper.server.NIOServerCnxnFactory",
                "org.apache.zookeeper.server.NettyServerCnxnFactory");
    }

    @Test
    void transportAndServerCnxnFactoryMustAgree() {
        assertEquals("netty", parse(Map.of("transport", "netty",
                "serverCnxnFactory", "org.apache.zookeeper.server.NettyServerCnxnFactory")).transport());
        assertMentions(rejected(Map.of("transport", "nio",
                "serverCnxnFactory", "org.apache.zookeeper.server.NettyServerCnxnFactory")), "transport=nio",
                "serverCnxnFactory");
    }

    @Test
    void starWhitelistExpandsToEveryFourLetterWord() {
        Set<String> words = parse(Map.of("4lw.commands.whitelist", "*")).fourLetterWords();
        assertEquals(Set.of("conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "hash", "isro", "mntr", "ruok",
                "srst", "srvr", "stat", "stmk", "wchc", "wchp", "wchs"), words);
    }

    @Test
    void starAmongOtherWordsStillMeansAll() {
        assertEquals(18, parse(Map.of("4lw.commands.whitelist", "ruok, *")).fourLetterWords().size());
    }

    @Test
    void srvrIsAlwaysEnabledAsInZooKeeper() {
        assertEquals(Set.of("ruok", "srvr"), parse(Map.of("4lw.commands.whitelist", "ruok")).fourLetterWords());
        assertEquals(Set.of("srvr"), parse(Map.of("4lw.commands.whitelist", "")).fourLetterWords());
    }

    @Test
    void unknownFourLetterWordIsDroppedWithAWarning() {
        PaddockConfig c = parse(Map.of("4lw.commands.whitelist", "ruok,bogus"));
        assertEquals(Set.of("ruok", "srvr"), c.fourLetterWords());
        assertEquals(1, c.warnings().size());
        assertTrue(c.warnings().get(0).contains("'bogus'"), c.warnings().get(0));
    }

    @Test
    void unknownKeysAreWarnedOnceAndIgnored() {
        PaddockConfig c = parse(Map.of("colour", "blue", "initLimit", "10", "syncEnabled", "true"));
        assertEquals(3, c.warnings().size(), c.warnings().toString());
        assertTrue(c.warnings().stream().anyMatch(w -> w.contains("unknown zoo.cfg key 'colour'")));
        assertTrue(c.warnings().stream().anyMatch(w -> w.contains("'initLimit'") && w.contains("standalone")));
        assertTrue(c.warnings().stream().anyMatch(w -> w.contains("'syncEnabled'") && w.contains("not supported")));
    }

    @Test
    void anEnsembleConfigWithoutAMyidFileFailsInsteadOfRunningStandalone() {
        assertMentions(rejected(Map.of("server.1", "a:2888:3888", "server.2", "b:2888:3888",
                "server.3", "c:2888:3888", "initLimit", "10", "syncLimit", "5")), "myid file is missing");
    }

    @Test
    void authAbsentOrStarEnablesEveryProviderAndEmptyEnablesNone() {
        assertNull(parse(Map.of()).authSchemes());
        assertNull(parse(Map.of("auth", "*")).authSchemes());
        assertEquals(Set.of(), parse(Map.of("auth", "")).authSchemes());
    }

    @Test
    void emptyStorageMeansNone() {
        assertNull(parse(Map.of("storage", "")).storage());
    }

    @Test
    void zooKeeperNamedAuthKeysReachEveryAuthProvider() {
        PaddockConfig c = parse(Map.of("DigestAuthenticationProvider.digestAlg", "SHA-256",
                "DigestAuthenticationProvider.superDigest", "super:abc="));
        assertEquals(Map.of("DigestAuthenticationProvider.digestAlg", "SHA-256",
                "DigestAuthenticationProvider.superDigest", "super:abc="), c.authSettings("digest"));
        assertEquals(List.of(), c.warnings());
    }

    @Test
    void malformedSuperDigestIsRejected() {
        assertMentions(rejected(Map.of("DigestAuthenticationProvider.superDigest", "nocolon")),
                "DigestAuthenticationProvider.superDigest");
    }

    @Test
    void handshakeTimeoutScalesWithLargeTicksAndHonoursZooKeepersName() {
        assertEquals(10_000, parse(Map.of("tickTime", "100")).handshakeTimeoutMs());
        assertEquals(25_000, parse(Map.of("tickTime", "5000")).handshakeTimeoutMs());
        assertEquals(3000, parse(Map.of("nio.sessionlessCnxnTimeout", "3000")).handshakeTimeoutMs());
        assertEquals(3000, parse(Map.of(), Map.of("zookeeper.nio.sessionlessCnxnTimeout", "3000"))
                .handshakeTimeoutMs());
    }

    @Test
    void pluginsDirDefaultsToThePluginsFolderOfTheInstallation() {
        assertEquals(Path.of("/opt/paddock/plugins"),
                parse(Map.of(), Map.of("paddock.home", "/opt/paddock")).pluginsDir());
        assertEquals(Path.of("/elsewhere"), parse(Map.of("paddock.pluginsDir", "/elsewhere"),
                Map.of("paddock.home", "/opt/paddock")).pluginsDir());
    }

    @Test
    void ipv6ClientPortAddressMayBeBracketed() {
        PaddockConfig c = parse(Map.of("clientPortAddress", "[::1]", "clientPort", "0"));
        assertEquals("::1", c.clientPortAddress());
        assertTrue(c.clientSocketAddress().orElseThrow().getAddress().isLoopbackAddress());
    }

    @Test
    void noClientPortAddressBindsTheWildcard() {
        assertTrue(parse(Map.of()).clientSocketAddress().orElseThrow().getAddress().isAnyLocalAddress());
    }

    @Test
    void serverConfigCarriesTheParsedValuesAndConfDumpInZooKeepersOrder() {
        PaddockConfig c = parse(Map.of("tickTime", "1000", "clientPort", "2222", "dataDir", "/d",
                "4lw.commands.whitelist", "ruok", "jute.maxbuffer", "1000", "globalOutstandingLimit", "9",
                "extendedTypesEnabled", "true", "DigestAuthenticationProvider.superDigest", "super:x="));
        ServerConfig s = c.serverConfig();
        assertEquals(1, s.serverId());
        assertEquals(1000, s.tickTimeMs());
        assertEquals(2000, s.sessionTimeoutMsMin());
        assertEquals(20000, s.sessionTimeoutMsMax());
        assertEquals(Set.of("ruok", "srvr"), s.fourLetterWords());
        assertEquals(1000, s.frameBytesMax());
        assertEquals(9, s.outstandingRequestsMax());
        assertTrue(s.extendedTypesEnabled());
        assertEquals("super:x=", c.superDigest(), "kept for the digest scheme's settings");
        assertEquals(List.of("clientPort", "secureClientPort", "dataDir", "dataLogDir", "tickTime", "maxClientCnxns",
                "minSessionTimeout", "maxSessionTimeout", "clientPortListenBacklog", "serverId"),
                List.copyOf(s.confDump().keySet()));
        assertEquals("2222", s.confDump().get("clientPort"));
        assertEquals(Path.of("/d", "version-2").toString(), s.confDump().get("dataDir"));
        assertEquals(s.confDump().get("dataDir"), s.confDump().get("dataLogDir"));
        assertEquals("1000", s.confDump().get("tickTime"));
        assertEquals("60", s.confDump().get("maxClientCnxns"));
        assertEquals("2000", s.confDump().get("minSessionTimeout"));
        assertEquals("20000", s.confDump().get("maxSessionTimeout"));
        assertEquals("-1", s.confDump().get("clientPortListenBacklog"));
        assertEquals("1", s.confDump().get("serverId"));
    }

    @Test
    void transportConfigCarriesFrameLimitAndExtras() {
        TransportConfig t = parse(Map.of("jute.maxbuffer", "5000", "paddock.ioThreads", "2",
                "transport.tcpNoDelay", "false")).transportConfig();
        assertEquals(2, t.ioThreads());
        assertEquals(5000, t.maxFrameBytes());
        assertEquals(4 * 1024 * 1024, t.outboundBytesMax());
        assertEquals(10_000, t.handshakeTimeoutMs());
        assertEquals(Map.of("tcpNoDelay", "false"), t.extra());
    }

    @Test
    void storageConfigCarriesDirsAndZooKeeperUnits() {
        StorageConfig s = parse(Map.of("dataDir", "/d", "preAllocSize", "16", "snapCount", "10"))
                .storageConfig();
        assertEquals(Path.of("/d"), s.dataDir());
        assertEquals(Path.of("/d"), s.dataLogDir());
        assertEquals(16 * 1024, s.preAllocBytes());
        assertEquals(10, s.txnsPerLogFileMax());
        assertTrue(s.forceSync());
    }

    @Test
    void negativeBacklogAsksForTheSystemDefault() {
        assertEquals(0, parse(Map.of()).listenBacklog());
    }

    @Test
    void emptyDataDirIsRejected() {
        assertMentions(rejected(Map.of("dataDir", "")), "'dataDir'");
    }

    // ---- secureClientPort and ssl.* -------------------------------------------------------------------------------

    private static final String KEYS = "/etc/zk/server.p12";

    @Test
    void neitherPortSetMeansThePlainDefaultAndNoSecurePort() {
        PaddockConfig c = parse(Map.of());
        assertEquals(2181, c.clientPort());
        assertEquals(-1, c.secureClientPort());
        assertTrue(c.secureClientSocketAddress().isEmpty());
        assertEquals("-1", c.serverConfig().confDump().get("secureClientPort"), "as ZooKeeper's conf shows it");
    }

    @Test
    void aSecurePortAloneMeansNoPlainPortAsZooKeeperAllows() {
        PaddockConfig c = parse(Map.of("secureClientPort", "2281", "ssl.keyStore.location", KEYS));
        assertEquals(-1, c.clientPort());
        assertTrue(c.clientSocketAddress().isEmpty());
        assertEquals(new InetSocketAddress(2281), c.secureClientSocketAddress().orElseThrow());
        assertEquals("-1", c.serverConfig().confDump().get("clientPort"));
        assertEquals("2281", c.serverConfig().confDump().get("secureClientPort"));
        assertEquals(List.of(), c.warnings());
    }

    @Test
    void bothPortsCanBeServedAndTheSecureAddressDefaultsToClientPortAddress() {
        PaddockConfig c = parse(Map.of("clientPort", "2181", "clientPortAddress", "127.0.0.1",
                "secureClientPort", "2281", "ssl.keyStore.location", KEYS));
        assertEquals(new InetSocketAddress("127.0.0.1", 2181), c.clientSocketAddress().orElseThrow());
        assertEquals(new InetSocketAddress("127.0.0.1", 2281), c.secureClientSocketAddress().orElseThrow());

        PaddockConfig own = parse(Map.of("clientPortAddress", "127.0.0.1", "secureClientPort", "0",
                "secureClientPortAddress", "[::1]", "ssl.keyStore.location", KEYS));
        assertTrue(own.secureClientSocketAddress().orElseThrow().getAddress().isLoopbackAddress());
        assertEquals("::1", own.secureClientPortAddress());
    }

    @Test
    void secureClientPortAddressWithoutThePortIsRefusedAsInZooKeeper() {
        assertMentions(rejected(Map.of("secureClientPortAddress", "127.0.0.1")),
                "secureClientPortAddress is set but secureClientPort is not set");
        assertMentions(rejected(Map.of("secureClientPort", "65536", "ssl.keyStore.location", KEYS)),
                "'secureClientPort'", "0..65535");
    }

    @Test
    void aSecurePortNeedsAKeyStore() {
        assertMentions(rejected(Map.of("secureClientPort", "2281")), "secureClientPort", "ssl.keyStore.location");
    }

    @Test
    void sslKeysReachTheTransportUnderTheirZooKeeperNamesFromEverySpelling() {
        Map<String, String> cfg = new HashMap<>();
        cfg.put("secureClientPort", "2281");
        cfg.put("ssl.keyStore.location", KEYS);
        cfg.put("zookeeper.ssl.trustStore.location", "/etc/zk/trust.jks");
        cfg.put("transport.ssl.clientAuth", "want");
        cfg.put("ssl.enabledProtocols", "TLSv1.3");
        cfg.put("transport.ssl.enabledProtocols", "TLSv1.3");
        PaddockConfig c = parse(cfg, Map.of("zookeeper.ssl.keyStore.password", "from-a-property",
                "zookeeper.ssl.protocol", "TLSv1.2"));
        assertEquals(Map.of("ssl.keyStore.location", KEYS, "ssl.keyStore.password", "from-a-property",
                "ssl.trustStore.location", "/etc/zk/trust.jks", "ssl.clientAuth", "want",
                "ssl.enabledProtocols", "TLSv1.3", "ssl.protocol", "TLSv1.2"), c.transportExtra());
        assertEquals(c.transportExtra(), c.transportConfig().extra());
        assertEquals(List.of(), c.warnings());
        assertEquals("TLSv1.3", parse(Map.of("secureClientPort", "0", "ssl.keyStore.location", KEYS,
                "ssl.protocol", "TLSv1.3"), Map.of("zookeeper.ssl.protocol", "TLSv1.2")).transportExtra()
                .get("ssl.protocol"), "the file wins over a system property");
        assertEquals("TLSv1.3", parse(Map.of("secureClientPort", "0", "ssl.keyStore.location", KEYS,
                "transport.ssl.protocol", "TLSv1.3"), Map.of("zookeeper.ssl.protocol", "TLSv1.2")).transportExtra()
                .get("ssl.protocol"), "in either spelling");
    }

    @Test
    void disagreeingSpellingsOfAnSslKeyAreRefusedWithoutShowingThePassword() {
        ConfigException e = rejected(Map.of("secureClientPort", "2281", "ssl.keyStore.location", KEYS,
                "ssl.keyStore.password", "s3cret-one", "transport.ssl.keyStore.password", "s3cret-two"));
        assertMentions(e, "'transport.ssl.keyStore.password'", "'ssl.keyStore.password'");
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());

        ConfigException z = rejected(Map.of("ssl.trustStore.password", "s3cret-one",
                "zookeeper.ssl.trustStore.password", "s3cret-two"));
        assertMentions(z, "'ssl.trustStore.password'", "'zookeeper.ssl.trustStore.password'");
        assertFalse(z.getMessage().contains("s3cret"), z.getMessage());

        assertMentions(rejected(Map.of("secureClientPort", "2281", "ssl.keyStore.location", KEYS,
                "transport.ssl.keyStore.location", "/elsewhere.p12")), KEYS, "/elsewhere.p12");
    }

    @Test
    void sslKeysWithoutASecurePortAreNotPassedOnAndTheWarningSaysWhy() {
        PaddockConfig c = parse(Map.of("ssl.keyStore.location", KEYS, "zookeeper.ssl.clientAuth", "none"),
                Map.of("zookeeper.ssl.keyStore.password", "unused"));
        assertEquals(Map.of(), c.transportExtra());
        assertEquals(2, c.warnings().size(), c.warnings().toString());
        assertTrue(c.warnings().stream().allMatch(w -> w.contains("secureClientPort is not set")),
                c.warnings().toString());
    }

    @Test
    void quorumTlsKeysOfAStandaloneServerAreIgnoredAsEnsembleKeysAndUnimplementedSslKeysStayUnsupported() {
        PaddockConfig c = parse(Map.of("secureClientPort", "2281", "ssl.keyStore.location", KEYS,
                "ssl.quorum.keyStore.location", "/etc/zk/quorum.p12", "sslQuorum", "true",
                "transport.ssl.quorum.protocol", "TLSv1.3",
                "ssl.context.supplier.class", "com.example.Supplier"));
        assertEquals(Map.of("ssl.keyStore.location", KEYS), c.transportExtra());
        assertEquals(4, c.warnings().size(), c.warnings().toString());
        assertEquals(3, c.warnings().stream().filter(w -> w.contains("runs standalone")).count(),
                c.warnings().toString());
        assertTrue(c.warnings().stream().anyMatch(w -> w.contains("ssl.context.supplier.class")
                && w.contains("not supported")), c.warnings().toString());
    }

    @Test
    void clientPortUnificationIsRefusedWithTheAlternative() {
        assertMentions(rejected(Map.of("client.portUnification", "true")), "client.portUnification",
                "secureClientPort");
        assertEquals(List.of(), parse(Map.of("client.portUnification", "false")).warnings());
    }
}
