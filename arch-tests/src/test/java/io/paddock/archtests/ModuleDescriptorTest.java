package io.paddock.archtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The JPMS half of the rules, read from each module's {@code module-info.class}: names, {@code uses}, {@code exports}
 * and {@code provides} as ARCHITECTURE.md and STYLE.md state them.
 */
class ModuleDescriptorTest {
    private static final Map<String, ModuleReference> MODULES = new TreeMap<>();

    /** Every Paddock module on the test class path (jars after {@code package}, class folders before it). */
    @BeforeAll
    static void readModuleDescriptors() {
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry);
            boolean explodedModule = Files.isRegularFile(path.resolve("module-info.class"));
            boolean jar = Files.isRegularFile(path) && entry.endsWith(".jar");
            if (!explodedModule && !jar) {
                continue;
            }
            try {
                ModuleFinder.of(path).findAll().stream()
                        .filter(ref -> ref.descriptor().name().startsWith(PaddockModules.ROOT + "."))
                        .forEach(ref -> MODULES.put(ref.descriptor().name(), ref));
            } catch (FindException e) {
                // a third-party jar whose automatic module name cannot be derived: not ours
            }
        }
        for (String expected : List.of(PaddockModules.API, PaddockModules.PROTOCOL, PaddockModules.SERVER,
                PaddockModules.DISTRO, "io.paddock.transport.nio", PaddockModules.STORAGE_SUPPORT,
                "io.paddock.storage.file")) {
            assertTrue(MODULES.containsKey(expected), expected + " not found on the class path: " + MODULES.keySet());
        }
    }

    private static List<ModuleDescriptor> descriptors() {
        return MODULES.values().stream().map(ModuleReference::descriptor).collect(Collectors.toList());
    }

    private static List<ModuleDescriptor> plugins() {
        return descriptors().stream().filter(d -> PaddockModules.isPlugin(d.name())).collect(Collectors.toList());
    }

    @Test
    void everyModuleIsNamedAfterItsRootPackage() {
        List<String> wrong = new ArrayList<>();
        for (ModuleDescriptor d : descriptors()) {
            for (String pkg : d.packages()) {
                if (!pkg.equals(d.name()) && !pkg.startsWith(d.name() + ".")) {
                    wrong.add(d.name() + " holds package " + pkg);
                }
            }
            if (PaddockModules.moduleOf(d.name()).filter(d.name()::equals).isEmpty()) {
                wrong.add(d.name() + " is not a module ARCHITECTURE.md lists");
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void onlyDistroDeclaresUses() {
        Map<String, Set<String>> uses = descriptors().stream()
                .filter(d -> !d.name().equals(PaddockModules.DISTRO) && !d.uses().isEmpty())
                .collect(Collectors.toMap(ModuleDescriptor::name, ModuleDescriptor::uses));
        assertEquals(Map.of(), uses, "only io.paddock.distro may declare `uses`");
    }

    @Test
    void distroUsesEveryProviderInterface() {
        assertEquals(Set.of("io.paddock.api.transport.TransportProvider", "io.paddock.api.storage.StorageProvider",
                "io.paddock.api.auth.AuthProvider", "io.paddock.api.election.ElectionProvider"),
                MODULES.get(PaddockModules.DISTRO).descriptor().uses());
    }

    @Test
    void pluginModulesExportNothing() {
        Map<String, String> exporting = plugins().stream()
                .filter(d -> !d.exports().isEmpty() || d.isOpen() || !d.opens().isEmpty())
                .collect(Collectors.toMap(ModuleDescriptor::name, d -> d.exports() + " " + d.opens()));
        assertEquals(Map.of(), exporting, "plugin modules only `provides`; they export and open nothing");
    }

    @Test
    void pluginModulesRequireNoPaddockModuleButApiAndTheLibrariesOfTheirArea() {
        List<String> wrong = new ArrayList<>();
        for (ModuleDescriptor d : plugins()) {
            d.requires().stream().map(ModuleDescriptor.Requires::name)
                    .filter(n -> n.startsWith(PaddockModules.ROOT + ".") && !n.equals(PaddockModules.API))
                    .filter(n -> !(PaddockModules.isLibrary(n)
                            && PaddockModules.areaOf(n).equals(PaddockModules.areaOf(d.name()))))
                    .forEach(n -> wrong.add(d.name() + " requires " + n));
        }
        assertEquals(List.of(), wrong);
    }

    /** A library (storage-support) is shared code, not a plugin: it exports its packages and provides nothing. */
    @Test
    void libraryModulesExportTheirPackagesToAllAndProvideNothing() {
        List<String> wrong = new ArrayList<>();
        for (ModuleDescriptor d : descriptors()) {
            if (!PaddockModules.isLibrary(d.name())) {
                continue;
            }
            if (!d.provides().isEmpty()) {
                wrong.add(d.name() + " provides " + d.provides());
            }
            if (d.exports().isEmpty()) {
                wrong.add(d.name() + " exports nothing");
            }
            d.exports().stream().filter(ModuleDescriptor.Exports::isQualified)
                    .forEach(e -> wrong.add(d.name() + " has a qualified export " + e));
            if (d.isOpen() || !d.opens().isEmpty()) {
                wrong.add(d.name() + " opens " + d.opens());
            }
        }
        assertEquals(List.of(), wrong);
    }

    /** storage-support may require api and lz4-java (snapshot compression) and nothing else. */
    @Test
    void storageSupportRequiresOnlyApiAndLz4() {
        Set<String> requires = MODULES.get(PaddockModules.STORAGE_SUPPORT).descriptor().requires().stream()
                .map(ModuleDescriptor.Requires::name).collect(Collectors.toCollection(java.util.TreeSet::new));
        requires.remove("java.base");
        assertEquals(Set.of(PaddockModules.API, "org.lz4.java"), requires);
    }

    @Test
    void pluginModulesProvideAnSpiOfTheirArea() {
        List<String> wrong = new ArrayList<>();
        for (ModuleDescriptor d : plugins()) {
            String area = d.name().split("\\.")[2];
            if (d.provides().isEmpty()) {
                wrong.add(d.name() + " provides nothing");
            }
            d.provides().stream().map(ModuleDescriptor.Provides::service)
                    .filter(s -> !s.startsWith(PaddockModules.API + "." + area + "."))
                    .forEach(s -> wrong.add(d.name() + " provides " + s + ", outside io.paddock.api." + area));
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void nothingRequiresAPlugin() {
        List<String> wrong = new ArrayList<>();
        for (ModuleDescriptor d : descriptors()) {
            d.requires().stream().map(ModuleDescriptor.Requires::name).filter(PaddockModules::isPlugin)
                    .forEach(n -> wrong.add(d.name() + " requires " + n));
        }
        assertEquals(List.of(), wrong, "plugins are found by ServiceLoader; jlink names them as roots");
    }

    /**
     * On the class path (the compatibility tests, any application that embeds Paddock without a module path)
     * {@code provides} in module-info is ignored and ServiceLoader reads only META-INF/services, so a plugin jar must
     * carry both.
     */
    @Test
    void everyProvidesIsAlsoListedInMetaInfServices() throws IOException {
        List<String> missing = new ArrayList<>();
        for (ModuleReference ref : MODULES.values()) {
            try (ModuleReader reader = ref.open()) {
                for (ModuleDescriptor.Provides p : ref.descriptor().provides()) {
                    String resource = "META-INF/services/" + p.service();
                    Set<String> listed = servicesFile(reader, resource);
                    for (String impl : p.providers()) {
                        if (!listed.contains(impl)) {
                            missing.add(ref.descriptor().name() + ": add " + impl + " to src/main/resources/"
                                    + resource);
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), missing);
    }

    private static Set<String> servicesFile(ModuleReader reader, String resource) throws IOException {
        Optional<InputStream> in = reader.open(resource);
        if (in.isEmpty()) {
            return Set.of();
        }
        try (InputStream stream = in.get()) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(line -> line.replaceFirst("#.*", "").trim())
                    .filter(line -> !line.isEmpty())
                    .collect(Collectors.toSet());
        }
    }
}
