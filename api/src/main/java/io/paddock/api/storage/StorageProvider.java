package io.paddock.api.storage;

import java.io.IOException;

/** ServiceLoader entry point of a storage plugin, chosen by {@code storage=} in the config. */
public interface StorageProvider {
    /** The config name, e.g. {@code file} or {@code mmap}. */
    String name();

    /**
     * Opens (creating if needed) the storage and runs its own integrity checks before returning. The storage holds its
     * folders exclusively until it is closed: opening folders that another open storage holds, in this process or
     * another, fails at once with an {@link IOException} naming the folder. The operating system releases the hold
     * when the process dies, so a server killed with {@code kill -9} can be restarted on the same folders.
     */
    Storage open(StorageConfig config) throws IOException;
}
