package io.paddock.distro;

import io.paddock.api.storage.StorageConfig;
import io.paddock.api.transport.TransportConfig;
import io.paddock.server.ServerConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
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
 *                                ({@link #CLIENT_SSL_KEYS}) when {@code secureClientPort} is set
 * @param storageExtra            {@code storage.*} keys, prefix removed
 * @param authKeys                {@code auth.<scheme>.*} and ZooKeeper's {@code *AuthenticationProvider.*} keys
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
     * The config keys that may also come from system properties, and the property names consulted in order. These are
     * the names ZooKeeper reads with System.getProperty, plus Paddock's launcher settings.
     */
    static final Map<String, List<String>> SYSTEM_PROPERTY_NAMES = Map.ofEntries(
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
            Map.entry("paddock.ioThreads", List.of("paddock.ioThreads")),
            Map.entry("paddock.outboundBytesMax", List.of("paddock.outboundBytesMax")),
            Map.entry("paddock.handshakeTimeoutMs", List.of("paddock.handshakeTimeoutMs")),
            Map.entry("paddock.pluginsDir", List.of("paddock.pluginsDir")),
            // ZooKeeper's X509Util reads its ssl.* settings as zookeeper.ssl.* system properties
            sslProperty("ssl.keyStore.location"), sslProperty("ssl.keyStore.password"),
            sslProperty("ssl.keyStore.passwordPath"), sslProperty("ssl.keyStore.type"),
            sslProperty("ssl.trustStore.location"), sslProperty("ssl.trustStore.password"),
            sslProperty("ssl.trustStore.passwordPath"), sslProperty("ssl.trustStore.type"),
            sslProperty("ssl.clientAuth"), sslProperty("ssl.hostnameVerification"),
            sslProperty("ssl.clientHostnameVerification"), sslProperty("ssl.protocol"),
            sslProperty("ssl.enabledProtocols"), sslProperty("ssl.ciphersuites"), sslProperty("ssl.crl"),
            sslProperty("ssl.ocsp"), sslProperty("ssl.allowReverseDnsLookup"));

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

    /** Set by the launcher to the installation folder; its {@code plugins/} sub-folder holds extra plugin jars. */
    static final String HOME_PROPERTY = "paddock.home";

    /** ZooKeeper keys Paddock knows but does not act on yet: ignored with a warning that says so. */
    private static final Set<String> NOT_SUPPORTED_YET = Set.of(
            "initLimit", "syncLimit", "peerType", "electionAlg", "electionPort", "quorumListenOnAllIPs",
            "standaloneEnabled", "reconfigEnabled", "dynamicConfigFile", "syncEnabled",
            "localSessionsEnabled", "localSessionsUpgradingEnabled", "skipACL", "cnxTimeout",
            "connectToLearnerMasterLimit", "observerMasterPort", "sslQuorum", "portUnification",
            "client.portUnification", "audit.enable", "snapSizeLimitInKb", "txnLogSizeLimitInKb", "maxCnxns",
            "nio.numSelectorThreads", "nio.numWorkerThreads", "serverCnxnFactory.closeSessionTimeout", "fips-mode");
    private static final List<String> NOT_SUPPORTED_YET_PREFIXES = List.of(
            "server.", "group.", "weight.", "admin.", "metricsProvider.", "ssl.", "quorum.", "authProvider.",
            "multiAddress.", "netty.");

    private static final Pattern LIST_SEPARATOR = Pattern.compile("[,\\s]+");
    private static final Pattern PARTICIPANT_LINE = Pattern.compile("server\\.\\d+");
    private static final Pattern ZK_AUTH_KEY = Pattern.compile("[A-Za-z0-9]+AuthenticationProvider\\..+");

    PaddockConfig {
        fourLetterWords = Collections.unmodifiableSet(new LinkedHashSet<>(fourLetterWords));
        authSchemes = authSchemes == null ? null : Collections.unmodifiableSet(new LinkedHashSet<>(authSchemes));
        transportExtra = Map.copyOf(transportExtra);
        storageExtra = Map.copyOf(storageExtra);
        authKeys = Map.copyOf(authKeys);
        warnings = List.copyOf(warnings);
    }

    /** Parses a zoo.cfg given as its key/value pairs; {@code systemProperty} answers null for an unset property. */
    static PaddockConfig parse(Map<String, String> zooCfg, UnaryOperator<String> systemProperty) {
        return new Parser(zooCfg, systemProperty).parse();
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
        conf.put("serverId", Long.toString(STANDALONE_SERVER_ID));
        return new ServerConfig(STANDALONE_SERVER_ID, tickTimeMs, sessionTimeoutMsMin, sessionTimeoutMsMax,
                fourLetterWords, juteMaxBufferBytes, globalOutstandingLimit, extendedTypesEnabled, conf, quotaEnforced,
                containerCheckIntervalMs);
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

    private static Map.Entry<String, List<String>> sslProperty(String key) {
        return Map.entry(key, List.of("zookeeper." + key));
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
        private final List<String> warnings = new ArrayList<>();

        Parser(Map<String, String> zooCfg, UnaryOperator<String> systemProperty) {
            this.systemProperty = Objects.requireNonNull(systemProperty, "systemProperty");
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
            rejectEnsembles();
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
            Map<String, String> transportExtra = transportExtra(secureClientPort >= 0);
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
            reportLeftovers();
            return new PaddockConfig(tickTimeMs, dataDir, dataLogDir, clientPort, clientPortAddress,
                    secureClientPort, secureClientPortAddress, maxClientCnxns,
                    sessionMin, sessionMax, fourLetterWords, juteMaxBuffer, extendedTypes, superDigest, transport,
                    storage, auth, backlog, outstanding, ioThreads, outboundBytesMax, handshakeTimeoutMs,
                    preAllocKib * 1024, snapCount, forceSync, pluginsDir, transportExtra, storageExtra, authKeys,
                    snapRetainCount, purgeIntervalHours, quotaEnforced, containerCheckIntervalMs, warnings);
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
            if (v == null) {
                return defaultValue;
            }
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

        /** Several participants means an ensemble; running each standalone would split the data, so refuse. */
        private void rejectEnsembles() {
            List<String> participants = new ArrayList<>();
            keys.forEach((key, v) -> {
                if (PARTICIPANT_LINE.matcher(key).matches() && !v.text.contains(":observer")) {
                    participants.add(key);
                }
            });
            if (participants.size() > 1) {
                throw new ConfigException("This config describes an ensemble (" + String.join(", ", participants)
                        + "), but Paddock runs only standalone servers for now (no ZAB yet). Remove the server.N lines"
                        + " to run one standalone server.");
            }
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
         * The {@code transport.*} keys, plus ZooKeeper's client {@code ssl.*} keys (from the file, spelled
         * {@code ssl.X} or {@code zookeeper.ssl.X}, or from {@code zookeeper.ssl.X} system properties) under the
         * names a TLS transport reads. Without a secure port those keys configure nothing, so they are not passed on.
         */
        private Map<String, String> transportExtra(boolean secure) {
            Map<String, String> extra = stripped("transport.");
            for (String key : CLIENT_SSL_KEYS) {
                if (!secure) {
                    Value unused = keys.get(key);
                    if (unused != null) {
                        consumed.add(key);
                        warnings.add("Ignoring " + unused.origin
                                + ": it configures the secure client port, and secureClientPort is not set");
                    }
                    continue;
                }
                String direct = extra.get(key);
                Value v;
                if (direct == null) {
                    v = lookup(key);
                } else {
                    // transport.ssl.X in the file: only ssl.X in the file can disagree; a system property yields
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
            String keyStore = extra.get("ssl.keyStore.location");
            if (secure && (keyStore == null || keyStore.isEmpty())) {
                throw new ConfigException("secureClientPort is set but no key store is: set ssl.keyStore.location"
                        + " (and ssl.keyStore.password or ssl.keyStore.passwordPath) to the server's key and"
                        + " certificate");
            }
            return extra;
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
                boolean zkKnown = NOT_SUPPORTED_YET.contains(key)
                        || NOT_SUPPORTED_YET_PREFIXES.stream().anyMatch(key::startsWith);
                warnings.add(zkKnown
                        ? "Ignoring " + v.origin + ": ZooKeeper setting not supported by Paddock yet"
                        : "Ignoring unknown " + v.origin);
            });
        }
    }
}
