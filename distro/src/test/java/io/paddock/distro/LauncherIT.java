package io.paddock.distro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the README's start command, {@code ./paddock [zoo.cfg]}, as a user would: a separate JVM on the module path
 * built by {@code package}. The launcher is told not to rebuild, since this test runs inside that build.
 */
class LauncherIT {
    private static final Pattern STARTED = Pattern.compile("clients connect to 127\\.0\\.0\\.1:(\\d+)");
    private static final long DEADLINE_SECONDS = 60;

    private static Path launcher;

    @TempDir
    Path tmp;

    private Process process;
    private Path outputFile;

    @BeforeAll
    static void findLauncher() {
        Path distro = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
        launcher = distro.getParent().resolve("paddock");
        assertTrue(Files.isExecutable(launcher), launcher + " is missing or not executable");
        assertTrue(Files.isDirectory(distro.resolve("target/modules")), "run after package: target/modules missing");
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS);
        }
    }

    private void launch(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(args));
        // to a file, not a pipe: Process.destroy closes the pipe, and the last lines are the interesting ones
        outputFile = tmp.resolve("launcher.log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(tmp.toFile()).redirectErrorStream(true)
                .redirectOutput(outputFile.toFile());
        builder.environment().put("PADDOCK_NO_BUILD", "1");
        process = builder.start();
    }

    private String output() throws IOException {
        return Files.readString(outputFile, StandardCharsets.UTF_8);
    }

    /** Polls the output until a line matches, or fails with everything printed so far. */
    private Matcher awaitLine(Pattern pattern) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        while (System.nanoTime() < deadline) {
            Matcher m = pattern.matcher(output());
            if (m.find()) {
                return m;
            }
            if (!process.isAlive()) {
                break;
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        return fail("no line matching " + pattern + " within " + DEADLINE_SECONDS + " s; output:\n" + output());
    }

    private int awaitExit() throws InterruptedException {
        assertTrue(process.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS), "launcher did not exit");
        return process.exitValue();
    }

    @Test
    void startsFromAZooCfgServesFourLetterWordsAndStopsOnSigterm() throws Exception {
        Path cfg = tmp.resolve("zoo.cfg");
        Files.writeString(cfg, "clientPort=0\nclientPortAddress=127.0.0.1\n4lw.commands.whitelist=ruok\n");
        launch(cfg.toString());
        int port = Integer.parseInt(awaitLine(STARTED).group(1));

        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("ruok".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertEquals("imok", new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
        }

        process.destroy(); // SIGTERM: the shutdown hook closes the server
        awaitExit();
        String output = output();
        assertTrue(output.contains("Paddock stopped"), output);
    }

    @Test
    void badNumberExitsWithCodeTwoAndNamesTheKey() throws Exception {
        Path cfg = tmp.resolve("zoo.cfg");
        Files.writeString(cfg, "tickTime=2s\n");
        launch(cfg.toString());
        assertEquals(PaddockMain.EXIT_CONFIG, awaitExit());
        String output = output();
        assertTrue(output.contains("configuration error") && output.contains("'tickTime'"), output);
    }

    @Test
    void missingConfigFileExitsWithCodeTwo() throws Exception {
        launch(tmp.resolve("absent.cfg").toString());
        assertEquals(PaddockMain.EXIT_CONFIG, awaitExit());
        String output = output();
        assertTrue(output.contains("absent.cfg"), output);
    }

    @Test
    void tooManyArgumentsPrintUsage() throws Exception {
        launch("a.cfg", "b.cfg");
        assertEquals(PaddockMain.EXIT_CONFIG, awaitExit());
        String output = output();
        assertTrue(output.contains("Usage"), output);
    }
}
