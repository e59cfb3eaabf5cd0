package io.paddock.api.storage;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * @param dataDir            where snapshots and durable values live ({@code dataDir})
 * @param dataLogDir         where the txn log lives ({@code dataLogDir}, defaults to dataDir)
 * @param preAllocBytes      log file preallocation block ({@code preAllocSize}, ZooKeeper default 64 MiB)
 * @param txnsPerLogFileMax  roll the log to a new file after this many records ({@code snapCount})
 * @param forceSync          false only for tests and benchmarks: sync becomes a no-op
 * @param extra              plugin-specific keys from the config file
 */
public record StorageConfig(
        Path dataDir,
        Path dataLogDir,
        long preAllocBytes,
        int txnsPerLogFileMax,
        boolean forceSync,
        Map<String, String> extra) {

    public StorageConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(dataLogDir, "dataLogDir");
        extra = Map.copyOf(Objects.requireNonNull(extra, "extra"));
    }
}
