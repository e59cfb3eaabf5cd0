package io.paddock.distro;

import io.paddock.api.storage.StorageConfig;
import io.paddock.api.transport.TransportConfig;
import io.paddock.server.ServerConfig;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * A zoo.cfg, parsed and defaulted once, plus Paddock's own keys. Pure: the caller hands in the file's key/value pairs
 * and a system-property lookup, so every rule here is testable without touching the JVM's state.
 *
 * <p>Rules shared by every key (they follow what ZooKeeper does with the same file):
 * <ul>
 *   <li>Keys and values are trimmed; {@code zookeeper.X} is the same key as {@code X}. Both spellings with different
 *       values is an error.</li>
 *   <li>A value in the file wins over a system property. Only the keys ZooKeeper itself reads from system properties
 *       (see {@link #SYSTEM_PROPERTY_NAMES}) consult them.</li>
 *   <li>Unknown keys are ignored with one warning each ({@link #warnings()}); ZooKeeper passes them on as system
 *       properties, which Paddock does not do.</li>
 *   <li>Numbers are validated with a message that names the key as it was written.</li>
 * </ul>
 *
 * @param tickTimeMs              {@code tickTime}; default 2000 as in ZooKeeper's sample zoo.cfg (its code default is
 *                                3000, but every zoo.cfg people copy says 2000)
 * @param dataDir                 {@code dataDir}; default {@code ./data} (ZooKeeper has no default and refuses to
 *                                start)
 * @param dataLogDir              {@code dataLogDir}; default {@code dataDir}
 * @param clientPort              {@code clientPort}; default 2181 unless {@code secureClientPort} is set, 0 binds an
 *                                ephemeral port, -1 = no plain client port
 * @param clientPortAddress       {@code clientPortAddress}; null binds every interface
 * @param secureClientPort        {@code secureClientPort}, the TLS client port; -1 (the default) = none, 0 binds an
 *                                ephemeral port
 * @param secureClientPortAddress {@code secureClientPortAddress}, defaulting to {@code clientPortAddress}; null binds
 *                                every interface
 * @param maxClientCnxns          {@code maxClientCnxns}: connections per remote IP, 0 = unlimited; default 60
 * @param sessionTimeoutMsMin     {@code minSessionTimeout}; -1/absent = 2 x tickTime
 * @param sessionTimeoutMsMax     {@code maxSessionTimeout}; -1/absent = 20 x tickTime
 * @param fourLetterWords         {@code 4lw.commands.whitelist} expanded; always holds {@code srvr} as in ZooKeeper
 * @param juteMaxBufferBytes      {@code jute.maxbuffer}; default 0xfffff
 * @param extendedTypesEnabled    {@code extendedTypesEnabled} (TTL nodes); default false
 * @param superDigest             {@code DigestAuthenticationProvider.superDigest} or null
 * @param transport               transport provider name: {@code transport=} or mapped from {@code serverCnxnFactory}
 * @param storage                 storage provider name or null (in-memory only)
 * @param authSchemes             auth provider names to enable; null = every provider found
 * @param clientPortListenBacklog {@code clientPortListenBacklog}; -1 = the operating system's default
 * @param globalOutstandingLimit  {@code globalOutstandingLimit}; default 1000
 * @param ioThreads               {@code paddock.ioThreads}; 0 lets the transport choose
 * @param outboundBytesMax        {@code paddock.outboundBytesMax}; default 4 MiB
 * @param handshakeTimeoutMs      {@code paddock.handshakeTimeoutMs} or ZooKeeper's {@code nio.sessionlessCnxnTimeout};
 *                                default max(5 x tickTime, 10 s)
 * @param preAllocBytes           {@code preAllocSize} (given in KiB as in ZooKeeper); default 64 MiB
 * @param snapCount               {@code snapCount}; default 100000
 * @param forceSync               {@code forceSync}; default yes
 * @param pluginsDir              folder of extra plugin jars, or null
 * @param transportExtra          {@code transport.*} keys, prefix removed, plus ZooKeeper's client {@code ssl.*} keys
 *                                ({@link #CLIENT_SSL_KEYS}) when {@code secureClientPort} is set, and
 *                                {@code sslQuorum} / {@code ssl.quorum.*} ({@link #QUORUM_SSL_KEYS}) for an ensemble
 *                                member
 * @param storageExtra            {@code storage.*} keys, prefix removed
 * @param authKeys                {@code auth.<scheme>.*} and ZooKeeper's {@code *AuthenticationProvider.*} keys
 * @param ensemble                the {@code server.N} lines, {@code myid} and quorum keys; null for a standalone server
 *                                (no {@code server.N} lines, or one participant with {@code standaloneEnabled=true})
 * @param warnings                one line per ignored key, to be logged at start
 */
record PaddockConfig(
        int tickTimeMs,
        Path dataDir,
        Path dataLogDir,
        int clientPort,
        String clientPortAddress,
        int secureClientPort,
        String secureClientPortAddress,
        int maxClientCnxns,
        int sessionTimeoutMsMin,
        int sessionTimeoutMsMax,
        Set<String> fourLetterWords,
        int juteMaxBufferBytes,
        boolean extendedTypesEnabled,
        String superDigest,
        String transport,
        String storage,
        Set<String> authSchemes,
        int clientPortListenBacklog,
        int globalOutstandingLimit,
        int ioThreads,
        int outboundBytesMax,
        int handshakeTimeoutMs,
        long preAllocBytes,
        int snapCount,
        boolean forceSync,
        Path pluginsDir,
        Map<String, String> transportExtra,
        Map<String, String> storageExtra,
        Map<String, String> authKeys,
        int snapRetainCount,
        int purgeIntervalHours,
        boolean quotaEnforced,
        long containerCheckIntervalMs,
        Ensemble ensemble,
        List<String> warnings) {

    static final int TICK_TIME_MS_DEFAULT = 2000;
    static final int CLIENT_PORT_DEFAULT = 2181;
    static final String DATA_DIR_DEFAULT = "data";
    static final int MAX_CLIENT_CNXNS_DEFAULT = 60;
    static final int JUTE_MAXBUFFER_DEFAULT = TransportConfig.JUTE_MAXBUFFER_DEFAULT;
    static final int GLOBAL_OUTSTANDING_LIMIT_DEFAULT = 1000;
    static final int OUTBOUND_BYTES_MAX_DEFAULT = 4 << 20;
    static final int HANDSHAKE_TIMEOUT_MS_FLOOR = 10_000;
    static final long PRE_ALLOC_KIB_DEFAULT = 64 * 1024;
    static final int SNAP_COUNT_DEFAULT = 100_000;
    /** ZooKeeper never keeps fewer than 3 snapshots, whatever autopurge.snapRetainCount says. */
    static final int SNAP_RETAIN_COUNT_MIN = 3;
    /** The storage used when the config names none, if installed; {@code storage=memory} keeps data in memory. */
    static final String STORAGE_DEFAULT = "file";
    static final String STORAGE_MEMORY = "memory";
    static final String TRANSPORT_DEFAULT = "nio";
    /** The server id of a standalone server: the top byte of its session ids. */
    static final long STANDALONE_SERVER_ID = 1;

    /** Every four-letter word ZooKeeper 3.9 knows; {@code 4lw.commands.whitelist=*} enables all of them. */
    static final List<String> FOUR_LETTER_WORDS_ALL = List.of(
            "conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "hash", "isro", "mntr", "ruok", "srst", "srvr",
            "stat", "stmk", "wchc", "wchp", "wchs");

    /** ZooKeeper's connection factory classes and the transport each one means here. */
    static final Map<String, String> SERVER_CNXN_FACTORIES = Map.of(
            "org.apache.zookeeper.server.NIOServerCnxnFactory", "nio",
            "org.apache.zookeeper.server.NettyServerCnxnFactory", "netty");

    /**
     * ZooKeeper's {@code ssl.*} keys of the secure client port, as a TLS transport reads them from
     * {@code TransportConfig.extra} (transport-netty's {@code TlsOptions}). The quorum's {@code ssl.quorum.*} and the
     * keys no transport implements ({@code ssl.context.supplier.class}, ...) are not among them.
     */
    static final List<String> CLIENT_SSL_KEYS = List.of(
            "ssl.keyStore.location", "ssl.keyStore.password", "ssl.keyStore.passwordPath", "ssl.keyStore.type",
            "ssl.trustStore.location", "ssl.trustStore.password", "ssl.trustStore.passwordPath", "ssl.trustStore.type",
            "ssl.clientAuth", "ssl.hostnameVerification", "ssl.clientHostnameVerification", "ssl.protocol",
            "ssl.enabledProtocols", "ssl.ciphersuites", "ssl.crl", "ssl.ocsp", "ssl.allowReverseDnsLookup");

    /**
     * TLS between ensemble members: {@code sslQuorum} and ZooKeeper's {@code ssl.quorum.*} keys, passed to the
     * transport in {@code TransportConfig.extra} under these names (transport-netty's quorum TLS reads them; nio
     * refuses {@code sslQuorum=true}). Read only by an ensemble member.
     */
    static final List<String> QUORUM_SSL_KEYS = List.of("sslQuorum",
            "ssl.quorum.keyStore.location", "ssl.quorum.keyStore.password", "ssl.quorum.keyStore.passwordPath",
            "ssl.quorum.keyStore.type", "ssl.quorum.trustStore.location", "ssl.quorum.trustStore.password",
            "ssl.quorum.trustStore.passwordPath", "ssl.quorum.trustStore.type", "ssl.quorum.clientAuth",
            "ssl.quorum.hostnameVerification", "ssl.quorum.clientHostnameVerification", "ssl.quorum.protocol",
            "ssl.quorum.enabledProtocols", "ssl.quorum.ciphersuites", "ssl.quorum.crl", "ssl.quorum.ocsp",
            "ssl.quorum.allowReverseDnsLookup");

    /**
     * The config keys that may also come from system properties, and the property names consulted in order. These are
     * the names ZooKeeper reads with System.getProperty, plus Paddock's launcher settings.
     */
    static final Map<String, List<String>> SYSTEM_PROPERTY_NAMES = withSslProperties(Map.ofEntries(
            Map.entry("jute.maxbuffer", List.of("jute.maxbuffer", "zookeeper.jute.maxbuffer")),
            Map.entry("extendedTypesEnabled", List.of("zookeeper.extendedTypesEnabled")),
            Map.entry("enforceQuota", List.of("zookeeper.enforceQuota")),
            Map.entry("znode.container.checkIntervalMs", List.of("znode.container.checkIntervalMs")),
            Map.entry("DigestAuthenticationProvider.superDigest",
                    List.of("zookeeper.DigestAuthenticationProvider.superDigest")),
            Map.entry("serverCnxnFactory", List.of("zookeeper.serverCnxnFactory")),
            Map.entry("4lw.commands.whitelist", List.of("zookeeper.4lw.commands.whitelist")),
            Map.entry("globalOutstandingLimit", List.of("zookeeper.globalOutstandingLimit")),
            Map.entry("nio.sessionlessCnxnTimeout", List.of("zookeeper.nio.sessionlessCnxnTimeout")),
            Map.entry("forceSync", List.of("zookeeper.forceSync")),
            Map.entry("snapCount", List.of("zookeeper.snapCount")),
            Map.entry("commitLogCount", List.of("zookeeper.commitLogCount")),
            Map.entry("cnxTimeout", List.of("zookeeper.cnxTimeout")),
            Map.entry("electionPortBindRetry", List.of("zookeeper.electionPortBindRetry")),
            Map.entry("paddock.ioThreads", List.of("paddock.ioThreads")),
            Map.entry("paddock.outboundBytesMax", List.of("paddock.outboundBytesMax")),
            Map.entry("paddock.handshakeTimeoutMs", List.of("paddock.handshakeTimeoutMs")),
            Map.entry("paddock.pluginsDir", List.of("paddock.pluginsDir"))));

    /** Set by the launcher to the installation folder; its {@code plugins/} sub-folder holds extra plugin jars. */
    static final String HOME_PROPERTY = "paddock.home";

    /** ZooKeeper keys Paddock knows but does not act on yet: ignored with a warning that says so. */
    private static final Set<String> NOT_SUPPORTED_YET = Set.of(
            "electionPort", "syncEnabled", "localSessionsEnabled", "localSessionsUpgradingEnabled", "skipACL",
            "connectToLearnerMasterLimit", "observerMasterPort", "audit.enable", "snapSizeLimitInKb", "txnLogSizeLimitInKb", "maxCnxns",
            "nio.numSelectorThreads", "nio.numWorkerThreads", "serverCnxnFactory.closeSessionTimeout", "fips-mode");
    /** Ensemble keys: read when the config describes an ensemble, else ignored with a warning that says why. */
    private static final Set<String> ENSEMBLE_KEYS = Set.of(
            "initLimit", "syncLimit", "peerType", "electionAlg", "quorumListenOnAllIPs", "reconfigEnabled",
            "cnxTimeout", "commitLogCount", "electionPortBindRetry", "sslQuorum", "portUnification",
            "sslQuorumReloadCertFiles");
    private static final List<String> NOT_SUPPORTED_YET_PREFIXES = List.of(
            "admin.", "metricsProvider.", "ssl.", "quorum.", "authProvider.",
            "multiAddress.", "netty.");

    private static final Pattern LIST_SEPARATOR = Pattern.compile("[,\\s]+");
    private static final Pattern SERVER_LINE = Pattern.compile("server\\.(.+)");
    private static final Pattern ZK_AUTH_KEY = Pattern.compile("[A-Za-z0-9]+AuthenticationProvider\\..+");

    PaddockConfig {
        fourLetterWords = Collections.unmodifiableSet(new LinkedHashSet<>(fourLetterWords));
        authSchemes = authSchemes == null ? null : Collections.unmodifiableSet(new LinkedHashSet<>(authSchemes));
        transportExtra = Map.copyOf(transportExtra);
        storageExtra = Map.copyOf(storageExtra);
        authKeys = Map.copyOf(authKeys);
        warnings = List.copyOf(warnings);
    }

    /**
     * The files a zoo.cfg points at ({@code dataDir/myid}, {@code dynamicConfigFile}), read by the caller so that
     * parsing stays pure.
     */
    @FunctionalInterface
    interface TextFiles {
        /** The whole file as text, or null if it does not exist. */
        String read(Path path) throws IOException;

        /** No files at all: an ensemble config then fails for its missing {@code myid}. */
        TextFiles NONE = path -> null;
    }

    /**
     * Parses a zoo.cfg given as its key/value pairs; {@code systemProperty} answers null for an unset property. Reads
     * no files, so a config with {@code server.N} lines fails (no {@code myid}); see the three-argument form.
     */
    static PaddockConfig parse(Map<String, String> zooCfg, UnaryOperator<String> systemProperty) {
        return parse(zooCfg, systemProperty, TextFiles.NONE);
    }

    /** As {@link #parse(Map, UnaryOperator)}, reading {@code myid} and {@code dynamicConfigFile} with {@code files}. */
    static PaddockConfig parse(Map<String, String> zooCfg, UnaryOperator<String> systemProperty, TextFiles files) {
        return new Parser(zooCfg, systemProperty, files).parse();
    }

    /** The id this server puts in session ids and shows in {@code conf}: {@code myid}, or 1 standalone. */
    long serverId() {
        return ensemble == null ? STANDALONE_SERVER_ID : ensemble.myId();
    }

    /** The {@link ServerConfig} of a standalone server. */
    ServerConfig serverConfig() {
        Map<String, String> conf = new LinkedHashMap<>();
        // as ZooKeeper: -1 for a port that is not configured; the server shows the bound port in its place
        conf.put("clientPort", Integer.toString(clientPort));
        conf.put("secureClientPort", Integer.toString(secureClientPort));
        // ZooKeeper prints the version-2 folders it really writes to; tools that parse conf expect that shape.
        conf.put("dataDir", versionDir(dataDir));
        conf.put("dataLogDir", versionDir(dataLogDir));
        conf.put("tickTime", Integer.toString(tickTimeMs));
        conf.put("maxClientCnxns", Integer.toString(maxClientCnxns));
        conf.put("minSessionTimeout", Integer.toString(sessionTimeoutMsMin));
        conf.put("maxSessionTimeout", Integer.toString(sessionTimeoutMsMax));
        conf.put("clientPortListenBacklog", Integer.toString(clientPortListenBacklog));
        conf.put("serverId", Long.toString(serverId()));
        if (ensemble != null) {
            // the quorum lines of ZooKeeper's conf output (peerType as its enum ordinal: 0 participant, 1 observer)
            Ensemble.Member self = ensemble.self();
            conf.put("initLimit", Integer.toString(ensemble.initLimitTicks()));
            conf.put("syncLimit", Integer.toString(ensemble.syncLimitTicks()));
            conf.put("electionAlg", "3");
            conf.put("electionPort", Integer.toString(self.electionPort()));
            conf.put("quorumPort", Integer.toString(self.quorumPort()));
            conf.put("peerType", self.observer() ? "1" : "0");
        }
        // The largest txn the leader proposes: what a peer link carries, less ZAB's framing. Standalone uses the
        // same bound, so a write is refused or not whatever the mode.
        return new ServerConfig(serverId(), tickTimeMs, sessionTimeoutMsMin, sessionTimeoutMsMax,
                fourLetterWords, juteMaxBufferBytes, globalOutstandingLimit, extendedTypesEnabled, conf, quotaEnforced,
                containerCheckIntervalMs)
                .withTxnBytesMax(ServerConfig.txnBytesMaxFor(transportConfig().peerFrameBytesMax()));
    }

    TransportConfig transportConfig() {
        return new TransportConfig(ioThreads, juteMaxBufferBytes, outboundBytesMax, handshakeTimeoutMs,
                transportExtra);
    }

    StorageConfig storageConfig() {
        return new StorageConfig(dataDir, dataLogDir, preAllocBytes, snapCount, forceSync, storageExtra);
    }

    /** The backlog to hand the transport: 0 asks the operating system for its default, as -1 does in ZooKeeper. */
    int listenBacklog() {
        return Math.max(0, clientPortListenBacklog);
    }

    /**
     * The plain client port's socket address, empty when only {@code secureClientPort} is configured; resolves
     * {@code clientPortAddress}, so this may ask DNS.
     */
    Optional<InetSocketAddress> clientSocketAddress() {
        return clientPort < 0 ? Optional.empty()
                : Optional.of(socketAddress("clientPortAddress", clientPortAddress, clientPort));
    }

    /** The TLS client port's socket address, if {@code secureClientPort} is set; may ask DNS. */
    Optional<InetSocketAddress> secureClientSocketAddress() {
        if (secureClientPort < 0) {
            return Optional.empty();
        }
        return Optional.of(socketAddress("secureClientPortAddress (default: clientPortAddress)",
                secureClientPortAddress, secureClientPort));
    }

    private static InetSocketAddress socketAddress(String key, String host, int port) {
        if (host == null) {
            return new InetSocketAddress(port);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new ConfigException(key + ": cannot resolve '" + host + "'", e);
        }
    }

    /**
     * The settings handed to the auth provider named {@code scheme}: its {@code auth.<scheme>.*} keys with the prefix
     * removed, plus every ZooKeeper-named {@code *AuthenticationProvider.*} key as written (for example
     * {@code DigestAuthenticationProvider.superDigest}, even when it came from a system property).
     */
    Map<String, String> authSettings(String scheme) {
        Map<String, String> out = new TreeMap<>();
        String prefix = "auth." + scheme + ".";
        authKeys.forEach((key, value) -> {
            if (key.startsWith(prefix)) {
                out.put(key.substring(prefix.length()), value);
            } else if (ZK_AUTH_KEY.matcher(key).matches()) {
                out.put(key, value);
            }
        });
        return out;
    }

    /**
     * {@code names} plus the TLS keys: ZooKeeper's X509Util reads its {@code ssl.*} and {@code ssl.quorum.*} settings
     * as {@code zookeeper.}-prefixed system properties, and a zoo.cfg's {@code sslQuorum} reaches them the same way.
     */
    private static Map<String, List<String>> withSslProperties(Map<String, List<String>> names) {
        Map<String, List<String>> out = new HashMap<>(names);
        for (List<String> keys : List.of(CLIENT_SSL_KEYS, QUORUM_SSL_KEYS)) {
            keys.forEach(key -> out.put(key, List.of("zookeeper." + key)));
        }
        return Map.copyOf(out);
    }

    private static String versionDir(Path dir) {
        return dir.toAbsolutePath().normalize().resolve("version-2").toString();
    }

    /** One parse: tracks which keys were read, so whatever is left can be reported. */
    private static final class Parser {
        /** A normalized key's value and the spelling it was written with, for messages. */
        private record Value(String text, String origin) {}

        private final Map<String, Value> keys = new TreeMap<>();
        private final Set<String> consumed = new HashSet<>();
        private final UnaryOperator<String> systemProperty;
        private final TextFiles files;
        private final List<String> warnings = new ArrayList<>();

        Parser(Map<String, String> zooCfg, UnaryOperator<String> systemProperty, TextFiles files) {
            this.systemProperty = Objects.requireNonNull(systemProperty, "systemProperty");
            this.files = Objects.requireNonNull(files, "files");
            // sorted, so warnings and conflict messages come out in the same order on every run
            for (Map.Entry<String, String> e : new TreeMap<>(Objects.requireNonNull(zooCfg, "zooCfg")).entrySet()) {
                String written = e.getKey().trim();
                if (written.isEmpty()) {
                    continue;
                }
                String key = written.startsWith("zookeeper.") ? written.substring("zookeeper.".length()) : written;
                String text = e.getValue() == null ? "" : e.getValue().trim();
                Value previous = keys.get(key);
                if (previous != null && !previous.text.equals(text)) {
                    throw new ConfigException("Conflicting values for " + previous.origin + " ("
                            + shown(key, previous.text) + ") and zoo.cfg key '" + written + "' (" + shown(key, text)
                            + "): they are the same setting");
                }
                if (previous == null) {
                    keys.put(key, new Value(text, "zoo.cfg key '" + written + "'"));
                }
            }
        }

        PaddockConfig parse() {
            int tickTimeMs = intValue("tickTime", TICK_TIME_MS_DEFAULT, 1, Integer.MAX_VALUE, "milliseconds");
            Path dataDir = path("dataDir", Path.of(DATA_DIR_DEFAULT));
            Path dataLogDir = path("dataLogDir", dataDir);
            int secureClientPort = intValue("secureClientPort", -1, 0, 65535, "a TCP port, 0 = any free port");
            // ZooKeeper may serve a secure port only; 2181 is the default only when neither port is set
            int clientPort = intValue("clientPort", secureClientPort < 0 ? CLIENT_PORT_DEFAULT : -1, 0, 65535,
                    "a TCP port, 0 = any free port");
            String clientPortAddress = address("clientPortAddress");
            String secureClientPortAddress = address("secureClientPortAddress");
            if (secureClientPortAddress != null && secureClientPort < 0) {
                throw new ConfigException("secureClientPortAddress is set but secureClientPort is not set");
            }
            if (secureClientPortAddress == null) {
                secureClientPortAddress = clientPortAddress;
            }
            int maxClientCnxns = intValue("maxClientCnxns", MAX_CLIENT_CNXNS_DEFAULT, 0, Integer.MAX_VALUE,
                    "connections per client IP, 0 = unlimited");
            int sessionMin = sessionTimeout("minSessionTimeout", tickTimeMs, 2);
            int sessionMax = sessionTimeout("maxSessionTimeout", tickTimeMs, 20);
            if (sessionMin > sessionMax) {
                throw new ConfigException("minSessionTimeout (" + sessionMin
                        + " ms) must not be larger than maxSessionTimeout (" + sessionMax + " ms)");
            }
            Set<String> fourLetterWords = fourLetterWords();
            int juteMaxBuffer = juteMaxBuffer();
            boolean extendedTypes = bool("extendedTypesEnabled", false);
            String superDigest = superDigest();
            String transport = transport();
            String storage = optionalName("storage");
            Set<String> auth = authSchemes();
            int backlog = intValue("clientPortListenBacklog", -1, Integer.MIN_VALUE, Integer.MAX_VALUE,
                    "pending connections, -1 = the system default");
            int outstanding = intValue("globalOutstandingLimit", GLOBAL_OUTSTANDING_LIMIT_DEFAULT, 1,
                    Integer.MAX_VALUE, "requests");
            int ioThreads = intValue("paddock.ioThreads", 0, 0, 1024, "threads, 0 = transport's choice");
            int outboundBytesMax = intValue("paddock.outboundBytesMax", OUTBOUND_BYTES_MAX_DEFAULT, 1,
                    Integer.MAX_VALUE, "bytes");
            int handshakeTimeoutMs = handshakeTimeout(tickTimeMs);
            long preAllocKib = longValue("preAllocSize", PRE_ALLOC_KIB_DEFAULT, 1, Long.MAX_VALUE / 1024, "KiB");
            int snapCount = intValue("snapCount", SNAP_COUNT_DEFAULT, 1, Integer.MAX_VALUE, "transactions");
            boolean forceSync = bool("forceSync", true);
            Path pluginsDir = pluginsDir();
            Map<String, String> storageExtra = stripped("storage.");
            Map<String, String> authKeys = authKeys(superDigest);
            int snapRetainCount = intValue("autopurge.snapRetainCount", SNAP_RETAIN_COUNT_MIN, 1, Integer.MAX_VALUE,
                    "snapshots");
            if (snapRetainCount < SNAP_RETAIN_COUNT_MIN) {
                warnings.add("autopurge.snapRetainCount=" + snapRetainCount + " is below " + SNAP_RETAIN_COUNT_MIN
                        + "; keeping " + SNAP_RETAIN_COUNT_MIN + " as ZooKeeper does");
                snapRetainCount = SNAP_RETAIN_COUNT_MIN;
            }
            int purgeIntervalHours = intValue("autopurge.purgeInterval", 0, 0, Integer.MAX_VALUE,
                    "hours, 0 = never");
            boolean quotaEnforced = bool("enforceQuota", false);
            long containerCheckIntervalMs = longValue("znode.container.checkIntervalMs",
                    ServerConfig.CONTAINER_CHECK_INTERVAL_MS_DEFAULT, 1, Long.MAX_VALUE, "ms");
            Ensemble ensemble = ensemble(dataDir);
            // ZooKeeper's client port unification: one plain port that also accepts TLS clients. Ignoring it would
            // leave those clients failing their handshake against a plain port, so it is refused.
            if (bool("client.portUnification", false)) {
                throw new ConfigException("client.portUnification=true is not supported: Paddock's client port is plain"
                        + " or TLS, not both; serve TLS clients on secureClientPort beside clientPort instead");
            }
            Map<String, String> transportExtra = transportExtra(secureClientPort >= 0, ensemble != null);
            if (ensemble != null) {
                if (STORAGE_MEMORY.equals(storage)) {
                    throw new ConfigException("storage=memory cannot be used by an ensemble member: ZAB needs a"
                            + " transaction log on disk; remove storage= or name a storage engine (file, mmap)");
                }
                Ensemble.Member self = ensemble.self();
                if (self.clientPort() >= 0) {
                    Value cp = keys.get("clientPort");
                    if (cp != null && clientPort != self.clientPort()) {
                        throw new ConfigException("The client port of this server (myid " + ensemble.myId()
                                + ") is " + self.clientPort() + " in its server." + self.id() + " line but "
                                + clientPort + " in " + cp.origin + "; give it once, or make them agree");
                    }
                    if (clientPortAddress != null && self.clientHost() != null
                            && !clientPortAddress.equals(self.clientHost())) {
                        throw new ConfigException("The client address of this server (myid " + ensemble.myId()
                                + ") is " + self.clientHost() + " in its server." + self.id() + " line but "
                                + clientPortAddress + " in clientPortAddress; give it once, or make them agree");
                    }
                    clientPort = self.clientPort();
                    if (self.clientHost() != null) {
                        clientPortAddress = self.clientHost();
                    }
                }
            }
            reportLeftovers();
            return new PaddockConfig(tickTimeMs, dataDir, dataLogDir, clientPort, clientPortAddress,
                    secureClientPort, secureClientPortAddress, maxClientCnxns,
                    sessionMin, sessionMax, fourLetterWords, juteMaxBuffer, extendedTypes, superDigest, transport,
                    storage, auth, backlog, outstanding, ioThreads, outboundBytesMax, handshakeTimeoutMs,
                    preAllocKib * 1024, snapCount, forceSync, pluginsDir, transportExtra, storageExtra, authKeys,
                    snapRetainCount, purgeIntervalHours, quotaEnforced, containerCheckIntervalMs, ensemble, warnings);
        }

        /** The value of {@code key} from the file, else from its system properties, else null. */
        private Value lookup(String key) {
            consumed.add(key);
            Value v = keys.get(key);
            if (v != null) {
                return v;
            }
            for (String property : SYSTEM_PROPERTY_NAMES.getOrDefault(key, List.of())) {
                String text = systemProperty.apply(property);
                if (text != null) {
                    return new Value(text.trim(), "system property '" + property + "'");
                }
            }
            return null;
        }

        private int intValue(String key, int defaultValue, int min, int max, String unit) {
            return (int) longValue(key, defaultValue, min, max, unit);
        }

        private long longValue(String key, long defaultValue, long min, long max, String unit) {
            Value v = lookup(key);
            return v == null ? defaultValue : number(v, min, max, unit, false);
        }

        private static long number(Value v, long min, long max, String unit, boolean allowHex) {
            long n;
            try {
                n = allowHex ? Long.decode(v.text) : Long.parseLong(v.text);
            } catch (NumberFormatException e) {
                throw new ConfigException(invalid(v, min, max, unit), e);
            }
            if (n < min || n > max) {
                throw new ConfigException(invalid(v, min, max, unit));
            }
            return n;
        }

        private static String invalid(Value v, long min, long max, String unit) {
            String range;
            if (min <= Integer.MIN_VALUE) {
                range = "an integer";
            } else if (max >= Integer.MAX_VALUE) {
                range = "an integer >= " + min;
            } else {
                range = "an integer in " + min + ".." + max;
            }
            return "Invalid value '" + v.text + "' for " + v.origin + ": expected " + range + " (" + unit + ")";
        }

        private boolean bool(String key, boolean defaultValue) {
            Value v = lookup(key);
            return v == null ? defaultValue : booleanText(v);
        }

        private static boolean booleanText(Value v) {
            switch (v.text.toLowerCase(Locale.ROOT)) {
                case "true":
                case "yes":
                    return true;
                case "false":
                case "no":
                    return false;
                default:
                    throw new ConfigException("Invalid value '" + v.text + "' for " + v.origin
                            + ": expected true or false (yes and no are accepted too)");
            }
        }

        private Path path(String key, Path defaultValue) {
            Value v = lookup(key);
            if (v == null) {
                return defaultValue;
            }
            if (v.text.isEmpty()) {
                throw new ConfigException(v.origin + " is empty: expected a folder");
            }
            try {
                return Path.of(v.text);
            } catch (InvalidPathException e) {
                throw new ConfigException("Invalid value '" + v.text + "' for " + v.origin + ": " + e.getReason(), e);
            }
        }

        /**
         * The ensemble, or null when this config runs one standalone server: no {@code server.N} lines, or a single
         * participant with {@code standaloneEnabled=true} (ZooKeeper ignores such a line and runs standalone).
         * Validates as ZooKeeper's QuorumPeerConfig does, with messages that say what to fix.
         */
        private Ensemble ensemble(Path dataDir) {
            boolean standaloneEnabled = bool("standaloneEnabled", true);
            Map<Long, Ensemble.Member> members = serverLines();
            if (members.isEmpty()) {
                return null;
            }
            long voters = members.values().stream().filter(m -> !m.observer()).count();
            long observers = members.size() - voters;
            if (voters == 0) {
                throw new ConfigException("The server.N lines name only observers (" + ids(members, true)
                        + "): an ensemble needs participants to vote; observers without participants is an invalid"
                        + " configuration");
            }
            if (voters == 1 && standaloneEnabled) {
                if (observers > 0) {
                    throw new ConfigException("The server.N lines name one participant and observers ("
                            + ids(members, true) + "): observers need a quorum of participants; add participants,"
                            + " or set standaloneEnabled=false to run a one-voter ensemble");
                }
                warnings.add("Only one server is listed (server." + members.keySet().iterator().next() + "): running"
                        + " standalone, as ZooKeeper does with standaloneEnabled=true (the line is ignored)");
                return null;
            }
            if (voters == 2) {
                warnings.add("An ensemble of 2 participants tolerates no failure: you need at least 3 servers");
            } else if (voters % 2 == 0) {
                warnings.add("An ensemble of " + voters + " participants tolerates no more failures than one of "
                        + (voters - 1) + "; an odd number of participants is the usual choice");
            }
            rejectSharedPorts(members);
            long myId = myId(dataDir, members);
            Ensemble.Member self = members.get(myId);
            Value peerType = lookup("peerType");
            if (peerType != null && !peerType.text.isEmpty()) {
                boolean observer = Ensemble.Member.learnerType(peerType.text, peerType.origin);
                if (observer != self.observer()) {
                    // ZooKeeper: "Peer type from servers list doesn't match peerType. Defaulting to servers list."
                    warnings.add(peerType.origin + " says " + peerType.text + " but server." + myId + " is listed as "
                            + (self.observer() ? "an observer" : "a participant") + "; the server list wins, as in"
                            + " ZooKeeper");
                }
            }
            Value electionAlg = lookup("electionAlg");
            if (electionAlg != null && !electionAlg.text.equals("3")) {
                throw new ConfigException("Invalid value '" + electionAlg.text + "' for " + electionAlg.origin
                        + ": only 3 (Fast Leader Election over TCP) is supported, as in ZooKeeper 3.6 and later");
            }
            int initLimit = requiredTicks("initLimit");
            int syncLimit = requiredTicks("syncLimit");
            int connectTimeoutMs = intValue("cnxTimeout", Ensemble.CONNECT_TIMEOUT_MS_DEFAULT, 1, Integer.MAX_VALUE,
                    "milliseconds");
            boolean listenOnAllIps = bool("quorumListenOnAllIPs", false);
            int committedLogMax = intValue("commitLogCount", Ensemble.COMMITTED_LOG_MAX_DEFAULT, 1, Integer.MAX_VALUE,
                    "committed proposals kept in memory");
            int bindRetry = intValue("electionPortBindRetry", Ensemble.ELECTION_PORT_BIND_RETRY_DEFAULT, 0,
                    Integer.MAX_VALUE, "retries, 0 = retry forever");
            boolean reconfigEnabled = bool("reconfigEnabled", false);
            if (reconfigEnabled) {
                warnings.add("reconfigEnabled=true: Paddock does not implement dynamic reconfiguration; reconfig"
                        + " requests are refused and the membership stays as configured");
            }
            return new Ensemble(myId, new TreeMap<>(members), initLimit, syncLimit, connectTimeoutMs, listenOnAllIps,
                    committedLogMax, bindRetry, reconfigEnabled);
        }

        /** The server.N lines, from the file or from its dynamicConfigFile (never both, as in ZooKeeper). */
        private Map<Long, Ensemble.Member> serverLines() {
            Map<String, Value> lines = new TreeMap<>();
            for (Map.Entry<String, Value> e : keys.entrySet()) {
                if (SERVER_LINE.matcher(e.getKey()).matches()) {
                    lines.put(e.getKey(), e.getValue());
                }
            }
            rejectWeightedQuorums(keys.keySet(), "zoo.cfg");
            Value dynamic = lookup("dynamicConfigFile");
            if (dynamic != null && !dynamic.text.isEmpty()) {
                if (!lines.isEmpty()) {
                    throw new ConfigException("zoo.cfg has both " + dynamic.origin + " and server.N lines ("
                            + String.join(", ", lines.keySet()) + "): with a dynamicConfigFile the server lines must"
                            + " be in that file only, as in ZooKeeper");
                }
                lines = dynamicFileLines(dynamic);
            }
            Map<Long, Ensemble.Member> members = new TreeMap<>();
            Map<Long, String> keyOfId = new TreeMap<>();
            for (Map.Entry<String, Value> e : lines.entrySet()) {
                consumed.add(e.getKey());
                String suffix = e.getKey().substring("server.".length());
                long id;
                try {
                    id = Long.parseLong(suffix);
                } catch (NumberFormatException ex) {
                    throw new ConfigException("Invalid key " + e.getValue().origin + ": the server id '" + suffix
                            + "' is not a number", ex);
                }
                if (id < 0 || id > Ensemble.ID_MAX) {
                    throw new ConfigException("Invalid key " + e.getValue().origin + ": server ids must be in 0.."
                            + Ensemble.ID_MAX + " (the id is the top byte of session ids, as in ZooKeeper)");
                }
                String previous = keyOfId.put(id, e.getValue().origin);
                if (previous != null) {
                    throw new ConfigException("Duplicate server id " + id + ": " + previous + " and "
                            + e.getValue().origin);
                }
                members.put(id, Ensemble.Member.parse(id, e.getValue().text, e.getValue().origin));
            }
            return members;
        }

        private Map<String, Value> dynamicFileLines(Value dynamic) {
            Path file;
            try {
                file = Path.of(dynamic.text);
            } catch (InvalidPathException e) {
                throw new ConfigException("Invalid value '" + dynamic.text + "' for " + dynamic.origin + ": "
                        + e.getReason(), e);
            }
            String text;
            try {
                text = files.read(file);
            } catch (IOException e) {
                throw new ConfigException("Cannot read the dynamicConfigFile " + file.toAbsolutePath() + ": "
                        + e.getMessage(), e);
            }
            if (text == null) {
                throw new ConfigException("The dynamicConfigFile " + file.toAbsolutePath() + " (" + dynamic.origin
                        + ") does not exist");
            }
            Properties props = new Properties();
            try {
                props.load(new StringReader(text));
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException("Cannot read the dynamicConfigFile " + file.toAbsolutePath() + ": "
                        + e.getMessage(), e);
            }
            Map<String, Value> lines = new TreeMap<>();
            Set<String> names = new TreeSet<>();
            for (String written : props.stringPropertyNames()) {
                String key = written.trim();
                names.add(key);
                String value = props.getProperty(written).trim();
                if (SERVER_LINE.matcher(key).matches()) {
                    lines.put(key, new Value(value, "'" + key + "' in dynamicConfigFile " + file));
                } else if (!key.equals("version") && !key.startsWith("group.") && !key.startsWith("weight.")) {
                    warnings.add("Ignoring '" + key + "' in dynamicConfigFile " + file + ": only server.N lines"
                            + " (and version) belong there");
                }
            }
            rejectWeightedQuorums(names, "dynamicConfigFile " + file);
            if (lines.isEmpty()) {
                throw new ConfigException("The dynamicConfigFile " + file.toAbsolutePath() + " has no server.N lines");
            }
            return lines;
        }

        private static void rejectWeightedQuorums(Set<String> names, String where) {
            for (String key : names) {
                if (key.startsWith("group.") || key.startsWith("weight.")) {
                    throw new ConfigException("Unsupported key '" + key + "' in " + where + ": hierarchical quorums"
                            + " (group.N / weight.N) are not implemented; Paddock counts a majority of the"
                            + " participants");
                }
            }
        }

        /** Two members cannot bind the same quorum or election port on the same host. */
        private static void rejectSharedPorts(Map<Long, Ensemble.Member> members) {
            Map<String, String> used = new TreeMap<>();
            for (Ensemble.Member m : members.values()) {
                for (String[] port : new String[][] {{"quorum", Integer.toString(m.quorumPort())},
                        {"election", Integer.toString(m.electionPort())}}) {
                    String address = m.host().toLowerCase(Locale.ROOT) + ":" + port[1];
                    String what = "the " + port[0] + " port of server." + m.id();
                    String other = used.put(address, what);
                    if (other != null) {
                        throw new ConfigException("Two server.N lines use the address " + address + " (" + other
                                + " and " + what + "); every quorum and election port needs its own address");
                    }
                }
            }
        }

        /** {@code dataDir/myid}: one line holding this server's id, which must be one of the server.N ids. */
        private long myId(Path dataDir, Map<Long, Ensemble.Member> members) {
            Path file = dataDir.resolve("myid");
            String text;
            try {
                text = files.read(file);
            } catch (IOException e) {
                throw new ConfigException("Cannot read the myid file " + file.toAbsolutePath() + ": "
                        + e.getMessage(), e);
            }
            if (text == null) {
                throw new ConfigException("The myid file is missing: " + file.toAbsolutePath() + " must hold this"
                        + " server's id, one of " + members.keySet() + " (the N of its server.N line), e.g. `echo 1 > "
                        + file + "`");
            }
            String line = text.strip();
            int newline = line.indexOf('\n');
            if (newline >= 0) {
                line = line.substring(0, newline).strip();
            }
            long id;
            try {
                id = Long.parseLong(line);
            } catch (NumberFormatException e) {
                throw new ConfigException("The myid file " + file.toAbsolutePath() + " holds '" + line
                        + "', which is not a server id: it must hold one number, one of " + members.keySet(), e);
            }
            if (!members.containsKey(id)) {
                throw new ConfigException("myid " + id + " (from " + file.toAbsolutePath() + ") is not in the server"
                        + " list: the config names server " + members.keySet().stream().map(String::valueOf)
                        .reduce((a, b) -> a + ", " + b).orElse("") + "; fix the myid file or add server." + id);
            }
            return id;
        }

        /** {@code initLimit} and {@code syncLimit}: ZooKeeper refuses to start an ensemble without them. */
        private int requiredTicks(String key) {
            Value v = lookup(key);
            if (v == null || v.text.isEmpty()) {
                throw new ConfigException(key + " is not set: an ensemble needs it (in ticks of tickTime; ZooKeeper's"
                        + " sample zoo.cfg has initLimit=10, syncLimit=5)");
            }
            return (int) number(v, 1, Integer.MAX_VALUE, "ticks", false);
        }

        private static String ids(Map<Long, Ensemble.Member> members, boolean withKind) {
            List<String> out = new ArrayList<>();
            members.values().forEach(m -> out.add("server." + m.id()
                    + (withKind ? (m.observer() ? " observer" : " participant") : "")));
            return String.join(", ", out);
        }

        private String address(String key) {
            Value v = lookup(key);
            if (v == null || v.text.isEmpty()) {
                return null;
            }
            String host = v.text;
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return host;
        }

        private int sessionTimeout(String key, int tickTimeMs, int ticks) {
            Value v = lookup(key);
            long n = v == null ? -1 : number(v, -1, Integer.MAX_VALUE, "milliseconds, -1 = " + ticks + " x tickTime",
                    false);
            if (n == 0) {
                throw new ConfigException("Invalid value '0' for " + v.origin
                        + ": expected a positive number of milliseconds, or -1 for " + ticks + " x tickTime");
            }
            if (n > 0) {
                return (int) n;
            }
            long derived = (long) tickTimeMs * ticks;
            if (derived > Integer.MAX_VALUE) {
                throw new ConfigException("tickTime " + tickTimeMs + " is too large: " + key + " = " + ticks
                        + " x tickTime does not fit in an int; set " + key + " explicitly");
            }
            return (int) derived;
        }

        private Set<String> fourLetterWords() {
            Value v = lookup("4lw.commands.whitelist");
            Set<String> out = new LinkedHashSet<>();
            if (v != null) {
                for (String word : LIST_SEPARATOR.split(v.text)) {
                    if (word.isEmpty()) {
                        continue;
                    }
                    if (word.equals("*")) {
                        out.addAll(FOUR_LETTER_WORDS_ALL);
                    } else if (FOUR_LETTER_WORDS_ALL.contains(word)) {
                        out.add(word);
                    } else {
                        warnings.add(v.origin + " names '" + word + "', which is not a four-letter word; ignored"
                                + " (known: " + String.join(" ", FOUR_LETTER_WORDS_ALL) + ")");
                    }
                }
            }
            // ZooKeeper always enables srvr: zkServer.sh status depends on it.
            out.add("srvr");
            return out;
        }

        private int juteMaxBuffer() {
            Value v = lookup("jute.maxbuffer");
            // ZooKeeper reads it with Integer.getInteger, so 0xfffff is as valid as 1048575.
            return v == null ? JUTE_MAXBUFFER_DEFAULT : (int) number(v, 1, Integer.MAX_VALUE, "bytes", true);
        }

        private String superDigest() {
            Value v = lookup("DigestAuthenticationProvider.superDigest");
            if (v == null || v.text.isEmpty()) {
                return null;
            }
            int colon = v.text.indexOf(':');
            if (colon <= 0 || colon == v.text.length() - 1) {
                throw new ConfigException("Invalid value for " + v.origin
                        + ": expected user:base64(sha1(user:password)), as printed by DigestAuthenticationProvider");
            }
            return v.text;
        }

        /** {@code transport=} and ZooKeeper's {@code serverCnxnFactory} name the same choice; they must agree. */
        private String transport() {
            Value factory = lookup("serverCnxnFactory");
            String fromFactory = null;
            if (factory != null && !factory.text.isEmpty()) {
                fromFactory = SERVER_CNXN_FACTORIES.get(factory.text);
                if (fromFactory == null) {
                    fromFactory = SERVER_CNXN_FACTORIES.entrySet().stream()
                            .filter(e -> e.getKey().endsWith("." + factory.text))
                            .map(Map.Entry::getValue).findFirst().orElse(null);
                }
                if (fromFactory == null) {
                    throw new ConfigException("Unsupported " + factory.origin + " '" + factory.text
                            + "': expected one of " + new TreeMap<>(SERVER_CNXN_FACTORIES).keySet()
                            + ", or use transport=<name>");
                }
            }
            String named = optionalName("transport");
            if (named != null && fromFactory != null && !named.equals(fromFactory)) {
                throw new ConfigException("transport=" + named + " contradicts " + factory.origin + "='" + factory.text
                        + "' (which means transport=" + fromFactory + "); keep one of them");
            }
            return named != null ? named : fromFactory != null ? fromFactory : TRANSPORT_DEFAULT;
        }

        private String optionalName(String key) {
            Value v = lookup(key);
            return v == null || v.text.isEmpty() ? null : v.text;
        }

        /** Absent or {@code *}: every provider found. Empty: none (only the built-in world and auth schemes). */
        private Set<String> authSchemes() {
            Value v = lookup("auth");
            if (v == null || v.text.equals("*")) {
                return null;
            }
            Set<String> out = new LinkedHashSet<>();
            for (String name : LIST_SEPARATOR.split(v.text)) {
                if (!name.isEmpty()) {
                    out.add(name);
                }
            }
            return out;
        }

        private int handshakeTimeout(int tickTimeMs) {
            Value v = lookup("paddock.handshakeTimeoutMs");
            if (v == null) {
                v = lookup("nio.sessionlessCnxnTimeout");
            } else {
                consumed.add("nio.sessionlessCnxnTimeout");
            }
            if (v != null) {
                return (int) number(v, 1, Integer.MAX_VALUE, "milliseconds", false);
            }
            // ZooKeeper closes a connection that sent nothing after 10 s; scale up for slow, large-tick setups.
            return (int) Math.min(Integer.MAX_VALUE, Math.max(5L * tickTimeMs, HANDSHAKE_TIMEOUT_MS_FLOOR));
        }

        private Path pluginsDir() {
            Value v = lookup("paddock.pluginsDir");
            if (v != null && !v.text.isEmpty()) {
                return path("paddock.pluginsDir", null);
            }
            String home = systemProperty.apply(HOME_PROPERTY);
            if (home == null || home.isBlank()) {
                return null;
            }
            try {
                return Path.of(home.trim()).resolve("plugins");
            } catch (InvalidPathException e) {
                throw new ConfigException("Invalid system property '" + HOME_PROPERTY + "': " + e.getReason(), e);
            }
        }

        /**
         * The {@code transport.*} keys, plus ZooKeeper's TLS keys under the names a TLS transport reads: the client
         * {@code ssl.*} keys when there is a secure port, and {@code sslQuorum} with the {@code ssl.quorum.*} keys
         * for an ensemble member. Each comes from the file, spelled {@code X} or {@code zookeeper.X}, or from a
         * {@code zookeeper.X} system property. Keys that configure nothing here are not passed on; those in the file
         * are ignored with a warning.
         */
        private Map<String, String> transportExtra(boolean secure, boolean ensemble) {
            Map<String, String> extra = stripped("transport.");
            copyTlsKeys(extra, CLIENT_SSL_KEYS, secure,
                    "it configures the secure client port, and secureClientPort is not set");
            String keyStore = extra.get("ssl.keyStore.location");
            if (secure && (keyStore == null || keyStore.isEmpty())) {
                throw new ConfigException("secureClientPort is set but no key store is: set ssl.keyStore.location"
                        + " (and ssl.keyStore.password or ssl.keyStore.passwordPath) to the server's key and"
                        + " certificate");
            }
            if (!ensemble) {
                // reportLeftovers() warns about sslQuorum and ssl.quorum.* in the file; transport.X is said here
                for (String key : QUORUM_SSL_KEYS) {
                    if (extra.remove(key) != null) {
                        warnings.add("Ignoring zoo.cfg key 'transport." + key + "': it configures TLS between"
                                + " ensemble members, and this server runs standalone");
                    }
                }
                return extra;
            }
            copyTlsKeys(extra, QUORUM_SSL_KEYS, true, null);
            String sslQuorum = extra.get("sslQuorum");
            if (sslQuorum != null) {
                // checked here so a typo is a config error naming the key, whatever the transport
                Value written = keys.containsKey("sslQuorum") ? keys.get("sslQuorum") : keys.get("transport.sslQuorum");
                String origin = written != null ? written.origin : "system property 'zookeeper.sslQuorum'";
                extra.put("sslQuorum", Boolean.toString(booleanText(new Value(sslQuorum, origin))));
            }
            if (bool("portUnification", false)) {
                // ZooKeeper's quorum port unification lets TLS and plain peers share the quorum port during a
                // rolling switch to sslQuorum; ignoring it would split such an ensemble, so it is refused.
                throw new ConfigException("portUnification=true is not supported: a Paddock peer port is either TLS"
                        + " (sslQuorum=true, on every member) or plain; switch the whole ensemble at once, with all"
                        + " members stopped");
            }
            if (bool("sslQuorumReloadCertFiles", false)) {
                warnings.add("sslQuorumReloadCertFiles=true is ignored: the quorum key and trust stores are read once"
                        + " at start; restart the member to use new certificate files");
            }
            return extra;
        }

        /**
         * Copies the TLS {@code names} into {@code extra}. {@code transport.X} already there wins over a system
         * property, and must agree with {@code X} in the file. With {@code used} false, {@code X} in the file is
         * consumed with a warning ending in {@code unusedReason} and nothing is copied.
         */
        private void copyTlsKeys(Map<String, String> extra, List<String> names, boolean used, String unusedReason) {
            for (String key : names) {
                if (!used) {
                    Value unused = keys.get(key);
                    if (unused != null) {
                        consumed.add(key);
                        warnings.add("Ignoring " + unused.origin + ": " + unusedReason);
                    }
                    continue;
                }
                String direct = extra.get(key);
                Value v;
                if (direct == null) {
                    v = lookup(key);
                } else {
                    // transport.X in the file: only X in the file can disagree; a system property yields
                    consumed.add(key);
                    v = keys.get(key);
                }
                if (v == null) {
                    continue;
                }
                if (direct != null && !direct.equals(v.text)) {
                    throw new ConfigException("Conflicting values for zoo.cfg key 'transport." + key + "' ("
                            + shown(key, direct) + ") and " + v.origin + " (" + shown(key, v.text)
                            + "): they are the same setting");
                }
                extra.put(key, v.text);
            }
        }

        /** A value for a message; passwords are never shown. */
        private static String shown(String key, String text) {
            return key.toLowerCase(Locale.ROOT).contains("password") && !key.endsWith("passwordPath")
                    ? "(a password)" : "'" + text + "'";
        }

        private Map<String, String> stripped(String prefix) {
            Map<String, String> out = new TreeMap<>();
            keys.forEach((key, v) -> {
                if (key.startsWith(prefix) && key.length() > prefix.length()) {
                    consumed.add(key);
                    out.put(key.substring(prefix.length()), v.text);
                }
            });
            return out;
        }

        private Map<String, String> authKeys(String superDigest) {
            Map<String, String> out = new TreeMap<>();
            keys.forEach((key, v) -> {
                if ((key.startsWith("auth.") && key.indexOf('.', "auth.".length()) > "auth.".length())
                        || ZK_AUTH_KEY.matcher(key).matches()) {
                    consumed.add(key);
                    out.put(key, v.text);
                }
            });
            if (superDigest != null) {
                out.put("DigestAuthenticationProvider.superDigest", superDigest);
            }
            return out;
        }

        private void reportLeftovers() {
            keys.forEach((key, v) -> {
                if (consumed.contains(key)) {
                    return;
                }
                if (ENSEMBLE_KEYS.contains(key) || key.startsWith("ssl.quorum.")) {
                    warnings.add("Ignoring " + v.origin + ": it configures an ensemble, and this server runs"
                            + " standalone");
                    return;
                }
                boolean zkKnown = NOT_SUPPORTED_YET.contains(key)
                        || NOT_SUPPORTED_YET_PREFIXES.stream().anyMatch(key::startsWith);
                warnings.add(zkKnown
                        ? "Ignoring " + v.origin + ": ZooKeeper setting not supported by Paddock yet"
                        : "Ignoring unknown " + v.origin);
            });
        }
    }
}
