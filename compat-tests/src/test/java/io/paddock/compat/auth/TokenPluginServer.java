package io.paddock.compat.auth;

import io.paddock.compat.fixture.ServerUnderTest;
import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.reflect.InvocationTargetException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.zookeeper.server.auth.ProviderRegistry;

/**
 * A server with the example {@code token} scheme installed the way a user installs it.
 *
 * <p>Paddock: its plugins folder holds the example's jar and nothing else puts the scheme within reach. Paddock loads
 * a plugins folder only when it runs as named modules (on the class path there is no module layer for a plugin to
 * read {@code io.paddock.api} from), so this starts it as the launcher does: the Paddock modules found on the test
 * class path, with what they require, become a module layer of their own over the platform class loader, and
 * {@code io.paddock.distro.Paddock.start(Map)} is called in it. The test class path's own copy of Paddock is not
 * involved; the client talks to this one over loopback TCP like any other.
 *
 * <p>ZooKeeper: the same scheme as a registered {@link ZooKeeperTokenProvider}.
 */
final class TokenPluginServer implements ServerUnderTest {
    /** Set by the compat-tests pom: the folder that holds the example's jar. */
    static final String PLUGIN_DIR_PROPERTY = "compat.tokenPluginDir";
    static final String EXAMPLE_MODULE = "io.paddock.example.auth.token";
    private static final String ZK_PROVIDER_PROPERTY = ProviderRegistry.AUTHPROVIDER_PROPERTY_PREFIX + "token";

    private final AutoCloseable server;
    private final int port;
    private final String kind;
    private final Set<String> layerModules;

    private TokenPluginServer(AutoCloseable server, int port, String kind, Set<String> layerModules) {
        this.server = server;
        this.port = port;
        this.kind = kind;
        this.layerModules = layerModules;
    }

    /** Starts the selected server with the token scheme, which accepts {@code tokens} ("name:token,..."). */
    static TokenPluginServer start(String tokens) throws Exception {
        if ("zookeeper".equals(ServerUnderTest.selected())) {
            System.setProperty(ZooKeeperTokenProvider.TOKENS_PROPERTY, tokens);
            System.setProperty(ZK_PROVIDER_PROPERTY, ZooKeeperTokenProvider.class.getName());
            ProviderRegistry.addOrUpdateProvider(ZK_PROVIDER_PROPERTY);
            ServerUnderTest zk = ServerUnderTest.start();
            AutoCloseable unregister = () -> {
                try {
                    zk.close();
                } finally {
                    ProviderRegistry.removeProvider("token");
                    System.clearProperty(ZK_PROVIDER_PROPERTY);
                    System.clearProperty(ZooKeeperTokenProvider.TOKENS_PROPERTY);
                }
            };
            return new TokenPluginServer(unregister, zk.port(), zk.kind(), Set.of());
        }
        String dir = System.getProperty(PLUGIN_DIR_PROPERTY);
        if (dir == null || !Files.isDirectory(Path.of(dir))) {
            throw new IllegalStateException("-D" + PLUGIN_DIR_PROPERTY + " must name the folder the compat-tests pom"
                    + " copies paddock-example-auth-token into (run through mvn verify); got " + dir);
        }
        Path dataDir = Files.createTempDirectory("compat-token-");
        Map<String, String> cfg = ServerUnderTest.defaultConfig();
        cfg.put("dataDir", dataDir.toString());
        cfg.put("paddock.pluginsDir", dir);
        cfg.put("auth", "digest ip token");
        cfg.put("auth.token.tokens", tokens);
        ModuleLayer layer = paddockLayer();
        Class<?> type = layer.findLoader("io.paddock.distro").loadClass("io.paddock.distro.Paddock");
        AutoCloseable paddock;
        try {
            paddock = (AutoCloseable) type.getMethod("start", Map.class).invoke(null, cfg);
        } catch (InvocationTargetException e) {
            ServerUnderTest.deleteTree(dataDir);
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
        InetSocketAddress address = (InetSocketAddress) type.getMethod("clientAddress").invoke(paddock);
        Set<String> names = new TreeSet<>();
        layer.modules().forEach(m -> names.add(m.getName()));
        AutoCloseable closing = () -> {
            try {
                paddock.close();
            } finally {
                ServerUnderTest.deleteTree(dataDir);
            }
        };
        return new TokenPluginServer(closing, address.getPort(), "paddock", names);
    }

    /** The Paddock modules of the test class path plus what they require, as a layer of their own. */
    private static ModuleLayer paddockLayer() {
        Map<String, ModuleReference> onClassPath = new LinkedHashMap<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry);
            boolean explodedModule = Files.isRegularFile(path.resolve("module-info.class"));
            boolean jar = Files.isRegularFile(path) && entry.endsWith(".jar");
            if (!explodedModule && !jar) {
                continue;
            }
            try {
                ModuleFinder.of(path).findAll().forEach(ref -> onClassPath.putIfAbsent(ref.descriptor().name(), ref));
            } catch (FindException e) {
                // a jar whose automatic module name cannot be derived: not one Paddock needs
            }
        }
        if (onClassPath.containsKey(EXAMPLE_MODULE)) {
            throw new IllegalStateException(EXAMPLE_MODULE + " is on the test class path; the test would prove"
                    + " nothing. Keep it in classpathDependencyExcludes.");
        }
        Deque<String> todo = new ArrayDeque<>();
        onClassPath.keySet().stream().filter(n -> n.startsWith("io.paddock.")).forEach(todo::add);
        todo.add("org.slf4j.simple");
        Set<Path> chosen = new LinkedHashSet<>();
        Set<String> seen = new LinkedHashSet<>();
        while (!todo.isEmpty()) {
            String name = todo.pop();
            ModuleReference ref = onClassPath.get(name);
            if (!seen.add(name) || ref == null) {
                continue;
            }
            chosen.add(Path.of(ref.location().orElseThrow()));
            for (ModuleDescriptor.Requires r : ref.descriptor().requires()) {
                if (!r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC)) {
                    todo.add(r.name());
                }
            }
        }
        ModuleFinder finder = ModuleFinder.of(chosen.toArray(Path[]::new));
        Configuration cf = ModuleLayer.boot().configuration().resolveAndBind(finder, ModuleFinder.of(),
                Set.of("io.paddock.distro"));
        return ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
    }

    /** The modules of the layer Paddock runs in (empty for ZooKeeper). */
    Set<String> layerModules() {
        return layerModules;
    }

    @Override
    public String connectString() {
        return "127.0.0.1:" + port;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String kind() {
        return kind;
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
