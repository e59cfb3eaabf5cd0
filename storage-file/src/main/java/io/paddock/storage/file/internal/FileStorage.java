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

    /** How the next log file is prepared ahead of a roll (README, "How it writes"). */
    public enum Preparer {
        /** On a background thread of the log's own, so a roll only switches to the spare (what the provider uses). */
        BACKGROUND,
        /** On the writer's thread, right after open and after each roll (deterministic fault-injection tests). */
        INLINE,
        /** Never: every roll creates its file itself (the benchmark's baseline). */
        NONE
    }

    /**
     * Checks the settings, locks the folders (creating them as needed) and checks the whole log; see
     * {@code storage-file/README.md}.
     */
    public static Storage open(StorageConfig config, FileIo io) throws IOException {
        return open(config, io, Preparer.BACKGROUND);
    }

    /** As {@link #open(StorageConfig, FileIo)}, choosing how the next log file is prepared. */
    public static Storage open(StorageConfig config, FileIo io, Preparer preparer) throws IOException {
        if (config.txnsPerLogFileMax() < 1) {
            throw new IllegalArgumentException("txnsPerLogFileMax (snapCount) must be at least 1: "
                    + config.txnsPerLogFileMax());
        }
        if (config.preAllocBytes() < 0) {
            throw new IllegalArgumentException("preAllocBytes must not be negative: " + config.preAllocBytes());
        }
        return FolderStorage.open(config, io, LOG::warn, () -> FileTxnLog.open(io,
                config.dataLogDir().resolve(FileNames.VERSION_DIR), config.preAllocBytes(),
                config.txnsPerLogFileMax(), config.forceSync(), preparer));
    }
}
