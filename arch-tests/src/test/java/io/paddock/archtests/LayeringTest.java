package io.paddock.archtests;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The arrows of ARCHITECTURE.md ("The arrows"), over every class of every shipping module. */
@AnalyzeClasses(packages = PaddockModules.ROOT, importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {

    @ArchTest
    static final ArchRule everyClassBelongsToAKnownModule = classes()
            .should(PaddockModules.belongToAKnownModule());

    @ArchTest
    static final ArchRule everyModuleDependsOnlyAlongTheArrows = classes()
            .should(PaddockModules.dependOnlyAlongTheArrows());

    @ArchTest
    static final ArchRule apiDependsOnNothingButJavaBase = classes()
            .that().resideInAPackage("io.paddock.api..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("io.paddock.api..", "java..")
            .because("api is the kernel every module reads; it may require nothing but java.base");

    @ArchTest
    static final ArchRule protocolUsesOnlyApi = noClasses()
            .that().resideInAPackage("io.paddock.protocol..")
            .should().dependOnClassesThat().resideInAnyPackage("io.paddock.server..", "io.paddock.zab..",
                    "io.paddock.distro..", "io.paddock.transport..", "io.paddock.storage..", "io.paddock.auth..",
                    "io.paddock.election..");

    @ArchTest
    static final ArchRule serverUsesOnlyApiAndProtocol = noClasses()
            .that().resideInAPackage("io.paddock.server..")
            .should().dependOnClassesThat().resideInAnyPackage("io.paddock.zab..", "io.paddock.distro..",
                    "io.paddock.transport..", "io.paddock.storage..", "io.paddock.auth..", "io.paddock.election..")
            .because("plugins reach the server through api interfaces that distro wires");

    @ArchTest
    static final ArchRule zabUsesOnlyApi = noClasses()
            .that().resideInAPackage("io.paddock.zab..")
            .should().dependOnClassesThat().resideInAnyPackage("io.paddock.server..", "io.paddock.protocol..",
                    "io.paddock.distro..", "io.paddock.transport..", "io.paddock.storage..", "io.paddock.auth..",
                    "io.paddock.election..")
            .because("zab drives the StateMachine interface from api; distro connects it to the server")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule serverNeverImportsZab = noClasses()
            .that().resideInAPackage("io.paddock.server..")
            .should().dependOnClassesThat().resideInAPackage("io.paddock.zab..")
            .because("standalone and ensemble modes share one request path through the StateMachine seam");

    @ArchTest
    static final ArchRule zabNeverImportsServer = noClasses()
            .that().resideInAPackage("io.paddock.zab..")
            .should().dependOnClassesThat().resideInAPackage("io.paddock.server..")
            .because("zab drives the StateMachine interface from api, never the server's classes")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule pluginsUseOnlyApiOfPaddock = noClasses()
            .that().resideInAnyPackage("io.paddock.transport..", "io.paddock.storage..", "io.paddock.auth..",
                    "io.paddock.election..")
            .should().dependOnClassesThat().resideInAnyPackage("io.paddock.protocol..", "io.paddock.server..",
                    "io.paddock.zab..", "io.paddock.distro..")
            .because("plugins depend only on api (and their own third-party library); cross-plugin imports are"
                    + " caught by everyModuleDependsOnlyAlongTheArrows");

    @ArchTest
    static final ArchRule distroFindsPluginsOnlyThroughServiceLoader = noClasses()
            .that().resideInAPackage("io.paddock.distro..")
            .should().dependOnClassesThat().resideInAnyPackage("io.paddock.transport..", "io.paddock.storage..",
                    "io.paddock.auth..", "io.paddock.election..")
            .because("the config picks plugins by name() at run time; naming a plugin class would make it"
                    + " mandatory");

    @ArchTest
    static final ArchRule storageSupportUsesOnlyApiAndLz4 = classes()
            .that().resideInAPackage(PaddockModules.STORAGE_SUPPORT + "..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("io.paddock.api..",
                    PaddockModules.STORAGE_SUPPORT + "..", "java..", "net.jpountz.lz4..")
            .because("storage-support is shared by every storage engine; it needs api and lz4-java, nothing more");

    @ArchTest
    static final ArchRule noPackageCycles = slices()
            .matching("io.paddock.(**)")
            .should().beFreeOfCycles();
}
