package io.paddock.distro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.server.ServerConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The ensemble part of zoo.cfg: server.N lines, myid, dynamicConfigFile and the quorum keys. No files, no sockets. */
class EnsembleConfigTest {
    private static final Path DATA = Path.of("/var/lib/zookeeper");

    /** The 3-server example of ZooKeeper's Administrator's Guide ("Running Replicated ZooKeeper"). */
    private static Map<String, String> docsExample() {
        Map<String, String> cfg = new HashMap<>();
        cfg.put("tickTime", "2000");
        cfg.put("dataDir", DATA.toString());
        cfg.put("clientPort", "2181");
        cfg.put("initLimit", "5");
        cfg.put("syncLimit", "2");
        cfg.put("server.1", "zoo1:2888:3888");
        cfg.put("server.2", "zoo2:2888:3888");
        cfg.put("server.3", "zoo3:2888:3888");
        return cfg;
    }

    private static PaddockConfig parse(Map<String, String> cfg, Map<Path, String> files) {
        return parse(cfg, files, Map.of());
    }

    private static PaddockConfig parse(Map<String, String> cfg, Map<Path, String> files, Map<String, String> props) {
        return PaddockConfig.parse(cfg, props::get, files::get);
    }

    private static Map<Path, String> myid(String text) {
        return Map.of(DATA.resolve("myid"), text);
    }

    private static ConfigException rejected(Map<String, String> cfg, Map<Path, String> files) {
        return assertThrows(ConfigException.class, () -> parse(cfg, files));
    }

    private static void assertMentions(ConfigException e, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), () -> "'" + fragment + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void theAdministratorsGuideThreeServerExampleIsAnEnsemble() {
        PaddockConfig c = parse(docsExample(), myid("2\n"));
        Ensemble e = c.ensemble();
        assertEquals(2, e.myId());
        assertEquals(Set.of(1L, 2L, 3L), e.voters());
        assertEquals(Set.of(), e.observers());
        assertEquals(5, e.initLimitTicks());
        assertEquals(2, e.syncLimitTicks());
        assertEquals(5000, e.connectTimeoutMs());
        assertEquals(500, e.committedLogMax());
        assertFalse(e.listenOnAllIps());
        assertEquals(new Ensemble.Member(2, "zoo2", 2888, 3888, false, null, -1), e.self());
        assertEquals(2181, c.clientPort());
        assertEquals(List.of(), c.warnings());
        ServerConfig sc = c.serverConfig();
        assertEquals(2, sc.serverId(), "myid is the server id (top byte of session ids)");
        assertEquals("2", sc.confDump().get("serverId"));
        assertEquals("5", sc.confDump().get("initLimit"));
        assertEquals("2", sc.confDump().get("syncLimit"));
        assertEquals("3", sc.confDump().get("electionAlg"));
        assertEquals("3888", sc.confDump().get("electionPort"));
        assertEquals("2888", sc.confDump().get("quorumPort"));
        assertEquals("0", sc.confDump().get("peerType"));
    }

    @Test
    void observersComeFromTheServerLinesAndPeerTypeAgrees() {
        Map<String, String> cfg = docsExample();
        cfg.put("server.4", "zoo4:2888:3888:observer");
        cfg.put("server.5", "zoo5:2888:3888:participant");
        cfg.put("peerType", "observer");
        PaddockConfig c = parse(cfg, myid("4"));
        assertEquals(Set.of(1L, 2L, 3L, 5L), c.ensemble().voters());
        assertEquals(Set.of(4L), c.ensemble().observers());
        assertTrue(c.ensemble().self().observer());
        assertEquals("1", c.serverConfig().confDump().get("peerType"));
        // 4 voters: a warning that an even count buys nothing, nothing about peerType
        assertEquals(1, c.warnings().size(), c.warnings().toString());
        assertTrue(c.warnings().get(0).contains("odd"), c.warnings().toString());
    }

    @Test
    void peerTypeThatContradictsTheServerListIsWarnedAndTheListWins() {
        Map<String, String> cfg = docsExample();
        cfg.put("peerType", "observer");
        PaddockConfig c = parse(cfg, myid("1"));
        assertFalse(c.ensemble().self().observer());
        assertTrue(c.warnings().stream().anyMatch(w -> w.contains("peerType") && w.contains("server list wins")),
                c.warnings().toString());
        cfg.put("peerType", "voter");
        assertMentions(rejected(cfg, myid("1")), "peerType", "voter", "participant or observer");
    }

    @Test
    void aDynamicConfigFileHoldsTheServerLinesWithTheirClientPorts() {
        Map<String, String> cfg = new HashMap<>();
        cfg.put("dataDir", DATA.toString());
        cfg.put("initLimit", "10");
        cfg.put("syncLimit", "5");
        cfg.put("reconfigEnabled", "true");
        cfg.put("dynamicConfigFile", "/etc/zookeeper/zoo.cfg.dynamic.100000000");
        String dynamic = "server.1=125.23.63.23:2780:2783:participant;2791\n"
                + "server.2=125.23.63.24:2781:2784:participant;127.0.0.1:2792\n"
                + "server.3=125.23.63.25:2782:2785:observer;2793\n"
                + "server.4=125.23.63.26:2786:2787;2794\n"
                + "version=100000000\n";
        Map<Path, String> files = new HashMap<>(myid("2"));
        files.put(Path.of("/etc/zookeeper/zoo.cfg.dynamic.100000000"), dynamic);
        PaddockConfig c = parse(cfg, files);
        Ensemble e = c.ensemble();
        assertEquals(Set.of(1L, 2L, 4L), e.voters());
        assertEquals(Set.of(3L), e.observers());
        assertEquals(2792, c.clientPort(), "the client port comes from this server's own line");
        assertEquals("127.0.0.1", c.clientPortAddress());
        assertTrue(e.reconfigEnabled());
        assertTrue(c.warnings().stream().anyMatch(w -> w.contains("dynamic reconfiguration")), c.warnings()
                .toString());
        assertEquals("server.1=125.23.63.23:2780:2783:participant;0.0.0.0:2791\n"
                + "server.2=125.23.63.24:2781:2784:participant;127.0.0.1:4000\n"
                + "server.3=125.23.63.25:2782:2785:observer;0.0.0.0:2793\n"
                + "server.4=125.23.63.26:2786:2787:participant;0.0.0.0:2794\n"
                + "version=0\n", e.membershipText("127.0.0.1", 4000));
    }

    @Test
    void serverLinesInBothTheFileAndTheDynamicFileAreRefused() {
        Map<String, String> cfg = docsExample();
        cfg.put("dynamicConfigFile", "zoo.cfg.dynamic");
        Map<Path, String> files = new HashMap<>(myid("1"));
        files.put(Path.of("zoo.cfg.dynamic"), "server.1=zoo1:2888:3888\n");
        assertMentions(rejected(cfg, files), "dynamicConfigFile", "server.1", "that file only");
    }

    @Test
    void aMissingOrEmptyDynamicFileIsRefused() {
        Map<String, String> cfg = new HashMap<>(Map.of("dataDir", DATA.toString(), "initLimit", "5", "syncLimit", "2",
                "dynamicConfigFile", "/nope/zoo.cfg.dynamic"));
        assertMentions(rejected(cfg, myid("1")), "dynamicConfigFile", "does not exist");
        Map<Path, String> files = new HashMap<>(myid("1"));
        files.put(Path.of("/nope/zoo.cfg.dynamic"), "version=1\n");
        assertMentions(rejected(cfg, files), "no server.N lines");
    }

    @Test
    void aMissingMyidFileSaysWhereAndWhatToWrite() {
        assertMentions(rejected(docsExample(), Map.of()), "myid file is missing",
                DATA.resolve("myid").toAbsolutePath().toString(), "[1, 2, 3]");
    }

    @Test
    void aMyidThatIsNotANumberIsRefused() {
        assertMentions(rejected(docsExample(), myid("two\n")), "myid", "'two'", "not a server id");
        assertMentions(rejected(docsExample(), myid("")), "myid", "not a server id");
    }

    @Test
    void aMyidNotInTheServerListIsRefused() {
        assertMentions(rejected(docsExample(), myid("7")), "myid 7", "not in the server list", "1, 2, 3");
    }

    @Test
    void onlyElectionAlgorithmThreeIsAccepted() {
        Map<String, String> cfg = docsExample();
        cfg.put("electionAlg", "3");
        assertEquals(2, parse(cfg, myid("2")).ensemble().myId());
        cfg.put("electionAlg", "0");
        assertMentions(rejected(cfg, myid("2")), "electionAlg", "'0'", "only 3");
    }

    @Test
    void oneParticipantRunsStandaloneUnlessStandaloneIsDisabled() {
        Map<String, String> cfg = new HashMap<>(Map.of("dataDir", DATA.toString(), "server.1", "zoo1:2888:3888",
                "initLimit", "5", "syncLimit", "2"));
        PaddockConfig standalone = parse(cfg, Map.of());
        assertNull(standalone.ensemble(), "no myid needed: ZooKeeper runs it standalone");
        assertEquals(1, standalone.serverConfig().serverId());
        assertTrue(standalone.warnings().stream().anyMatch(w -> w.contains("Only one server")));
        assertTrue(standalone.warnings().stream().anyMatch(w -> w.contains("'initLimit'") && w.contains("standalone")),
                standalone.warnings().toString());
        cfg.put("standaloneEnabled", "false");
        Ensemble one = parse(cfg, myid("1")).ensemble();
        assertEquals(Set.of(1L), one.voters());
    }

    @Test
    void observersNeedParticipants() {
        Map<String, String> cfg = new HashMap<>(Map.of("dataDir", DATA.toString(), "initLimit", "5", "syncLimit", "2",
                "server.1", "zoo1:2888:3888:observer", "server.2", "zoo2:2888:3888:observer"));
        assertMentions(rejected(cfg, myid("1")), "only observers");
        cfg.put("server.3", "zoo3:2888:3888");
        assertMentions(rejected(cfg, myid("1")), "one participant", "observers need a quorum");
    }

    @Test
    void twoLinesForOneIdAreRefused() {
        Map<String, String> cfg = docsExample();
        cfg.put("server.01", "zoo4:2888:3888");
        assertMentions(rejected(cfg, myid("1")), "Duplicate server id 1", "server.01", "server.1");
    }

    @Test
    void twoServersOnOneAddressAreRefused() {
        Map<String, String> cfg = docsExample();
        cfg.put("server.3", "zoo2:3888:2888");
        assertMentions(rejected(cfg, myid("1")), "zoo2:3888", "server.2", "server.3");
    }

    @Test
    void initLimitAndSyncLimitAreRequiredAsInZooKeeper() {
        Map<String, String> cfg = docsExample();
        cfg.remove("initLimit");
        assertMentions(rejected(cfg, myid("1")), "initLimit is not set");
        cfg.put("initLimit", "10");
        cfg.remove("syncLimit");
        assertMentions(rejected(cfg, myid("1")), "syncLimit is not set");
        cfg.put("syncLimit", "0");
        assertMentions(rejected(cfg, myid("1")), "syncLimit", "'0'");
    }

    @Test
    void aClientPortGivenTwiceMustAgree() {
        Map<String, String> cfg = docsExample();
        cfg.put("server.1", "zoo1:2888:3888;2181");
        assertEquals(2181, parse(cfg, myid("1")).clientPort());
        cfg.put("server.1", "zoo1:2888:3888;2182");
        assertMentions(rejected(cfg, myid("1")), "2182", "2181", "clientPort");
        cfg.remove("clientPort");
        assertEquals(2182, parse(cfg, myid("1")).clientPort());
    }

    @Test
    void malformedServerLinesNameTheKeyAndTheProblem() {
        Map<String, String[]> cases = Map.of(
                "zoo1:2888", new String[] {"election port is missing"},
                "zoo1:2888:3888:watcher", new String[] {"'watcher'", "participant or observer"},
                "zoo1:2888:70000", new String[] {"'70000'", "1..65535"},
                "zoo1:x:3888", new String[] {"quorum port 'x'"},
                "zoo1:2888:3888|zoo1b:2888:3888", new String[] {"multiAddress"},
                "zoo1:2888:3888;2181;2182", new String[] {"more than one ';'"},
                "zoo1:2888:2888", new String[] {"the same"},
                ":2888:3888", new String[] {"host is empty"});
        cases.forEach((line, fragments) -> {
            Map<String, String> cfg = docsExample();
            cfg.put("server.1", line);
            ConfigException e = rejected(cfg, myid("1"));
            assertMentions(e, fragments);
            assertMentions(e, "server.1");
        });
        Map<String, String> cfg = docsExample();
        cfg.put("server.x", "zoo4:2888:3888");
        assertMentions(rejected(cfg, myid("1")), "server.x", "not a number");
    }

    @Test
    void ipv6AddressesGoInBrackets() {
        Map<String, String> cfg = docsExample();
        cfg.remove("clientPort");
        cfg.put("server.1", "[::1]:2888:3888:participant;[::1]:2181");
        Ensemble.Member m = parse(cfg, myid("1")).ensemble().self();
        assertEquals(new Ensemble.Member(1, "::1", 2888, 3888, false, "::1", 2181), m);
        assertTrue(parse(cfg, myid("1")).ensemble().membershipText("::1", 2181)
                .startsWith("server.1=[::1]:2888:3888:participant;[::1]:2181\n"));
    }

    @Test
    void quorumKeysAreReadUnderBothSpellingsAndFromZooKeepersSystemProperties() {
        Map<String, String> cfg = docsExample();
        cfg.put("zookeeper.commitLogCount", "50");
        cfg.put("quorumListenOnAllIPs", "true");
        cfg.put("electionPortBindRetry", "7");
        PaddockConfig c = parse(cfg, myid("1"), Map.of("zookeeper.cnxTimeout", "1234", "zookeeper.snapCount", "99"));
        assertEquals(50, c.ensemble().committedLogMax());
        assertEquals(1234, c.ensemble().connectTimeoutMs());
        assertTrue(c.ensemble().listenOnAllIps());
        assertEquals(7, c.ensemble().electionPortBindRetry());
        assertEquals(99, c.snapCount());
        assertEquals(List.of(), c.warnings());
        cfg.put("commitLogCount", "60");
        assertMentions(rejected(cfg, myid("1")), "commitLogCount", "same setting");
    }

    @Test
    void weightedQuorumsAreRefusedRatherThanCountedAsAMajority() {
        Map<String, String> cfg = docsExample();
        cfg.put("group.1", "1:2:3");
        assertMentions(rejected(cfg, myid("1")), "group.1", "hierarchical quorums");
    }

    @Test
    void anEnsembleMemberNeedsDurableStorage() {
        Map<String, String> cfg = docsExample();
        cfg.put("storage", "memory");
        assertMentions(rejected(cfg, myid("1")), "storage=memory", "ensemble");
    }

    @Test
    void quorumTlsKeysReachTheTransportUnderZooKeepersNamesFromEverySpelling() {
        Map<String, String> cfg = docsExample();
        cfg.put("sslQuorum", "yes");
        cfg.put("ssl.quorum.keyStore.location", "/etc/zk/quorum.p12");
        cfg.put("zookeeper.ssl.quorum.keyStore.password", "secret");
        cfg.put("transport.ssl.quorum.hostnameVerification", "false");
        PaddockConfig c = parse(cfg, myid("1"), Map.of("zookeeper.ssl.quorum.trustStore.location", "/etc/zk/trust.p12",
                "zookeeper.ssl.quorum.keyStore.location", "/ignored/the/file/wins.p12"));
        assertEquals(Map.of("sslQuorum", "true", "ssl.quorum.keyStore.location", "/etc/zk/quorum.p12",
                "ssl.quorum.keyStore.password", "secret", "ssl.quorum.trustStore.location", "/etc/zk/trust.p12",
                "ssl.quorum.hostnameVerification", "false"), c.transportExtra());
        assertEquals(c.transportExtra(), c.transportConfig().extra());
        assertEquals(List.of(), c.warnings());
        // the client port's ssl.* keys stay apart: no secureClientPort, so they configure nothing
        assertFalse(c.transportExtra().containsKey("ssl.keyStore.location"));
    }

    @Test
    void sslQuorumFromASystemPropertyAndATypoNamesTheKey() {
        PaddockConfig c = parse(docsExample(), myid("1"), Map.of("zookeeper.sslQuorum", "TRUE"));
        assertEquals("true", c.transportExtra().get("sslQuorum"));
        Map<String, String> cfg = docsExample();
        cfg.put("sslQuorum", "ture");
        assertMentions(rejected(cfg, myid("1")), "sslQuorum", "ture");
        cfg.put("sslQuorum", "true");
        cfg.put("transport.sslQuorum", "false");
        assertMentions(rejected(cfg, myid("1")), "transport.sslQuorum", "same setting");
    }

    @Test
    void portUnificationIsRefusedAndCertificateReloadIsAcceptedWithAWarning() {
        Map<String, String> cfg = docsExample();
        cfg.put("sslQuorum", "true");
        cfg.put("portUnification", "true");
        assertMentions(rejected(cfg, myid("1")), "portUnification=true", "not supported");
        cfg.put("portUnification", "false");
        cfg.put("sslQuorumReloadCertFiles", "true");
        PaddockConfig c = parse(cfg, myid("1"));
        assertEquals(1, c.warnings().size(), c.warnings().toString());
        assertTrue(c.warnings().get(0).contains("sslQuorumReloadCertFiles"), c.warnings().toString());
        assertFalse(c.transportExtra().containsKey("portUnification"));
    }
}
