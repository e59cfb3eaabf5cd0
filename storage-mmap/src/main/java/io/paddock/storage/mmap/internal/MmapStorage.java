package io.paddock.storage.mmap.internal;

import io.paddock.api.storage.DurableValues;
import io.paddock.api.storage.SnapshotStore;
import io.paddock.api.storage.Storage;
import io.paddock.api.storage.StorageConfig;
import io.paddock.api.storage.TxnLog;
import io.paddock.storage.support.FileDurableValues;
import io.paddock.storage.support.FileIo;
import io.paddock.storage.support.FileNames;
import io.paddock.storage.support.FileSnapshotStore;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mmap engine's {@link Storage}: its own log, plus storage-support's snapshot files and durable values in
 * {@code <dataDir>/version-2}, byte for byte what storage=file writes there, so switching engines keeps both.
 */
public final class MmapStorage implements Storage {
    private static final Logger LOG = LoggerFactory.getLogger(MmapStorage.class);

    private final MmapTxnLog log;
    private final FileSnapshotStore snapshots;
    private final FileDurableValues values;

    private MmapStorage(MmapTxnLog log, FileSnapshotStore snapshots, FileDurableValues values) {
        this.log = log;
        this.snapshots = snapshots;
        this.values = values;
    }

    /** Production: the real file system and range {@code msync}. */
    public static MmapStorage open(StorageConfig config) throws IOException {
        SecureRandom random = new SecureRandom();
        return open(config, FileIo.system(), Flusher.MSYNC_RANGE, random::nextLong);
    }

    /**
     * @param io      every file operation goes through it
     * @param flusher {@link Flusher#HANDLE_FORCE} with a fault-injecting {@code io}, which only sees handle forces
     * @param dbIds   random ids for a new log lineage
     */
    static MmapStorage open(StorageConfig config, FileIo io, Flusher flusher, LongSupplier dbIds)
            throws IOException {
        LogSettings settings = LogSettings.from(config);
        Path dataDir = config.dataDir().resolve(FileNames.VERSION_DIR);
        FileSnapshotStore snapshots = FileSnapshotStore.open(io, dataDir, 0, LOG::warn);
        FileDurableValues values = new FileDurableValues(io, dataDir);
        MmapTxnLog log = MmapTxnLog.open(io, config.dataLogDir(), settings, flusher, dbIds);
        return new MmapStorage(log, snapshots, values);
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

    /** Releases the log's mappings and files; syncs nothing. */
    @Override
    public void close() {
        log.close();
    }
}
