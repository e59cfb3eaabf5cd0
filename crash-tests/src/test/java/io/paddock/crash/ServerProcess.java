package io.paddock.crash;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Paddock server in its own JVM, started the way an operator starts it ({@code PaddockMain zoo.cfg}) but on the
 * test's class path: every plugin jar lists its provider in META-INF/services, so class-path mode finds them all.
 *
 * <p>The child's output is read line by line by a thread (no polling): each line goes to a log file, and the line that
 * announces the bound port completes {@link #port}. A server that refuses a client because the client has seen a
 * newer zxid than the server has (data went backwards) is reported through {@link #refusals()}.
 */
final class ServerProcess {
    /** Paddock.start's announcement; the address is an InetSocketAddress's toString, "/127.0.0.1:PORT". */
    private static final Pattern SERVING = Pattern.compile("Paddock serving clients on /127\\.0\\.0\\.1:(\\d+)");
    /** PaddockMain's line once its shutdown hook is in place: from then on SIGTERM stops the server cleanly. */
    private static final Pattern STARTED = Pattern.compile("Paddock started; clients connect to ");
    private static final Pattern REFUSING = Pattern.compile("refusing .*: client has seen zxid .*");
    private static final int TAIL_LINES = 60;
    /** What the JVM reports for a process ended by signal 9: 128 + 9. */
    static final int SIGKILL_EXIT = 137;

    /** Children still running; a shutdown hook ends them so an aborted test run leaves no server behind. */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "crash-tests-children"));
    }

    private final Process process;
    private final Path logFile;
    private final CompletableFuture<Integer> port = new CompletableFuture<>();
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final List<String> refusals = new ArrayList<>();
    private final Deque<String> tail = new ArrayDeque<>();
    private final Thread reader;

    private ServerProcess(Process process, Path logFile) {
        this.process = process;
        this.logFile = logFile;
        LIVE.add(process);
        process.onExit().thenRun(() -> LIVE.remove(process));
        this.reader = new Thread(this::readOutput, "child-output-" + process.pid());
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /**
     * Starts {@code PaddockMain zooCfg} in a new JVM whose output goes to {@code logFile}.
     *
     * @param classArchive a CDS archive made by {@link #makeClassArchive}, or null
     */
    static ServerProcess start(Path zooCfg, Path logFile, Path classArchive) throws IOException {
        return start(zooCfg, logFile, classArchive == null ? List.of()
                : List.of("-XX:SharedArchiveFile=" + classArchive));
    }

    private static ServerProcess start(Path zooCfg, Path logFile, List<String> jvmOptions) throws IOException {
        return start(PADDOCK_MAIN, zooCfg, logFile, jvmOptions);
    }

    /** Paddock's entry point, as the launcher runs it. */
    static final String PADDOCK_MAIN = "io.paddock.distro.PaddockMain";

    /**
     * Starts {@code mainClass zooCfg} in a new JVM on the test's class path (Paddock's {@link #PADDOCK_MAIN}, or
     * Apache ZooKeeper's {@code QuorumPeerMain} for a comparison), with {@code jvmOptions} after the fast-start ones:
     * a later {@code -Xmx} wins over the default small heap.
     */
    static ServerProcess start(String mainClass, Path zooCfg, Path logFile, List<String> jvmOptions)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // start fast: class data sharing, C1 only, a small serial-collected heap
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xms32m", "-Xmx192m",
                "-XX:-UsePerfData"));
        command.addAll(jvmOptions);
        command.addAll(List.of(
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-cp", childClassPath(),
                mainClass, zooCfg.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .directory(zooCfg.getParent().toFile());
        return new ServerProcess(builder.start(), logFile);
    }

    /**
     * The test's class path without this module's own classes (the server needs none of them), jars first: class data
     * sharing maps classes from jars only, and refuses to start with a non-empty folder before a jar it archived.
     */
    private static String childClassPath() {
        Path own;
        try {
            own = Path.of(ServerProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<String> jars = new ArrayList<>();
        List<String> folders = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.isEmpty() || Path.of(entry).toAbsolutePath().equals(own.toAbsolutePath())) {
                continue;
            }
            (entry.endsWith(".jar") ? jars : folders).add(entry);
        }
        jars.addAll(folders);
        return String.join(File.pathSeparator, jars);
    }

    /**
     * Runs a server once on {@code zooCfg} and stops it cleanly, so the JVM writes the classes it loaded to a dynamic
     * CDS archive: later starts map them instead of loading them, about half the start-up time. Returns the archive,
     * or null if the JVM made none (the starts then work without it).
     */
    static Path makeClassArchive(Path zooCfg, Path archive, long timeoutMs) throws IOException, InterruptedException {
        ServerProcess warmUp = start(zooCfg, archive.resolveSibling(archive.getFileName() + ".log"),
                List.of("-XX:ArchiveClassesAtExit=" + archive));
        try {
            // the archive is written when the JVM exits normally; a SIGTERM that lands before PaddockMain has
            // registered its shutdown hook ends the JVM without writing it
            warmUp.started.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return null;
        } finally {
            warmUp.stop();
        }
        return Files.isRegularFile(archive) ? archive : null;
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                Writer log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                log.write(line);
                log.write('\n');
                log.flush();
                synchronized (this) {
                    tail.addLast(line);
                    if (tail.size() > TAIL_LINES) {
                        tail.removeFirst();
                    }
                    if (REFUSING.matcher(line).find()) {
                        refusals.add(line);
                        notifyAll();
                    }
                }
                Matcher m = SERVING.matcher(line);
                if (m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                }
                if (STARTED.matcher(line).find()) {
                    started.complete(null);
                }
            }
        } catch (IOException e) {
            // the pipe breaks when the process is killed; what was read is in the log already
        } finally {
            port.completeExceptionally(new IllegalStateException("the server exited without serving"));
            started.completeExceptionally(new IllegalStateException("the server exited before it started"));
        }
    }

    long pid() {
        return process.pid();
    }

    /** The client port, once the child has bound it; fails with the child's last lines if it does not. */
    int awaitPort(long timeoutMs) throws InterruptedException {
        try {
            return port.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("server pid " + pid() + " did not start serving within " + timeoutMs + " ms ("
                    + e.getMessage() + "); its last lines:\n" + tail(), e);
        }
    }

    /** Lines where the server refused a client for having seen a newer zxid than the server has. */
    synchronized List<String> refusals() {
        return new ArrayList<>(refusals);
    }

    /** Waits up to {@code timeoutMs} for a refusal to be logged; wakes early when one is. */
    synchronized boolean awaitRefusal(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (refusals.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    synchronized String tail() {
        return String.join("\n", tail);
    }

    /**
     * Sends SIGKILL, the way {@code kill -9} ends a process: {@link ProcessHandle#destroyForcibly()} sends SIGKILL on
     * Linux ({@link #awaitKilled} checks the exit status, so a graceful stop cannot pass for a kill). Through the
     * handle, not {@link Process#destroyForcibly()}, which also closes our end of the output pipe: the reader keeps
     * every line up to the end.
     */
    void sigkill() {
        process.toHandle().destroyForcibly();
    }

    /** Waits for the process to end and checks it ended by SIGKILL: exit status 128 + 9. */
    void awaitKilled() throws InterruptedException {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("server pid " + pid() + " survived SIGKILL for 30 s");
        }
        int exit = process.exitValue();
        if (exit != SIGKILL_EXIT) {
            throw new AssertionError("server pid " + pid() + " exited with " + exit + ", not " + SIGKILL_EXIT
                    + " (SIGKILL); its last lines:\n" + tail());
        }
        awaitOutputClosed();
    }

    /**
     * SIGTERM: the shutdown hook closes the server. Sent through the handle: {@link Process#destroy()} would close the
     * output pipe at once, and a JVM that cannot write its output as it exits does not write its class archive.
     */
    void stop() throws InterruptedException {
        process.toHandle().destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.toHandle().destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        awaitOutputClosed();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Whether the child's output so far contains a line that matches {@code pattern} (the log file is complete). */
    boolean logContains(Pattern pattern) throws IOException {
        try (java.util.stream.Stream<String> lines = Files.lines(logFile, StandardCharsets.UTF_8)) {
            return lines.anyMatch(l -> pattern.matcher(l).find());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    Path logFile() {
        return logFile;
    }

    private void awaitOutputClosed() throws InterruptedException {
        reader.join(TimeUnit.SECONDS.toMillis(30));
        if (reader.isAlive()) {
            throw new UncheckedIOException(new IOException("the output of pid " + pid() + " is still open"));
        }
    }
}
