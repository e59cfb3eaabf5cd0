package io.paddock.storage.file;

import io.paddock.api.storage.Storage;
import io.paddock.api.storage.StorageConfig;
import io.paddock.api.storage.StorageProvider;
import io.paddock.storage.file.internal.FileStorage;
import io.paddock.storage.support.FileIo;
import io.paddock.storage.support.testkit.FaultyFileIo;
import io.paddock.storage.support.testkit.StorageContractTest;

/** The storage SPI contract kit from storage-support, run against the {@code file} engine. */
class FileStorageContractTest extends StorageContractTest {
    @Override
    protected StorageProvider provider() {
        return new FileStorageProvider();
    }

    @Override
    protected Storage open(StorageConfig config, FileIo io) throws java.io.IOException {
        // the provider's background preparer over the real file system; over FaultyFileIo the spare is prepared on
        // the writer's thread, so that injected faults and crashes land on the same operations in every run
        return FileStorage.open(config, io, io instanceof FaultyFileIo ? FileStorage.Preparer.INLINE
                : FileStorage.Preparer.BACKGROUND);
    }
}
