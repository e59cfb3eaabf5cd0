package io.paddock.storage.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.api.storage.StorageConfig;
import io.paddock.api.storage.TxnCursor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engines' shared open and close order; the contract kit runs the rest against both engines. */
class FolderStorageTest {
    @TempDir
    Path base;

    private final List<String> events = new ArrayList<>();

    /** Records its close; every log operation is out of scope here. */
    private final class RecordingLog implements FolderStorage.Log {
        @Override
        public void append(long zxid, ByteBuffer txn) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void sync() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void truncateAfter(long zxid) {
            throw new UnsupportedOperationException();
        }

        @Override
        public TxnCursor readAfter(long afterZxid) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long lastZxid() {
            return 0;
        }

        @Override
        public void purgeUpTo(long zxid) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
            events.add("log closed, dataDir still locked: " + locked(base.resolve("data")));
        }
    }

    private StorageConfig config(Path data, Path log) {
        return new StorageConfig(data, log, 0, 1, true, Map.of());
    }

    private static boolean locked(Path dir) {
        try (DirectoryLock probe = DirectoryLock.acquire(dir, "probe")) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Test
    void createsAndLocksBothFoldersBeforeTheLogAndUnlocksAfterIt() throws IOException {
        Path data = base.resolve("data");
        Path log = base.resolve("nested/datalog");
        FolderStorage s = FolderStorage.open(config(data, log), FileIo.system(), events::add, () -> {
            events.add("log opened, locked: " + locked(data) + " " + locked(log));
            return new RecordingLog();
        });
        assertEquals(2, s.locks().size());
        assertTrue(Files.isDirectory(data.resolve(FileNames.VERSION_DIR)), "snapshots and values live there");
        s.close();
        s.close();
        assertEquals(List.of("log opened, locked: true true", "log closed, dataDir still locked: true"), events);
        assertTrue(!locked(data) && !locked(log), "released on close");
    }

    @Test
    void aLogThatFailsToOpenLeavesNoLockBehind() throws IOException {
        Path data = base.resolve("data");
        Path log = base.resolve("datalog");
        IOException failure = new IOException("damaged log");
        IOException e = assertThrows(IOException.class, () -> FolderStorage.open(config(data, log), FileIo.system(),
                events::add, () -> {
                    throw failure;
                }));
        assertSame(failure, e);
        RuntimeException bug = new IllegalStateException("engine bug");
        assertSame(bug, assertThrows(IllegalStateException.class, () -> FolderStorage.open(config(data, log),
                FileIo.system(), events::add, () -> {
                    throw bug;
                })));
        assertTrue(!locked(data) && !locked(log));
    }

    @Test
    void aLockedDataLogDirReleasesTheDataDirLockAlreadyTaken() throws IOException {
        Path data = base.resolve("data");
        Path log = Files.createDirectories(base.resolve("datalog"));
        try (DirectoryLock other = DirectoryLock.acquire(log, "dataLogDir")) {
            IOException e = assertThrows(IOException.class, () -> FolderStorage.open(config(data, log),
                    FileIo.system(), events::add, RecordingLog::new));
            assertTrue(e.getMessage().contains("dataLogDir " + log), e.getMessage());
            assertTrue(!locked(data), "dataDir was released");
        }
        assertEquals(List.of(), events, "the log was never opened");
    }

    @Test
    void oneFolderForBothTakesOneLock() throws IOException {
        Path one = base.resolve("one");
        try (FolderStorage s = FolderStorage.open(config(one, one), FileIo.system(), events::add, RecordingLog::new)) {
            assertEquals(1, s.locks().size());
            assertTrue(locked(one));
        }
    }
}
