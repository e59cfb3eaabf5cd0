package io.paddock.compat;

import io.paddock.compat.fixture.ServerUnderTest;
import java.lang.reflect.Field;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.zookeeper.server.ContainerManager;
import org.apache.zookeeper.server.RequestProcessor;
import org.apache.zookeeper.server.ZooKeeperServer;

/**
 * Starts a {@link ServerUnderTest} with the container/TTL keys {@value #CHECK_INTERVAL} and {@value #EXTENDED_TYPES}.
 *
 * <p>Paddock gets both keys in its zoo.cfg map unchanged. The ZooKeeper fixture rejects keys it does not map and, like
 * any bare {@code ZooKeeperServer}, runs no container reaper (only {@code ZooKeeperServerMain} starts a
 * {@link ContainerManager}). For the oracle this class therefore removes both keys from the map, sets the system
 * properties real ZooKeeper reads ({@code zookeeper.extendedTypesEnabled}, read on every create;
 * {@code znode.container.checkIntervalMs}, read by {@code ZooKeeperServerMain}) and starts the reaper the way
 * {@code ZooKeeperServerMain.runFromConfig} does, on the fixture's server (reached by reflection).
 */
final class ReapingServer implements ServerUnderTest {

    static final String CHECK_INTERVAL = "znode.container.checkIntervalMs";
    static final String EXTENDED_TYPES = "extendedTypesEnabled";
    private static final String EXTENDED_TYPES_PROPERTY = "zookeeper.extendedTypesEnabled";

    private final ServerUnderTest delegate;
    private final ContainerManager reaper;

    private ReapingServer(ServerUnderTest delegate, ContainerManager reaper) {
        this.delegate = delegate;
        this.reaper = reaper;
    }

    /** The default config plus the given container-check interval and extended types switch. */
    static ServerUnderTest start(long checkIntervalMs, boolean extendedTypes) throws Exception {
        Map<String, String> cfg = new LinkedHashMap<>(ServerUnderTest.defaultConfig());
        cfg.put(CHECK_INTERVAL, Long.toString(checkIntervalMs));
        if (extendedTypes) {
            cfg.put(EXTENDED_TYPES, "true");
        }
        return start(cfg);
    }

    static ServerUnderTest start(Map<String, String> zooCfg) throws Exception {
        if (!"zookeeper".equals(ServerUnderTest.selected())) {
            return ServerUnderTest.start(zooCfg);
        }
        Map<String, String> cfg = new LinkedHashMap<>(zooCfg);
        String interval = cfg.remove(CHECK_INTERVAL);
        String extended = cfg.remove(EXTENDED_TYPES);
        if (extended != null && Boolean.parseBoolean(extended)) {
            System.setProperty(EXTENDED_TYPES_PROPERTY, "true");
        } else {
            System.clearProperty(EXTENDED_TYPES_PROPERTY);
        }
        if (interval != null) {
            System.setProperty(CHECK_INTERVAL, interval);
        } else {
            System.clearProperty(CHECK_INTERVAL);
        }
        ServerUnderTest server = ServerUnderTest.start(cfg);
        try {
            ZooKeeperServer zks = zooKeeperServerOf(server);
            Field first = ZooKeeperServer.class.getDeclaredField("firstProcessor");
            first.setAccessible(true);
            // the same arguments ZooKeeperServerMain.runFromConfig passes
            ContainerManager reaper = new ContainerManager(zks.getZKDatabase(), (RequestProcessor) first.get(zks),
                    Integer.getInteger(CHECK_INTERVAL, 60_000),
                    Integer.getInteger("znode.container.maxPerMinute", 10_000),
                    Long.getLong("znode.container.maxNeverUsedIntervalMs", 0));
            reaper.start();
            return new ReapingServer(server, reaper);
        } catch (Exception | Error e) {
            server.close();
            throw e;
        }
    }

    private static ZooKeeperServer zooKeeperServerOf(ServerUnderTest server) throws ReflectiveOperationException {
        ServerUnderTest inner = server instanceof ServerUnderTest.DeletingDataDir d ? d.delegate() : server;
        Field zks = inner.getClass().getDeclaredField("zks");
        zks.setAccessible(true);
        return (ZooKeeperServer) zks.get(inner);
    }

    @Override
    public String connectString() {
        return delegate.connectString();
    }

    @Override
    public int port() {
        return delegate.port();
    }

    @Override
    public String kind() {
        return delegate.kind();
    }

    @Override
    public String mode() {
        return delegate.mode();
    }

    @Override
    public void close() throws Exception {
        try {
            reaper.stop();
        } finally {
            delegate.close();
            System.clearProperty(EXTENDED_TYPES_PROPERTY);
            System.clearProperty(CHECK_INTERVAL);
        }
    }
}
