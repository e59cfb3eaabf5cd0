package io.paddock.storage.file.internal;

import io.paddock.api.storage.DurableValues;
import io.paddock.api.storage.SnapshotStore;
import io.paddock.api.storage.Storage;
import io.paddock.api.storage.StorageConfig;
import io.paddock.api.storage.TxnLog;
import io.paddock.storage.file.core.LogFormat;
import io.paddock.storage.support.FileDurableValues;
import io.paddock.storage.support.FileIo;
import io.paddock.storage.support.FileNames;
import io.paddock.storage.support.FileSnapshotStore;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code file} storage: the txn log in {@code <dataLogDir>/version-2}, snapshots and durable values in
 * {@code <dataDir>/version-2}, everything through one {@link FileIo}.
 */
public final class FileStorage implements Storage {
    private static final Logger LOG = LoggerFactory.getLogger(FileStorage.class);

    private final FileTxnLog log;
    private final FileSnapshotStore snapshots;
    private final FileDurableValues values;

    private FileStorage(FileTxnLog log, FileSnapshotStore snapshots, FileDurableValues values) {
        this.log = log;
        this.snapshots = snapshots;
        this.values = values;
    }

    /** Opens (creating folders as needed) and checks the whole log; see {@code storage-file/README.md}. */
    public static FileStorage open(StorageConfig config, FileIo io) throws IOException {
        if (config.txnsPerLogFileMax() < 1) {
            throw new IllegalArgumentException("txnsPerLogFileMax (snapCount) must be at least 1: "
                    + config.txnsPerLogFileMax());
        }
        if (config.preAllocBytes() < 0) {
            throw new IllegalArgumentException("preAllocBytes must not be negative: " + config.preAllocBytes());
        }
        Path snapDir = config.dataDir().resolve(FileNames.VERSION_DIR);
        Path logDir = config.dataLogDir().resolve(FileNames.VERSION_DIR);
        FileSnapshotStore snapshots = FileSnapshotStore.open(io, snapDir, LogFormat.DB_ID, LOG::warn);
        FileDurableValues values = new FileDurableValues(io, snapDir);
        FileTxnLog log = FileTxnLog.open(io, logDir, config.preAllocBytes(), config.txnsPerLogFileMax(),
                config.forceSync());
        return new FileStorage(log, snapshots, values);
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

    @Override
    public void close() {
        log.close();
    }
}
