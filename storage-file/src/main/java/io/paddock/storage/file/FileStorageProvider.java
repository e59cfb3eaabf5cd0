package io.paddock.storage.file;

import io.paddock.api.storage.Storage;
import io.paddock.api.storage.StorageConfig;
import io.paddock.api.storage.StorageProvider;
import io.paddock.storage.file.internal.FileStorage;
import io.paddock.storage.support.FileIo;
import java.io.IOException;

/** Provides the {@code file} storage: txn log files with a CRC per record, lz4 snapshots. */
public final class FileStorageProvider implements StorageProvider {
    @Override
    public String name() {
        return "file";
    }

    /** Opens the storage and checks every log record; see {@code storage-file/README.md} for what it honours. */
    @Override
    public Storage open(StorageConfig config) throws IOException {
        return FileStorage.open(config, FileIo.system());
    }
}
