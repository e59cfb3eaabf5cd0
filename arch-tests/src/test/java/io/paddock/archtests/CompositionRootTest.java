package io.paddock.archtests;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.FileReader;
import java.io.FileWriter;
import java.io.RandomAccessFile;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ServiceLoader;

/**
 * "Only distro calls ServiceLoader, declares uses, reads files, environment variables or system properties" and
 * "nothing outside distro reads the system clock" (ARCHITECTURE.md, api.time): everything else gets an immutable
 * config and its collaborators through constructors, so every path can be driven by a test.
 */
@AnalyzeClasses(packages = PaddockModules.ROOT, importOptions = ImportOption.DoNotIncludeTests.class)
class CompositionRootTest {
    private static final String DISTRO = "io.paddock.distro..";

    @ArchTest
    static final ArchRule onlyDistroUsesServiceLoader = noClasses()
            .that().resideOutsideOfPackage(DISTRO)
            .should().dependOnClassesThat().belongToAnyOf(ServiceLoader.class)
            .because("plugins are discovered in one place, by name(), with one error message for a missing name");

    @ArchTest
    static final ArchRule onlyDistroBuildsModuleLayers = noClasses()
            .that().resideOutsideOfPackage(DISTRO)
            .should().dependOnClassesThat().resideInAPackage("java.lang.module..")
            .orShould().dependOnClassesThat().belongToAnyOf(ModuleLayer.class)
            .because("the plugins folder is loaded by distro alone");

    @ArchTest
    static final ArchRule onlyDistroReadsSystemPropertiesOrTheEnvironment = noClasses()
            .that().resideOutsideOfPackage(DISTRO)
            .should().accessTargetWhere(Accesses.SYSTEM_PROPERTIES_OR_ENVIRONMENT)
            .because("settings arrive as config records built by distro from zoo.cfg");

    @ArchTest
    static final ArchRule onlyDistroReadsTheSystemClock = noClasses()
            .that().resideOutsideOfPackage(DISTRO)
            .should().accessTargetWhere(Accesses.SYSTEM_CLOCK)
            .because("time comes from an injected io.paddock.api.time.Clock or Ticker, so tests can step it");

    @ArchTest
    static final ArchRule onlyDistroEndsTheJvm = noClasses()
            .that().resideOutsideOfPackage(DISTRO)
            .should().accessTargetWhere(Accesses.JVM_EXIT)
            .because("a library module that exits takes the embedding application (and the test run) with it");

    @ArchTest
    static final ArchRule noClassIsLoadedByName = noClasses()
            .should().accessTargetWhere(Accesses.CLASS_LOADING_BY_NAME)
            .because("implementations are found with ServiceLoader by an interface, never by a class name string");

    @ArchTest
    static final ArchRule onlyDistroAndStorageTouchFiles = noClasses()
            .that().resideOutsideOfPackages(DISTRO, "io.paddock.storage..")
            .should().dependOnClassesThat().belongToAnyOf(File.class, FileInputStream.class, FileOutputStream.class,
                    FileReader.class, FileWriter.class, RandomAccessFile.class, Files.class, Paths.class,
                    FileChannel.class)
            .because("only distro reads files (the config, the plugins folder); storage plugins own the data files");

    @ArchTest
    static final ArchRule onlyDistroAndTransportsOpenSockets = noClasses()
            .that().resideOutsideOfPackages(DISTRO, "io.paddock.transport..")
            .should().dependOnClassesThat().belongToAnyOf(Socket.class, ServerSocket.class, DatagramSocket.class,
                    SocketChannel.class, ServerSocketChannel.class, DatagramChannel.class, Selector.class,
                    AsynchronousSocketChannel.class, AsynchronousServerSocketChannel.class)
            .because("network I/O lives behind the transport SPI; the server sees Connection objects");
}
