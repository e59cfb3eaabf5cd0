package io.paddock.distro;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -p modules -m io.paddock.distro/io.paddock.distro.PaddockMain [zoo.cfg]}: starts a server (standalone,
 * or one ensemble member when the file has {@code server.N} lines and {@code dataDir/myid}) and runs until the JVM is
 * asked to stop (Ctrl-C, SIGTERM). Without an argument every setting takes its default (client port 2181, dataDir
 * ./data, tickTime 2000).
 *
 * <p>Exit codes follow ZooKeeper's: 2 for an unusable config or command line, 1 for any other start-up failure
 * (for example a port in use).
 */
public final class PaddockMain {
    static final int EXIT_CONFIG = 2;
    static final int EXIT_FAILURE = 1;

    private PaddockMain() {}

    public static void main(String[] args) {
        configureLogging();
        // created after configureLogging: slf4j-simple reads its settings once, when the first logger is made
        Logger log = LoggerFactory.getLogger(PaddockMain.class);
        if (args.length > 1 || (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help")))) {
            System.err.println("Usage: paddock [path/to/zoo.cfg]");
            System.exit(args.length > 1 ? EXIT_CONFIG : 0);
            return;
        }
        Paddock paddock;
        try {
            paddock = args.length == 0 ? Paddock.start(Map.of()) : Paddock.start(Path.of(args[0]));
        } catch (ConfigException e) {
            System.err.println("paddock: configuration error: " + e.getMessage());
            System.exit(EXIT_CONFIG);
            return;
        } catch (UncheckedIOException e) {
            System.err.println("paddock: " + e.getMessage());
            System.exit(EXIT_FAILURE);
            return;
        } catch (RuntimeException e) {
            log.error("Paddock failed to start", e);
            System.exit(EXIT_FAILURE);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(paddock::close, "paddock-shutdown"));
        log.info("Paddock started; clients connect to {}", paddock.endpoints());
        try {
            // The transport's threads may be daemons; main keeps the JVM up until the shutdown hook has closed.
            paddock.awaitClosed();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            paddock.close();
        }
    }

    /**
     * slf4j-simple's defaults for a server: timestamps and thread names, level info. Set as system properties so a
     * user's {@code -Dorg.slf4j.simpleLogger.*} on the command line still wins, and so that embedding Paddock as a
     * library (tests) does not change the host's logging.
     */
    private static void configureLogging() {
        Map.of(
                "org.slf4j.simpleLogger.defaultLogLevel", "info",
                "org.slf4j.simpleLogger.showDateTime", "true",
                "org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd HH:mm:ss,SSS",
                "org.slf4j.simpleLogger.showThreadName", "true",
                "org.slf4j.simpleLogger.showShortLogName", "true",
                "org.slf4j.simpleLogger.levelInBrackets", "true")
                .forEach((key, value) -> {
                    if (System.getProperty(key) == null) {
                        System.setProperty(key, value);
                    }
                });
    }
}
