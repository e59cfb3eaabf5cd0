package io.paddock.storage.support;

import io.paddock.api.storage.DurableValues;
import io.paddock.api.storage.SnapshotStore;
import io.paddock.api.storage.Storage;
import io.paddock.api.storage.StorageConfig;
import io.paddock.api.storage.TxnLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What every engine's {@link Storage} is around its own log: the data folders, locked for as long as the storage is
 * open, the snapshots and durable values in {@code <dataDir>/version-2}, and the order of opening and closing.
 *
 * <p>{@link #open} creates {@code dataDir} and {@code dataLogDir}, locks {@code dataDir} and then {@code dataLogDir}
 * when it is another folder ({@link FileIo#lock}, so a second open of either, in this JVM or another process, fails
 * at once naming the folder), then opens the snapshot store, the durable values and, last, the engine's log. If any
 * step fails, what was opened is closed and the locks are released before the exception leaves. {@link #close}
 * closes the log, then releases the locks: syncs nothing.
 */
public final class FolderStorage implements Storage {

    /** An engine's txn log, as this class opens and closes it. */
    public interface Log extends TxnLog, AutoCloseable {
        /** Releases the log's files; syncs nothing. Must not throw. */
        @Override
        void close();
    }

    /** Opens the engine's log once the folders are locked; may assume they exist. */
    @FunctionalInterface
    public interface LogOpener {
        Log open() throws IOException;
    }

    private final Log log;
    private final FileSnapshotStore snapshots;
    private final FileDurableValues values;
    private final List<DirectoryLock> locks;
    private final Consumer<String> warnings;
    private boolean closed;

    private FolderStorage(Log log, FileSnapshotStore snapshots, FileDurableValues values, List<DirectoryLock> locks,
            Consumer<String> warnings) {
        this.log = log;
        this.snapshots = snapshots;
        this.values = values;
        this.locks = List.copyOf(locks);
        this.warnings = warnings;
    }

    /**
     * @param io         every file operation and lock goes through it
     * @param warnings   gets the snapshot store's warnings and a failed unlock at close
     * @param logOpener  the engine's log, opened last
     * @throws IOException naming the folder if another process or open storage holds {@code dataDir} or
     *                     {@code dataLogDir}; whatever the snapshot store or the log throws
     */
    public static FolderStorage open(StorageConfig config, FileIo io, Consumer<String> warnings, LogOpener logOpener)
            throws IOException {
        Objects.requireNonNull(logOpener, "logOpener");
        List<DirectoryLock> locks = new ArrayList<>(2);
        try {
            io.createDirectories(config.dataDir());
            io.createDirectories(config.dataLogDir());
            locks.add(io.lock(config.dataDir(), "dataDir"));
            if (!sameFolder(config.dataDir(), config.dataLogDir())) {
                locks.add(io.lock(config.dataLogDir(), "dataLogDir"));
            }
            Path snapDir = config.dataDir().resolve(FileNames.VERSION_DIR);
            // both engines write db id 0 into snapshot headers, as ZooKeeper does
            FileSnapshotStore snapshots = FileSnapshotStore.open(io, snapDir, 0, warnings);
            FileDurableValues values = new FileDurableValues(io, snapDir);
            Log log = logOpener.open();
            return new FolderStorage(log, snapshots, values, locks, warnings);
        } catch (IOException | RuntimeException | Error e) {
            for (DirectoryLock lock : locks) {
                try {
                    lock.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** Whether two existing folders are one, symbolic links followed (one lock then covers both). */
    private static boolean sameFolder(Path a, Path b) throws IOException {
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())
                || a.toRealPath().equals(b.toRealPath());
    }

    @Override
    public TxnLog log() {
        return log;
    }

    @Override
    public SnapshotStore snapshots() {
        return snapshots;
    }

    @Override
    public DurableValues values() {
        return values;
    }

    /** The locks this storage holds: dataDir's, then dataLogDir's when it is another folder (tests and tools). */
    public List<DirectoryLock> locks() {
        return locks;
    }

    /** Closes the log, then releases the folder locks; syncs nothing. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            log.close();
        } finally {
            for (DirectoryLock lock : locks) {
                try {
                    lock.close();
                } catch (IOException e) {
                    warnings.accept("releasing the lock of " + lock.directory() + " failed: " + e);
                }
            }
        }
    }
}
