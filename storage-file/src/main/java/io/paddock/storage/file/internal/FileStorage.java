package io.paddock.storage.file.internal;

import io.paddock.api.storage.Storage;
import io.paddock.api.storage.StorageConfig;
import io.paddock.storage.support.FileIo;
import io.paddock.storage.support.FileNames;
import io.paddock.storage.support.FolderStorage;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the {@code file} storage: the txn log in {@code <dataLogDir>/version-2}, and around it storage-support's
 * {@link FolderStorage} (the folder locks, snapshots and durable values in {@code <dataDir>/version-2}), everything
 * through one {@link FileIo}.
 */
public final class FileStorage {
    private static final Logger LOG = LoggerFactory.getLogger(FileStorage.class);

    private FileStorage() {}

    /**
     * Checks the settings, locks the folders (creating them as needed) and checks the whole log; see
     * {@code storage-file/README.md}.
     */
    public static Storage open(StorageConfig config, FileIo io) throws IOException {
        if (config.txnsPerLogFileMax() < 1) {
            throw new IllegalArgumentException("txnsPerLogFileMax (snapCount) must be at least 1: "
                    + config.txnsPerLogFileMax());
        }
        if (config.preAllocBytes() < 0) {
            throw new IllegalArgumentException("preAllocBytes must not be negative: " + config.preAllocBytes());
        }
        return FolderStorage.open(config, io, LOG::warn, () -> FileTxnLog.open(io,
                config.dataLogDir().resolve(FileNames.VERSION_DIR), config.preAllocBytes(),
                config.txnsPerLogFileMax(), config.forceSync()));
    }
}
