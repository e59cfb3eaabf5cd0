package io.paddock.api.storage;

import java.io.IOException;

/** ServiceLoader entry point of a storage plugin, chosen by {@code storage=} in the config. */
public interface StorageProvider {
    /** The config name, e.g. {@code file} or {@code mmap}. */
    String name();

    /** Opens (creating if needed) the storage and runs its own integrity checks before returning. */
    Storage open(StorageConfig config) throws IOException;
}
