package io.paddock.storage.mmap;

import io.paddock.api.storage.Storage;
import io.paddock.api.storage.StorageConfig;
import io.paddock.api.storage.StorageProvider;
import io.paddock.storage.mmap.internal.MmapStorage;
import java.io.IOException;

/**
 * Provides the {@code mmap} storage: the txn log in memory-mapped segment files
 * ({@code <dataLogDir>/version-2/mlog.<first zxid hex>}), snapshots and durable values as storage-support writes them.
 */
public final class MmapStorageProvider implements StorageProvider {
    @Override
    public String name() {
        return "mmap";
    }

    /** Recovers the log before returning; see {@code storage-mmap/README.md} for what it checks and repairs. */
    @Override
    public Storage open(StorageConfig config) throws IOException {
        return MmapStorage.open(config);
    }
}
