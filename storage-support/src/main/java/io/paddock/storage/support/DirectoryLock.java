package io.paddock.storage.support;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * An exclusive hold on a data folder: an OS lock ({@link FileChannel#tryLock()}, {@code fcntl} on Linux) on the file
 * {@value #FILE_NAME} in it, kept until {@link #close()}. The operating system drops the lock when the process ends,
 * {@code kill -9} included, so a restarted server never finds a stale lock.
 *
 * <p>The holder writes its pid into the file, only so that the refusal can name it: the decision is the OS lock
 * alone, never the file's content or existence. The file is never deleted, since deleting it while another process
 * opens it would let two processes lock two different files of the same name.
 *
 * <p>POSIX record locks belong to the process, and closing <em>any</em> descriptor of the file in that process drops
 * them, even one opened elsewhere for reading. So a second lock of the same folder in this JVM is refused from a
 * JVM-wide table before the file is opened at all, and nothing else should open the lock file in a process that
 * holds it (storage-support/README.md, "Data folder lock").
 */
public final class DirectoryLock implements Closeable {
    /** The lock file in each locked folder. */
    public static final String FILE_NAME = "paddock.lock";

    /** Folders (real paths) locked by this JVM, with their holder. */
    private static final Map<Path, DirectoryLock> HELD = new ConcurrentHashMap<>();
    private static final Pattern PID = Pattern.compile("[0-9]{1,19}");
    private static final int HOLDER_BYTES_MAX = 64;

    private final Path directory;
    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean closed;

    private DirectoryLock(Path directory, Path key, FileChannel channel, FileLock lock) {
        this.directory = directory;
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks an existing folder, or fails at once (never waits).
     *
     * @param role what the folder is, for the message (e.g. {@code "dataDir"})
     * @throws IOException naming the folder and, when the lock file tells, the holder's pid, if another process or
     *                     another open storage of this JVM holds it; or naming the folder if the lock cannot be taken
     */
    public static DirectoryLock acquire(Path dir, String role) throws IOException {
        Path key;
        try {
            key = dir.toRealPath();
        } catch (IOException e) {
            throw new IOException("cannot lock " + role + " " + dir + ": " + e, e);
        }
        DirectoryLock placeholder = new DirectoryLock(dir, key, null, null);
        if (HELD.putIfAbsent(key, placeholder) != null) {
            throw new IOException(role + " " + dir + " is already in use by another open storage in this process"
                    + " (pid " + ProcessHandle.current().pid() + "); two servers must not share a data folder");
        }
        Path file = key.resolve(FILE_NAME);
        FileChannel channel = null;
        try {
            // no TRUNCATE_EXISTING: the holder's pid must stay readable until the lock is ours
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                // locked in this JVM, but not through this class
                throw new IOException(role + " " + dir + " is already locked in this process (pid "
                        + ProcessHandle.current().pid() + "); two servers must not share a data folder", e);
            }
            if (lock == null) {
                String holder = holder(channel);
                throw new IOException(role + " " + dir + " is in use by another process"
                        + (holder == null ? "" : " (pid " + holder + ", as written in " + file + ")")
                        + "; two servers must not share a data folder");
            }
            DirectoryLock held = new DirectoryLock(dir, key, channel, lock);
            writePid(channel);
            HELD.replace(key, placeholder, held);
            return held;
        } catch (IOException | RuntimeException e) {
            HELD.remove(key, placeholder);
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (e instanceof IOException io && io.getMessage() != null && io.getMessage().contains(dir.toString())) {
                throw io;
            }
            throw new IOException("cannot lock " + role + " " + dir + " (" + file + "): " + e, e);
        }
    }

    /** The pid the holder wrote, or null if the file does not hold one (yet). */
    private static String holder(FileChannel channel) {
        try {
            ByteBuffer b = ByteBuffer.allocate(HOLDER_BYTES_MAX);
            while (b.hasRemaining() && channel.read(b, b.position()) > 0) {
                // keep reading
            }
            String text = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim();
            return PID.matcher(text).matches() ? text : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static void writePid(FileChannel channel) throws IOException {
        // informative only, so not forced: a stale or torn pid costs a less precise message, nothing more
        channel.truncate(0);
        ByteBuffer b = ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII));
        while (b.hasRemaining()) {
            channel.write(b, b.position());
        }
    }

    /** The folder as it was given to {@link #acquire}. */
    public Path directory() {
        return directory;
    }

    /** Whether this object still holds the lock. */
    public synchronized boolean isHeld() {
        return !closed && lock.isValid();
    }

    /** Releases the lock (the file stays). Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            // closing the channel releases the lock; the table entry goes only after that
            channel.close();
        } catch (IOException e) {
            throw SystemFileIo.named("unlock", directory.resolve(FILE_NAME), e);
        } finally {
            HELD.remove(key, this);
        }
    }

    @Override
    public String toString() {
        return "DirectoryLock[" + directory + "]";
    }
}
