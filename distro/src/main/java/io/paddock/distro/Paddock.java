package io.paddock.distro;

import io.paddock.api.PeerId;
import io.paddock.api.auth.AuthProvider;
import io.paddock.api.auth.AuthScheme;
import io.paddock.api.election.ElectionConfig;
import io.paddock.api.election.ElectionProvider;
import io.paddock.api.election.ElectionService;
import io.paddock.api.election.ElectionServiceConfig;
import io.paddock.api.replication.Role;
import io.paddock.api.storage.Storage;
import io.paddock.api.storage.StorageConfig;
import io.paddock.api.storage.StorageProvider;
import io.paddock.api.transport.ClientListener;
import io.paddock.api.transport.Transport;
import io.paddock.api.transport.TransportProvider;
import io.paddock.server.StandaloneReplicator;
import io.paddock.server.ZkServer;
import io.paddock.zab.ZabConfig;
import io.paddock.zab.ZabPeerSettings;
import io.paddock.zab.ZabSnapshotPolicy;
import io.paddock.zab.replicator.ZabReplicator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Paddock server, standalone or one member of an ensemble: the composition root that turns a zoo.cfg into a
 * server, a replicator (the standalone one, or ZAB with Fast Leader Election when the config has {@code server.N}
 * lines), a transport and its bound client ports: the plain {@code clientPort}, the TLS {@code secureClientPort}, or
 * both.
 *
 * <pre>{@code
 * try (Paddock paddock = Paddock.start(Map.of("clientPort", "0", "clientPortAddress", "127.0.0.1"))) {
 *     InetSocketAddress address = paddock.clientAddress();
 *     ...
 * }
 * }</pre>
 */
public final class Paddock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Paddock.class);
    /** Writes queued between the server's prepare stage and the standalone replicator before back-pressure. */
    private static final int REPLICATION_QUEUE_CAPACITY = 10_000;
    /** Names the server keeps for its built-in schemes; a provider may not take them. */
    private static final Set<String> BUILT_IN_SCHEMES = Set.of("world", "auth");
    /** The election plugin of an ensemble: ZooKeeper's electionAlg=3, the only one it still has. */
    static final String ELECTION_FLE = "fle";
    /** FLE's tick in ms: tickTime, but no coarser than this (ZooKeeper's finalize wait is 200 ms). */
    static final int ELECTION_TICK_MS_MAX = 100;
    /** Cap of FLE's re-send back-off, ZooKeeper's {@code zookeeper.fle.maxNotificationInterval} default. */
    static final long ELECTION_RESEND_MS_MAX = 60_000;
    /**
     * How the storage engines' folder lock (storage-support's {@code DirectoryLock}) ends its refusal, whether the
     * holder is another process or another open storage in this one; no other storage error says it.
     */
    static final String FOLDER_IN_USE_MARK = "must not share a data folder";

    private final ZkServer server;
    /** What {@link #close()} closes after the client listeners, in order. */
    private final List<Closing> closeOrder;
    private final ZabReplicator ensembleReplicator; // null: standalone
    private final ClientListener listener; // null: secureClientPort only
    private final ClientListener secureListener; // null: no secureClientPort
    private final InetSocketAddress clientAddress;
    private final InetSocketAddress secureClientAddress;
    private final long serverId;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    /** Something to close and its name for the log. */
    private record Closing(AutoCloseable what, String name) {}

    private Paddock(long serverId, ZkServer server, List<Closing> closeOrder, ZabReplicator ensembleReplicator,
            ClientListener listener, ClientListener secureListener) {
        this.serverId = serverId;
        this.server = server;
        this.closeOrder = List.copyOf(closeOrder);
        this.ensembleReplicator = ensembleReplicator;
        this.listener = listener;
        this.secureListener = secureListener;
        this.clientAddress = listener == null ? null : listener.localAddress();
        this.secureClientAddress = secureListener == null ? null : secureListener.localAddress();
    }

    /**
     * Starts a server from zoo.cfg settings, keyed exactly as in the file: standalone, or one ensemble member when the
     * settings hold {@code server.N} lines (its id is read from {@code dataDir/myid}). Unset keys take ZooKeeper's
     * defaults (see the README); {@code clientPort=0} binds a free port, read it back with {@link #clientAddress()}.
     * An ensemble member returns once its ports are bound, usually before its first election ends; {@link #role()}
     * tells when it leads, follows or observes.
     *
     * @throws ConfigException       if a value is malformed, a named provider is missing, a key store named by the
     *                               {@code ssl.*} or {@code ssl.quorum.*} keys cannot be used,
     *                               {@code secureClientPort} or {@code sslQuorum=true} is set with a transport that
     *                               has no TLS, or the ensemble settings are unusable (myid missing or not listed,
     *                               electionAlg other than 3, initLimit unset, ...)
     * @throws UncheckedIOException  if a client, election or quorum port cannot be bound, the data cannot be read, or
     *                               the data folders are in use by another server
     */
    public static Paddock start(Map<String, String> zooCfg) {
        return start(PaddockConfig.parse(zooCfg, System::getProperty, Paddock::readTextFile));
    }

    /**
     * This server's role: {@code STANDALONE}, or in an ensemble {@code LEADER}, {@code FOLLOWER}, {@code OBSERVER},
     * or {@code LOOKING} while it elects or syncs.
     */
    public Role role() {
        return ensembleReplicator == null ? Role.STANDALONE : ensembleReplicator.role();
    }

    /** {@code myid} in an ensemble, 1 standalone. */
    public long serverId() {
        return serverId;
    }

    /** The files a zoo.cfg names (myid, dynamicConfigFile): read from disk, relative to the working folder. */
    static String readTextFile(Path path) throws IOException {
        try {
            return Files.readString(path, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** As {@link #start(Map)}, from a zoo.cfg file (java.util.Properties syntax, as ZooKeeper reads it). */
    public static Paddock start(Path zooCfgFile) {
        return start(readZooCfg(zooCfgFile));
    }

    /**
     * The address the plain client port is bound to, with the real port when {@code clientPort=0} was asked for.
     *
     * @throws IllegalStateException if the config sets only {@code secureClientPort}, so there is no plain port
     */
    public InetSocketAddress clientAddress() {
        if (clientAddress == null) {
            throw new IllegalStateException("No plain client port: only secureClientPort is configured (on "
                    + secureClientAddress + "); see secureClientAddress()");
        }
        return clientAddress;
    }

    /**
     * The address the TLS client port ({@code secureClientPort}) is bound to, with the real port when
     * {@code secureClientPort=0} was asked for; empty when the config does not set it.
     */
    public Optional<InetSocketAddress> secureClientAddress() {
        return Optional.ofNullable(secureClientAddress);
    }

    /** Where clients connect, for log lines: {@code host:port}, then the TLS port if there is one. */
    String endpoints() {
        String secure = secureClientAddress == null ? ""
                : "TLS " + secureClientAddress.getHostString() + ":" + secureClientAddress.getPort();
        if (clientAddress == null) {
            return secure;
        }
        return clientAddress.getHostString() + ":" + clientAddress.getPort() + (secure.isEmpty() ? "" : ", " + secure);
    }

    /** Stops accepting, closes every connection, then stops replication and the server. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        LOG.info("Stopping Paddock on {}", endpoints());
        if (secureListener != null) {
            closeQuietly(secureListener, "secure client listener");
        }
        if (listener != null) {
            closeQuietly(listener, "client listener");
        }
        for (Closing c : closeOrder) {
            closeQuietly(c.what(), c.name());
        }
        stopped.countDown();
        LOG.info("Paddock stopped");
    }

    /** Blocks until {@link #close()} has finished. */
    void awaitClosed() throws InterruptedException {
        stopped.await();
    }

    static Map<String, String> readZooCfg(Path file) {
        Properties properties = new Properties();
        // ZooKeeper reads zoo.cfg with Properties.load(InputStream): ISO-8859-1 and backslash escapes.
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (NoSuchFileException e) {
            throw new ConfigException("Config file not found: " + file.toAbsolutePath(), e);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("Cannot read config file " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        Map<String, String> out = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            out.put(key, properties.getProperty(key));
        }
        return out;
    }

    static Paddock start(PaddockConfig config) {
        config.warnings().forEach(LOG::warn);
        Plugins plugins = Plugins.discover(config.pluginsDir());
        TransportProvider transportProvider = plugins.transports().select(config.transport());
        Ensemble ensemble = config.ensemble();
        // standalone: the standalone replicator's durability; ensemble: a storage engine and the election plugin
        StandaloneReplicator.Durability durability = ensemble == null ? durability(plugins, config) : null;
        StorageProvider storageProvider = ensemble == null ? null : ensembleStorage(plugins, config);
        ElectionProvider electionProvider = ensemble == null ? null : plugins.election().select(ELECTION_FLE);
        List<AuthScheme> authSchemes = authSchemes(plugins, config);
        Optional<InetSocketAddress> bindAddress = config.clientSocketAddress();
        Optional<InetSocketAddress> secureBindAddress = config.secureClientSocketAddress();

        Deque<AutoCloseable> started = new ArrayDeque<>();
        try {
            // first: a key store that cannot be used stops start-up before the data is recovered
            Transport transport = createTransport(transportProvider, config);
            started.push(transport);
            ZkServer server = new ZkServer(config.serverConfig(), System::currentTimeMillis, System::nanoTime,
                    authSchemes);
            started.push(server);
            List<Closing> closeOrder = new ArrayList<>();
            ZabReplicator zab = null;
            if (ensemble == null) {
                StandaloneReplicator replicator = new StandaloneReplicator(server.stateMachine(),
                        REPLICATION_QUEUE_CAPACITY, durability);
                started.push(replicator);
                server.start(replicator);
                try {
                    replicator.start();
                } catch (IOException e) {
                    throw dataFailure("Cannot recover the data in", config, e);
                }
                closeOrder.add(new Closing(transport, "transport"));
                closeOrder.add(new Closing(replicator, "replicator"));
                closeOrder.add(new Closing(server, "server"));
            } else {
                Storage storage = openStorage(storageProvider, config);
                started.push(storage);
                ElectionService election = startElection(electionProvider, config, ensemble, transport);
                started.push(election);
                zab = openReplicator(config, ensemble, server, storage, transport, election);
                started.push(zab);
                server.start(zab);
                zab.start();
                // The election service first: a leader whose election still answers LEADING after its quorum
                // links closed would pull its followers straight back to it (zab/README "Leader shutdown order").
                closeOrder.add(new Closing(election, "election service"));
                closeOrder.add(new Closing(zab, "replicator"));
                closeOrder.add(new Closing(server, "server"));
                closeOrder.add(new Closing(transport, "transport"));
                closeOrder.add(new Closing(storage, "storage"));
            }
            ClientListener listener = null;
            if (bindAddress.isPresent()) {
                try {
                    listener = transport.listenForClients(bindAddress.get(), config.listenBacklog(),
                            config.maxClientCnxns(), server.connectionHandler());
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot bind the client port " + bindAddress.get() + ": "
                            + e.getMessage(), e);
                }
                started.push(listener);
                server.clientListenerBound(listener);
            }
            ClientListener secureListener = null;
            if (secureBindAddress.isPresent()) {
                secureListener = listenForSecureClients(transport, secureBindAddress.get(), config, server);
                started.push(secureListener);
                server.secureClientListenerBound(secureListener);
            }
            if (ensemble != null) {
                server.ensembleMembership(listener == null ? ensemble.membershipText(null, -1)
                        : ensemble.membershipText(listener.localAddress().getAddress().getHostAddress(),
                                listener.localAddress().getPort()));
            }
            Paddock paddock = new Paddock(config.serverId(), server, closeOrder, zab, listener, secureListener);
            // "serving clients on <address>" is read by crash-tests' ServerProcess: keep its shape
            LOG.info("Paddock serving {} (transport {}, auth schemes {}, tickTime {} ms, dataDir {}{})",
                    paddock.clientAddress == null ? "TLS clients on " + paddock.secureClientAddress
                            : "clients on " + paddock.clientAddress + (paddock.secureClientAddress == null ? ""
                                    : " and TLS clients on " + paddock.secureClientAddress),
                    config.transport(), schemeNames(authSchemes), config.tickTimeMs(),
                    config.dataDir().toAbsolutePath().normalize(), ensemble == null ? ""
                            : ", ensemble member " + ensemble.myId() + " of " + ensemble.members().keySet()
                                    + (ensemble.self().observer() ? " as an observer" : ""));
            return paddock;
        } catch (RuntimeException | Error e) {
            while (!started.isEmpty()) {
                AutoCloseable c = started.pop();
                try {
                    c.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** The storage engine of an ensemble member: {@code storage=}, else {@code file}; never memory-only. */
    private static StorageProvider ensembleStorage(Plugins plugins, PaddockConfig config) {
        String name = config.storage() == null ? PaddockConfig.STORAGE_DEFAULT : config.storage();
        if (!config.forceSync()) {
            LOG.warn("forceSync=no: acknowledged writes can be lost in a power failure (for tests and benchmarks)");
        }
        return plugins.storage().select(name);
    }

    private static Storage openStorage(StorageProvider provider, PaddockConfig config) {
        try {
            return provider.open(config.storageConfig());
        } catch (IOException e) {
            throw dataFailure("Cannot open the data in", config, e);
        }
    }

    /**
     * The start-up error for data that cannot be opened. A folder another server holds (the storage's folder lock
     * refused it) is not damaged data, so its message says that it is in use rather than that it cannot be recovered.
     */
    static UncheckedIOException dataFailure(String cannot, PaddockConfig config, IOException e) {
        String folders = config.dataDir().toAbsolutePath() + " / " + config.dataLogDir().toAbsolutePath();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains(FOLDER_IN_USE_MARK)) {
                return new UncheckedIOException("The data folders " + folders + " are in use by another server ("
                        + t.getMessage() + "); stop it, or give this server its own dataDir and dataLogDir", e);
            }
        }
        return new UncheckedIOException(cannot + " " + folders + ": " + e.getMessage(), e);
    }

    /**
     * Starts Fast Leader Election on this member's election port. Its tick is finer than tickTime (at most
     * {@link #ELECTION_TICK_MS_MAX}): FLE counts its finalize wait and re-sends in ticks, and ZooKeeper's finalize
     * wait is 200 ms, not two tickTimes.
     */
    private static ElectionService startElection(ElectionProvider provider, PaddockConfig config, Ensemble ensemble,
            Transport transport) {
        int tickMs = Math.min(config.tickTimeMs(), ELECTION_TICK_MS_MAX);
        int resendTicksMax = (int) Math.max(1, (ELECTION_RESEND_MS_MAX + tickMs - 1) / tickMs);
        Set<PeerId> voters = new TreeSet<>();
        ensemble.voters().forEach(id -> voters.add(new PeerId(id)));
        Set<PeerId> observers = new TreeSet<>();
        ensemble.observers().forEach(id -> observers.add(new PeerId(id)));
        Map<PeerId, InetSocketAddress> peers = new TreeMap<>();
        for (Ensemble.Member m : ensemble.members().values()) {
            if (m.id() != ensemble.myId()) {
                peers.put(new PeerId(m.id()), new InetSocketAddress(m.host(), m.electionPort()));
            }
        }
        Ensemble.Member self = ensemble.self();
        InetSocketAddress listen = listenAddress(ensemble, self.electionPort(), "election");
        ElectionServiceConfig serviceConfig = new ElectionServiceConfig(
                new ElectionConfig(new PeerId(ensemble.myId()), voters, observers, resendTicksMax), listen, peers,
                tickMs, ensemble.connectTimeoutMs());
        try {
            return provider.start(serviceConfig, transport, System::nanoTime);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot bind the election port " + listen + " (server." + self.id() + "): "
                    + e.getMessage(), e);
        }
    }

    private static ZabReplicator openReplicator(PaddockConfig config, Ensemble ensemble, ZkServer server,
            Storage storage, Transport transport, ElectionService election) {
        ZabConfig zabConfig = ZabConfig.of(ensemble.myId(), ensemble.voters(), ensemble.observers(),
                ensemble.initLimitTicks(), ensemble.syncLimitTicks()).withCommittedLogMax(ensemble.committedLogMax());
        Map<Long, Ensemble.Member> members = ensemble.members();
        InetSocketAddress listen = listenAddress(ensemble, ensemble.self().quorumPort(), "quorum");
        // resolved on every dial, so a peer whose name resolves only later (DNS, a container starting) is still found
        ZabPeerSettings settings = new ZabPeerSettings(listen, sid -> {
            Ensemble.Member m = members.get(sid);
            return m == null ? null : new InetSocketAddress(m.host(), m.quorumPort());
        }, config.tickTimeMs(), ensemble.connectTimeoutMs());
        // snapCount as ZooKeeper counts it (the policy needs at least 2 to draw its random threshold from)
        ZabSnapshotPolicy snapshots = new ZabSnapshotPolicy(Math.max(2, config.snapCount()), config.snapRetainCount(),
                TimeUnit.HOURS.toMillis(config.purgeIntervalHours()));
        try {
            // the replicator restores the newest snapshot into the state machine itself
            return ZabReplicator.open(zabConfig, settings, snapshots, server.stateMachine(), storage, transport,
                    election, System::nanoTime);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the quorum peer on " + listen + " with the data in "
                    + config.dataDir().toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    /** This member's own host (or every interface with {@code quorumListenOnAllIPs=true}) and the given port. */
    private static InetSocketAddress listenAddress(Ensemble ensemble, int port, String what) {
        if (ensemble.listenOnAllIps()) {
            return new InetSocketAddress(port);
        }
        InetSocketAddress address = new InetSocketAddress(ensemble.self().host(), port);
        if (address.isUnresolved()) {
            throw new ConfigException("Cannot resolve '" + ensemble.self().host() + "', the host of server."
                    + ensemble.myId() + " (this server), to bind its " + what + " port; fix the line or set"
                    + " quorumListenOnAllIPs=true");
        }
        return address;
    }

    /**
     * Creates the transport with this process's files: a key store named in the config is read here, relative to
     * the working folder. An unusable setting is a config error.
     */
    private static Transport createTransport(TransportProvider provider, PaddockConfig config) {
        try {
            return provider.create(config.transportConfig(), System::nanoTime, Paddock::openConfigFile);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("Cannot start transport " + config.transport() + ": " + e.getMessage(), e);
        }
    }

    /** The {@link io.paddock.api.transport.ConfigFiles} of a server: the file system, from the working folder. */
    static InputStream openConfigFile(String location) throws IOException {
        Path path;
        try {
            path = Path.of(location);
        } catch (InvalidPathException e) {
            throw new IOException("not a valid path: '" + location + "': " + e.getReason(), e);
        }
        return Files.newInputStream(path);
    }

    /**
     * The SPI reports a port it cannot bind as a {@link SocketException}; any other failure means the transport
     * cannot serve TLS as configured (for example {@code transport=nio}, which has no TLS).
     */
    private static ClientListener listenForSecureClients(Transport transport, InetSocketAddress address,
            PaddockConfig config, ZkServer server) {
        try {
            return transport.listenForSecureClients(address, config.listenBacklog(), config.maxClientCnxns(),
                    server.connectionHandler());
        } catch (SocketException e) {
            throw new UncheckedIOException("Cannot bind the secure client port " + address + ": " + e.getMessage(),
                    e);
        } catch (IOException e) {
            throw new ConfigException("secureClientPort cannot be served with transport=" + config.transport() + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * The storage named by {@code storage=}, or the {@code file} engine when the config names none and it is
     * installed; {@code storage=memory} (or no engine installed) keeps data in memory only.
     */
    private static StandaloneReplicator.Durability durability(Plugins plugins, PaddockConfig config) {
        String name = config.storage();
        if (name == null) {
            name = plugins.storage().names().contains(PaddockConfig.STORAGE_DEFAULT) ? PaddockConfig.STORAGE_DEFAULT
                    : PaddockConfig.STORAGE_MEMORY;
        }
        if (PaddockConfig.STORAGE_MEMORY.equals(name)) {
            LOG.warn("storage=memory: data lives in memory only and is lost when the server stops");
            return null;
        }
        StorageProvider provider = plugins.storage().select(name);
        StorageConfig storageConfig = config.storageConfig();
        if (!config.forceSync()) {
            LOG.warn("forceSync=no: acknowledged writes can be lost in a power failure (for tests and benchmarks)");
        }
        long purgeMs = TimeUnit.HOURS.toMillis(config.purgeIntervalHours());
        return new StandaloneReplicator.Durability(() -> provider.open(storageConfig), config.snapCount(),
                config.snapRetainCount(), purgeMs, System::nanoTime, new Random());
    }

    private static List<AuthScheme> authSchemes(Plugins plugins, PaddockConfig config) {
        List<AuthScheme> out = new ArrayList<>();
        for (Map.Entry<String, AuthProvider> e : plugins.auth().selectAll(config.authSchemes()).entrySet()) {
            if (BUILT_IN_SCHEMES.contains(e.getKey())) {
                throw new ConfigException("The auth provider " + e.getValue().getClass().getName() + " is named '"
                        + e.getKey() + "', which is a built-in scheme of the server; rename it");
            }
            out.add(e.getValue().create(config.authSettings(e.getKey())));
        }
        return out;
    }

    private static List<String> schemeNames(List<AuthScheme> schemes) {
        List<String> names = new ArrayList<>(List.of("world", "auth"));
        schemes.forEach(s -> names.add(s.scheme()));
        return names;
    }

    private static void closeQuietly(AutoCloseable c, String what) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("Error while closing the {}", what, e);
        }
    }
}
