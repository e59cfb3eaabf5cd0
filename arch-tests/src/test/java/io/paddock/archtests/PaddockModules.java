package io.paddock.archtests;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ARCHITECTURE.md's module map as data: which JPMS module a class belongs to (module name = root package) and which
 * other Paddock modules it may depend on.
 */
final class PaddockModules {
    static final String ROOT = "io.paddock";
    static final String API = "io.paddock.api";
    static final String PROTOCOL = "io.paddock.protocol";
    static final String SERVER = "io.paddock.server";
    static final String ZAB = "io.paddock.zab";
    static final String DISTRO = "io.paddock.distro";
    /** A library, not a plugin: code the storage engines share (snapshots, durable values, the FileIo layer). */
    static final String STORAGE_SUPPORT = "io.paddock.storage.support";

    /**
     * Modules named like a plugin of an area that are libraries of that area instead: they export their packages,
     * provide nothing, use only api, and only the plugins of their area may use them.
     */
    static final Set<String> LIBRARIES = Set.of(STORAGE_SUPPORT);

    /** The SPI areas; a plugin module is {@code io.paddock.<area>.<name>}, e.g. {@code io.paddock.transport.nio}. */
    static final Set<String> PLUGIN_AREAS = Set.of("transport", "storage", "auth", "election");

    private static final Pattern PLUGIN = Pattern.compile(
            "io\\.paddock\\.(transport|storage|auth|election)\\.([a-z0-9_]+)");

    /** The arrows of ARCHITECTURE.md. Every module may also use its own classes; plugins are handled apart. */
    private static final Map<String, Set<String>> KERNEL_MAY_USE = Map.of(
            API, Set.of(),
            PROTOCOL, Set.of(API),
            SERVER, Set.of(API, PROTOCOL),
            ZAB, Set.of(API),
            // distro wires the kernel; it reaches plugins only through ServiceLoader, never by name
            DISTRO, Set.of(API, PROTOCOL, SERVER, ZAB));

    private PaddockModules() {}

    /** The module a package belongs to, or empty for a package outside every known module. */
    static Optional<String> moduleOf(String packageName) {
        for (String kernel : KERNEL_MAY_USE.keySet()) {
            if (packageName.equals(kernel) || packageName.startsWith(kernel + ".")) {
                return Optional.of(kernel);
            }
        }
        Matcher m = PLUGIN.matcher(packageName);
        if (m.lookingAt() && (packageName.length() == m.end() || packageName.charAt(m.end()) == '.')) {
            return Optional.of(m.group());
        }
        return Optional.empty();
    }

    static boolean isPlugin(String module) {
        return PLUGIN.matcher(module).matches() && !LIBRARIES.contains(module);
    }

    static boolean isLibrary(String module) {
        return LIBRARIES.contains(module);
    }

    /** The SPI area of a plugin or library module, e.g. {@code storage} for {@code io.paddock.storage.file}. */
    static String areaOf(String module) {
        Matcher m = PLUGIN.matcher(module);
        return m.matches() ? m.group(1) : "";
    }

    static boolean mayUse(String from, String to) {
        if (from.equals(to)) {
            return true;
        }
        if (isLibrary(from)) {
            return to.equals(API);
        }
        if (isPlugin(from)) {
            // a plugin may use api, and the libraries of its own area (storage-file -> storage-support)
            return to.equals(API) || (isLibrary(to) && areaOf(to).equals(areaOf(from)));
        }
        return KERNEL_MAY_USE.getOrDefault(from, Set.of()).contains(to);
    }

    /** Every dependency on another Paddock class follows the arrows. */
    static ArchCondition<JavaClass> dependOnlyAlongTheArrows() {
        return new ArchCondition<>("depend on other Paddock modules only along ARCHITECTURE.md's arrows") {
            @Override
            public void check(JavaClass item, ConditionEvents events) {
                String from = moduleOf(item.getPackageName()).orElse("?");
                for (Dependency d : item.getDirectDependenciesFromSelf()) {
                    JavaClass target = d.getTargetClass().getBaseComponentType();
                    if (!target.getPackageName().startsWith(ROOT)) {
                        continue;
                    }
                    String to = moduleOf(target.getPackageName()).orElse("?");
                    if (!mayUse(from, to)) {
                        events.add(SimpleConditionEvent.violated(d, from + " -> " + to + " is not an allowed arrow: "
                                + d.getDescription()));
                    }
                }
            }
        };
    }

    /** The class lies in a package that {@link #moduleOf} knows. */
    static ArchCondition<JavaClass> belongToAKnownModule() {
        return new ArchCondition<>("belong to a module listed in ARCHITECTURE.md") {
            @Override
            public void check(JavaClass item, ConditionEvents events) {
                if (moduleOf(item.getPackageName()).isEmpty()) {
                    events.add(SimpleConditionEvent.violated(item, item.getName() + " is in package "
                            + item.getPackageName() + ", which belongs to no known module; add the module to"
                            + " ARCHITECTURE.md and to PaddockModules"));
                }
            }
        };
    }
}
