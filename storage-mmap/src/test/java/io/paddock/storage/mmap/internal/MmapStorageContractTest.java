package io.paddock.storage.mmap.internal;

import io.paddock.api.storage.Storage;
import io.paddock.api.storage.StorageConfig;
import io.paddock.api.storage.StorageProvider;
import io.paddock.storage.mmap.MmapStorageProvider;
import io.paddock.storage.support.FileIo;
import io.paddock.storage.support.testkit.StorageContractTest;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * storage-support's contract kit against the mmap engine. Over the real file system it runs exactly what the provider
 * runs ({@code msync} of the dirty range); over the kit's {@code FaultyFileIo} it flushes with {@code fdatasync}
 * through the file handle, the only flush that file layer can observe (it cannot see an msync).
 */
@ExtendWith(MmapStorageContractTest.NotForMappedWrites.class)
class MmapStorageContractTest extends StorageContractTest {
    private final AtomicLong dbIds = new AtomicLong(0x6d6d6170);

    @Override
    protected StorageProvider provider() {
        return new MmapStorageProvider();
    }

    @Override
    protected Storage open(StorageConfig config, FileIo io) throws IOException {
        Flusher flusher = io == FileIo.system() ? Flusher.MSYNC_RANGE : Flusher.HANDLE_FORCE;
        return MmapStorage.open(config, io, flusher, dbIds::incrementAndGet);
    }

    /**
     * Kit tests that inject their fault into {@code FileHandle.write}. Appends here are stores into a mapping; the
     * engine writes through the handle only when it creates a segment, so a fault armed after a sync and followed by
     * fewer appends than a segment holds is never reached. The mmap counterparts (a failed segment creation, a
     * faulting mapped store, a failed msync) are in {@link MmapFaultTest} and {@link MmapTxnLogTest}.
     */
    static final class NotForMappedWrites implements ExecutionCondition {
        private static final Map<String, String> SKIPPED = Map.of(
                "aWriteErrorPoisonsTheLogUntilItIsReopened",
                "appends to a mapping never call FileHandle.write; see MmapFaultTest");

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            String reason = context.getTestMethod().map(m -> SKIPPED.get(m.getName())).orElse(null);
            return reason == null ? ConditionEvaluationResult.enabled("contract test")
                    : ConditionEvaluationResult.disabled("not applicable to mmap: " + reason);
        }
    }
}
