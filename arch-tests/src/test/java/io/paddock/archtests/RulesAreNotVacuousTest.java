package io.paddock.archtests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The "only distro may" rules pass trivially if their predicates match nothing. distro does each of those things on
 * purpose, so each predicate must find it there; if one stops finding it, the matching rule has gone blind.
 */
class RulesAreNotVacuousTest {
    private static JavaClasses distro;
    private static JavaClasses all;

    @BeforeAll
    static void importClasses() {
        all = new ClassFileImporter().withImportOption(new ImportOption.DoNotIncludeTests())
                .importPackages(PaddockModules.ROOT);
        distro = all.that(com.tngtech.archunit.core.domain.JavaClass.Predicates
                .resideInAPackage(PaddockModules.DISTRO + ".."));
    }

    private static void assertDistroDoes(DescribedPredicate<JavaAccess<?>> predicate) {
        boolean found = distro.stream().flatMap(c -> c.getAccessesFromSelf().stream()).anyMatch(predicate);
        assertTrue(found, "no access in distro matches '" + predicate.getDescription() + "'");
    }

    @Test
    void importFindsEveryShippingModule() {
        Set<String> modules = new java.util.TreeSet<>();
        all.forEach(c -> PaddockModules.moduleOf(c.getPackageName()).ifPresent(modules::add));
        assertTrue(modules.containsAll(Set.of(PaddockModules.API, PaddockModules.PROTOCOL, PaddockModules.SERVER,
                PaddockModules.DISTRO, "io.paddock.transport.nio", PaddockModules.STORAGE_SUPPORT,
                "io.paddock.storage.file")), modules.toString());
    }

    @Test
    void systemClockPredicateSeesMethodReferences() {
        // Paddock hands System::currentTimeMillis and System::nanoTime to the server as Clock and Ticker
        assertDistroDoes(Accesses.SYSTEM_CLOCK);
    }

    @Test
    void systemPropertyPredicateSeesDistrosReads() {
        assertDistroDoes(Accesses.SYSTEM_PROPERTIES_OR_ENVIRONMENT);
    }

    @Test
    void exitPredicateSeesTheLauncher() {
        assertDistroDoes(Accesses.JVM_EXIT);
    }

    @Test
    void distroUsesServiceLoader() {
        assertTrue(distro.stream().anyMatch(c -> c.getDirectDependenciesFromSelf().stream()
                .anyMatch(d -> d.getTargetClass().isEquivalentTo(java.util.ServiceLoader.class))));
    }
}
