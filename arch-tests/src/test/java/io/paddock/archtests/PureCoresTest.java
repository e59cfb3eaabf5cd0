package io.paddock.archtests;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.concurrent.ThreadLocalRandom;

/**
 * "Pure cores, imperative shells": a {@code ...core} package (zab, election-fle, and any plugin's pure logic) takes an
 * event and returns actions. No threads, no I/O, no wall clock, no unseeded randomness, so the deterministic simulator
 * can step it and a failing seed replays exactly.
 */
@AnalyzeClasses(packages = PaddockModules.ROOT, importOptions = ImportOption.DoNotIncludeTests.class)
class PureCoresTest {
    private static final String CORES = "io.paddock..core..";

    @ArchTest
    static final ArchRule coresStartNoThreads = noClasses()
            .that().resideInAPackage(CORES)
            .should().dependOnClassesThat().areAssignableTo(Thread.class)
            .orShould().dependOnClassesThat().areAssignableTo(java.util.concurrent.Executor.class)
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.concurrent.Executors")
            .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.concurrent.CompletableFuture")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule coresDoNoIo = noClasses()
            .that().resideInAPackage(CORES)
            .should().dependOnClassesThat().resideInAnyPackage("java.nio.channels..", "java.nio.file..", "java.net..")
            .orShould().dependOnClassesThat().haveNameMatching("java\\.io\\.(File|RandomAccessFile).*")
            .because("the driver around a core does the I/O, in a fixed order")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule coresReadNoClock = noClasses()
            .that().resideInAPackage(CORES)
            .should().accessTargetWhere(Accesses.SYSTEM_CLOCK)
            .orShould().dependOnClassesThat().belongToAnyOf(io.paddock.api.time.Clock.class,
                    io.paddock.api.time.Ticker.class)
            .because("cores count time in ticks delivered as events")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule coresUseOnlySeededRandomness = noClasses()
            .that().resideInAPackage(CORES)
            .should().dependOnClassesThat().belongToAnyOf(ThreadLocalRandom.class, java.security.SecureRandom.class)
            .orShould().accessTargetWhere(Accesses.to(Math.class, "random"))
            .orShould().accessTargetWhere(Accesses.UNSEEDED_RANDOM)
            .because("a simulation seed must decide every random choice; take a Random from the caller")
            .allowEmptyShould(true);
}
