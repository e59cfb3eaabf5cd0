package io.paddock.storage.support.testkit;

import io.paddock.api.storage.StorageConfig;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/** {@link LockHolderMain} in a child JVM on this JVM's class and module path, driven line by line. */
final class LockHolderProcess implements AutoCloseable {
    private static final long REPLY_TIMEOUT_SECONDS = 60;

    private final Process process;
    private final Writer commands;
    private final BlockingQueue<String> replies = new ArrayBlockingQueue<>(64);
    private final Path errors;

    private LockHolderProcess(Process process, Path errors) {
        this.process = process;
        this.errors = errors;
        this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readReplies, "lock-holder-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * @param codeOf classes whose jar or folder must be on the child's class path beside this JVM's own class and
     *               module path (the engine, its provider's module)
     */
    static LockHolderProcess start(String providerName, StorageConfig config, Path errors, Class<?>... codeOf)
            throws IOException {
        Set<String> path = new LinkedHashSet<>();
        path.add(location(LockHolderMain.class));
        for (Class<?> c : codeOf) {
            path.add(location(c));
        }
        for (String property : new String[] {"java.class.path", "jdk.module.path"}) {
            String value = System.getProperty(property);
            if (value != null && !value.isBlank()) {
                for (String entry : value.split(File.pathSeparator)) {
                    if (!entry.isBlank()) {
                        path.add(entry);
                    }
                }
            }
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData",
                "-cp", String.join(File.pathSeparator, path),
                LockHolderMain.class.getName(),
                providerName,
                config.dataDir().toString(),
                config.dataLogDir().toString(),
                Long.toString(config.preAllocBytes()),
                Integer.toString(config.txnsPerLogFileMax())));
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.to(errors.toFile()))
                .start();
        return new LockHolderProcess(p, errors);
    }

    private static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private void readReplies() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!replies.offer(line)) {
                    return; // nobody is reading: the test has failed already
                }
            }
        } catch (IOException e) {
            // the child died; send() reports it with its stderr
        }
    }

    long pid() {
        return process.pid();
    }

    /** Sends one command and waits (bounded) for its one-line reply. */
    String send(String command) throws IOException, InterruptedException {
        commands.write(command + "\n");
        commands.flush();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(REPLY_TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline) {
            String reply = replies.poll(100, TimeUnit.MILLISECONDS);
            if (reply != null) {
                return reply;
            }
            if (!process.isAlive() && replies.isEmpty()) {
                throw new AssertionError("the lock holder exited (" + process.exitValue() + ") without answering '"
                        + command + "': " + stderr());
            }
        }
        throw new AssertionError("no answer to '" + command + "' within " + REPLY_TIMEOUT_SECONDS + " s: " + stderr());
    }

    /** {@code kill -9}: Process.destroyForcibly sends SIGKILL on Linux; waits (bounded) until it is gone. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError("the lock holder " + process.pid() + " survived SIGKILL");
        }
    }

    String stderr() {
        try {
            return Files.readString(errors);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
}
