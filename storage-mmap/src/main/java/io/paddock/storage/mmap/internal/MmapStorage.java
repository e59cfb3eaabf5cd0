package io.paddock.storage.mmap.internal;

import io.paddock.api.storage.Storage;
import io.paddock.api.storage.StorageConfig;
import io.paddock.storage.support.FileIo;
import io.paddock.storage.support.FolderStorage;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the mmap engine's {@link Storage}: its own log, inside storage-support's {@link FolderStorage} (the folder
 * locks, snapshot files and durable values in {@code <dataDir>/version-2}, byte for byte what storage=file writes
 * there, so switching engines keeps both). Closing releases the log's mappings and files and syncs nothing.
 */
public final class MmapStorage {
    private static final Logger LOG = LoggerFactory.getLogger(MmapStorage.class);

    private MmapStorage() {}

    /** Production: the real file system and range {@code msync}. */
    public static Storage open(StorageConfig config) throws IOException {
        SecureRandom random = new SecureRandom();
        return open(config, FileIo.system(), Flusher.MSYNC_RANGE, random::nextLong);
    }

    /**
     * @param io      every file operation goes through it
     * @param flusher {@link Flusher#HANDLE_FORCE} with a fault-injecting {@code io}, which only sees handle forces
     * @param dbIds   random ids for a new log lineage
     */
    static Storage open(StorageConfig config, FileIo io, Flusher flusher, LongSupplier dbIds) throws IOException {
        LogSettings settings = LogSettings.from(config);
        return FolderStorage.open(config, io, LOG::warn,
                () -> MmapTxnLog.open(io, config.dataLogDir(), settings, flusher, dbIds));
    }
}
