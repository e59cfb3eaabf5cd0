package io.paddock.crash;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/** Failover numbers: printed, and appended to {@code target/ensemble-failover.txt} (crash.reportDir). */
final class FailoverReport {
    private FailoverReport() {}

    static synchronized void record(String line) throws IOException {
        System.out.println(line);
        Path dir = Path.of(System.getProperty("crash.reportDir", System.getProperty("java.io.tmpdir")));
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("ensemble-failover.txt"), Instant.now() + " " + line + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
