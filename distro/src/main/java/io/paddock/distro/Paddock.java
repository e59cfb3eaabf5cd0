package io.paddock.distro;

import io.paddock.api.auth.AuthProvider;
import io.paddock.api.auth.AuthScheme;
import io.paddock.api.storage.StorageConfig;
import io.paddock.api.storage.StorageProvider;
import io.paddock.api.transport.ClientListener;
import io.paddock.api.transport.Transport;
import io.paddock.api.transport.TransportProvider;
import io.paddock.server.StandaloneReplicator;
import io.paddock.server.ZkServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running standalone Paddock server: the composition root that turns a zoo.cfg into a server, a replicator, a
 * transport and its bound client ports: the plain {@code clientPort}, the TLS {@code secureClientPort}, or both.
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

    private final ZkServer server;
    private final StandaloneReplicator replicator;
    private final Transport transport;
    private final ClientListener listener; // null: secureClientPort only
    private final ClientListener secureListener; // null: no secureClientPort
    private final InetSocketAddress clientAddress;
    private final InetSocketAddress secureClientAddress;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private Paddock(ZkServer server, StandaloneReplicator replicator, Transport transport, ClientListener listener,
            ClientListener secureListener) {
        this.server = server;
        this.replicator = replicator;
        this.transport = transport;
        this.listener = listener;
        this.secureListener = secureListener;
        this.clientAddress = listener == null ? null : listener.localAddress();
        this.secureClientAddress = secureListener == null ? null : secureListener.localAddress();
    }

    /**
     * Starts a standalone server from zoo.cfg settings, keyed exactly as in the file. Unset keys take ZooKeeper's
     * defaults (see the README); {@code clientPort=0} binds a free port, read it back with {@link #clientAddress()}.
     *
     * @throws ConfigException       if a value is malformed, a named provider is missing, a key store named by the
     *                               {@code ssl.*} keys cannot be used, or {@code secureClientPort} is set with a
     *                               transport that has no TLS
     * @throws UncheckedIOException  if a client port cannot be bound
     */
    public static Paddock start(Map<String, String> zooCfg) {
        return start(PaddockConfig.parse(zooCfg, System::getProperty));
    }

    /** Starts a standalone server from a zoo.cfg file (java.util.Properties syntax, as ZooKeeper reads it). */
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
        closeQuietly(transport, "transport");
        closeQuietly(replicator, "replicator");
        closeQuietly(server, "server");
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
        StandaloneReplicator.Durability durability = durability(plugins, config);
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
            StandaloneReplicator replicator = new StandaloneReplicator(server.stateMachine(),
                    REPLICATION_QUEUE_CAPACITY, durability);
            started.push(replicator);
            server.start(replicator);
            try {
                replicator.start();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot recover the data in " + config.dataDir().toAbsolutePath()
                        + " / " + config.dataLogDir().toAbsolutePath() + ": " + e.getMessage(), e);
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
            Paddock paddock = new Paddock(server, replicator, transport, listener, secureListener);
            // "serving clients on <address>" is read by crash-tests' ServerProcess: keep its shape
            LOG.info("Paddock serving {} (transport {}, auth schemes {}, tickTime {} ms, dataDir {})",
                    paddock.clientAddress == null ? "TLS clients on " + paddock.secureClientAddress
                            : "clients on " + paddock.clientAddress + (paddock.secureClientAddress == null ? ""
                                    : " and TLS clients on " + paddock.secureClientAddress),
                    config.transport(), schemeNames(authSchemes), config.tickTimeMs(),
                    config.dataDir().toAbsolutePath().normalize());
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
