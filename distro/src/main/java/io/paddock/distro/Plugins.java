package io.paddock.distro;

import io.paddock.api.auth.AuthProvider;
import io.paddock.api.election.ElectionProvider;
import io.paddock.api.storage.StorageProvider;
import io.paddock.api.transport.TransportProvider;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.lang.module.ResolutionException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that finds plugins. Providers come from the module path (or the class path, through
 * {@code META-INF/services}) and, when it exists, from a plugins folder of extra jars loaded into a child module layer,
 * so a custom auth scheme needs no rebuild. Each kind of provider is then indexed by {@code name()}; two providers
 * with the same name fail start-up rather than letting load order pick one.
 */
final class Plugins {
    private static final Logger LOG = LoggerFactory.getLogger(Plugins.class);

    private final Registry<TransportProvider> transports;
    private final Registry<StorageProvider> storage;
    private final Registry<AuthProvider> auth;
    private final Registry<ElectionProvider> election;
    /** Held so the plugin layer's class loader lives as long as its providers are in use. */
    private final ModuleLayer pluginLayer;

    Plugins(Registry<TransportProvider> transports, Registry<StorageProvider> storage, Registry<AuthProvider> auth,
            Registry<ElectionProvider> election, ModuleLayer pluginLayer) {
        this.transports = Objects.requireNonNull(transports, "transports");
        this.storage = Objects.requireNonNull(storage, "storage");
        this.auth = Objects.requireNonNull(auth, "auth");
        this.election = Objects.requireNonNull(election, "election");
        this.pluginLayer = pluginLayer;
    }

    /**
     * Loads every provider visible to this module, plus those of the jars in {@code pluginsDir} (may be null or
     * missing).
     */
    static Plugins discover(Path pluginsDir) {
        ModuleLayer layer = pluginLayer(pluginsDir);
        return new Plugins(
                registry("transport", TransportProvider.class, layer, TransportProvider::name),
                registry("storage", StorageProvider.class, layer, StorageProvider::name),
                registry("auth", AuthProvider.class, layer, AuthProvider::name),
                registry("election", ElectionProvider.class, layer, ElectionProvider::name),
                layer);
    }

    private static <S> Registry<S> registry(String kind, Class<S> service, ModuleLayer layer,
            Function<S, String> nameOf) {
        String hint = Plugins.class.getModule().isNamed()
                ? "Is the plugin's jar on the module path or in the plugins folder?"
                // module-info's `provides` is ignored on the class path; only META-INF/services counts there
                : "Paddock runs on the class path here, where a plugin jar is found only through its"
                        + " META-INF/services/" + service.getName() + " file.";
        return Registry.of(kind, kind, load(service, layer), nameOf, hint);
    }

    Registry<TransportProvider> transports() {
        return transports;
    }

    Registry<StorageProvider> storage() {
        return storage;
    }

    Registry<AuthProvider> auth() {
        return auth;
    }

    Registry<ElectionProvider> election() {
        return election;
    }

    Collection<String> pluginModules() {
        if (pluginLayer == null) {
            return List.of();
        }
        return pluginLayer.modules().stream().map(Module::getName).sorted().collect(Collectors.toList());
    }

    private static <S> List<S> load(Class<S> service, ModuleLayer pluginLayer) {
        List<S> out = new ArrayList<>();
        try {
            // Named modules of the application loader (module path) and META-INF/services entries (class path).
            ServiceLoader.load(service, Plugins.class.getClassLoader()).stream()
                    .map(ServiceLoader.Provider::get)
                    .forEach(out::add);
            if (pluginLayer != null) {
                // Only the plugin layer's own modules: its parents were covered above.
                ServiceLoader.load(pluginLayer, service).stream()
                        .filter(p -> p.type().getModule().getLayer() == pluginLayer)
                        .map(ServiceLoader.Provider::get)
                        .forEach(out::add);
            }
        } catch (ServiceConfigurationError e) {
            throw new ConfigException("Cannot load a " + service.getSimpleName() + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** A child layer over the jars in {@code dir}, resolved against this module's layer; null when there are none. */
    private static ModuleLayer pluginLayer(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            return null;
        }
        ModuleFinder finder = ModuleFinder.of(dir);
        Set<String> roots;
        try {
            roots = finder.findAll().stream().map(r -> r.descriptor().name())
                    .collect(Collectors.toCollection(TreeSet::new));
        } catch (FindException e) {
            throw new ConfigException("Cannot read the plugin jars in " + dir + ": " + e.getMessage(), e);
        }
        if (roots.isEmpty()) {
            return null;
        }
        Module self = Plugins.class.getModule();
        if (!self.isNamed()) {
            // On the class path there is no layer holding io.paddock.api for the plugins to read.
            LOG.warn("Ignoring the plugins in {}: Paddock runs on the class path; start it on the module path"
                    + " (the paddock launcher does) to load plugin jars", dir);
            return null;
        }
        ModuleLayer parent = self.getLayer() != null ? self.getLayer() : ModuleLayer.boot();
        try {
            // Modules already installed win over a copy in the plugins folder (parent first, folder after).
            Configuration cf = parent.configuration().resolveAndBind(ModuleFinder.of(), finder, roots);
            ModuleLayer layer = parent.defineModulesWithOneLoader(cf, Plugins.class.getClassLoader());
            LOG.info("Loaded plugin modules {} from {}", roots, dir);
            return layer;
        } catch (FindException | ResolutionException | LayerInstantiationException e) {
            throw new ConfigException("Cannot load the plugin jars in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The providers of one kind, by name. Pure: built from a list, so selection rules are tested with fake providers.
     *
     * @param <P> the provider interface
     */
    static final class Registry<P> {
        private final String kind;
        private final String configKey;
        private final Map<String, P> byName;
        private final String hint;

        private Registry(String kind, String configKey, Map<String, P> byName, String hint) {
            this.kind = kind;
            this.configKey = configKey;
            this.byName = Collections.unmodifiableMap(byName);
            this.hint = hint;
        }

        /**
         * Indexes {@code providers} by name.
         *
         * @param kind      what they provide, for messages ("transport")
         * @param configKey the config key that selects one ("transport")
         * @throws ConfigException if two providers share a name, or one has no name
         */
        static <P> Registry<P> of(String kind, String configKey, List<? extends P> providers,
                Function<? super P, String> nameOf) {
            return of(kind, configKey, providers, nameOf,
                    "Is the plugin's jar on the module path or in the plugins folder?");
        }

        /** As {@link #of(String, String, List, Function)}, with {@code hint} ending the missing-name message. */
        static <P> Registry<P> of(String kind, String configKey, List<? extends P> providers,
                Function<? super P, String> nameOf, String hint) {
            Map<String, P> byName = new TreeMap<>();
            for (P provider : providers) {
                String name = nameOf.apply(provider);
                if (name == null || name.isBlank()) {
                    throw new ConfigException("The " + kind + " provider " + describe(provider)
                            + " has no name(); it cannot be selected");
                }
                P previous = byName.putIfAbsent(name, provider);
                if (previous != null) {
                    throw new ConfigException("Two " + kind + " providers are named '" + name + "': "
                            + describe(previous) + " and " + describe(provider)
                            + ". Remove one of the jars (check the plugins folder for a second copy).");
                }
            }
            return new Registry<>(kind, configKey, byName, hint);
        }

        /** The provider named {@code name}; fails with the available names if there is none. */
        P select(String name) {
            P provider = byName.get(name);
            if (provider == null) {
                throw new ConfigException("No " + kind + " provider named '" + name + "' (" + configKey + "=" + name
                        + "). Available: " + (byName.isEmpty() ? "none" : String.join(", ", byName.keySet()))
                        + ". " + hint);
            }
            return provider;
        }

        /** The providers named in {@code names}, in that order, or all of them when {@code names} is null. */
        Map<String, P> selectAll(Collection<String> names) {
            if (names == null) {
                return byName;
            }
            Map<String, P> out = new LinkedHashMap<>();
            for (String name : names) {
                out.put(name, select(name));
            }
            return out;
        }

        Set<String> names() {
            return byName.keySet();
        }

        private static String describe(Object provider) {
            Class<?> type = provider.getClass();
            Module module = type.getModule();
            return type.getName() + (module.isNamed() ? " (module " + module.getName() + ")"
                    : " (" + location(type) + ")");
        }

        private static String location(Class<?> type) {
            var source = type.getProtectionDomain().getCodeSource();
            return source == null || source.getLocation() == null ? "class path" : source.getLocation().toString();
        }
    }
}
