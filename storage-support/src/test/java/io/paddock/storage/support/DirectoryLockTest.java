package io.paddock.storage.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The folder lock within one JVM; the contract kit checks it across processes, with kill -9. */
class DirectoryLockTest {
    @TempDir
    Path dir;

    private final String pid = Long.toString(ProcessHandle.current().pid());

    @Test
    void theHolderWritesItsPidAndASecondLockIsRefusedNamingFolderAndHolder() throws IOException {
        try (DirectoryLock lock = FileIo.system().lock(dir, "dataDir")) {
            assertTrue(lock.isHeld());
            assertEquals(dir, lock.directory());
            assertEquals(pid + "\n", Files.readString(dir.resolve(DirectoryLock.FILE_NAME)));
            IOException e = assertThrows(IOException.class, () -> DirectoryLock.acquire(dir, "dataLogDir"));
            assertTrue(e.getMessage().startsWith("dataLogDir " + dir + " is already in use"), e.getMessage());
            assertTrue(e.getMessage().contains("pid " + pid), e.getMessage());
        }
    }

    @Test
    void anotherSpellingOfTheSameFolderIsTheSameLock() throws IOException {
        Path link = Files.createSymbolicLink(dir.resolveSibling(dir.getFileName() + "-link"), dir);
        try (DirectoryLock lock = DirectoryLock.acquire(dir, "dataDir")) {
            assertThrows(IOException.class, () -> DirectoryLock.acquire(link, "dataDir"));
            assertThrows(IOException.class, () -> DirectoryLock.acquire(dir.resolve(".").resolve("x").resolve(".."),
                    "dataDir"));
        } finally {
            Files.delete(link);
        }
    }

    @Test
    void closeReleasesIsIdempotentAndKeepsTheFile() throws IOException {
        DirectoryLock lock = DirectoryLock.acquire(dir, "dataDir");
        lock.close();
        lock.close();
        assertFalse(lock.isHeld());
        assertTrue(Files.exists(dir.resolve(DirectoryLock.FILE_NAME)), "deleting it would race a new holder");
        try (DirectoryLock again = DirectoryLock.acquire(dir, "dataDir")) {
            assertTrue(again.isHeld());
            lock.close(); // the old holder's late close must not release the new one
            assertThrows(IOException.class, () -> DirectoryLock.acquire(dir, "dataDir"));
        }
    }

    @Test
    void aStalePidFromAnEndedHolderDoesNotBlock() throws IOException {
        Files.writeString(dir.resolve(DirectoryLock.FILE_NAME), "999999999\n");
        try (DirectoryLock lock = DirectoryLock.acquire(dir, "dataDir")) {
            assertTrue(lock.isHeld());
            assertEquals(pid + "\n", Files.readString(dir.resolve(DirectoryLock.FILE_NAME)));
        }
    }

    @Test
    void aLockHeldInThisJvmOutsideThisClassIsRefusedToo() throws IOException {
        Path file = dir.resolve(DirectoryLock.FILE_NAME);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock held = ch.lock()) {
            IOException e = assertThrows(IOException.class, () -> DirectoryLock.acquire(dir, "dataDir"));
            assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("already locked"),
                    e.getMessage());
        }
        try (DirectoryLock lock = DirectoryLock.acquire(dir, "dataDir")) {
            assertTrue(lock.isHeld());
        }
    }

    @Test
    void aMissingFolderIsAnIOExceptionNamingIt() {
        Path missing = dir.resolve("missing");
        IOException e = assertThrows(IOException.class, () -> DirectoryLock.acquire(missing, "dataDir"));
        assertTrue(e.getMessage().contains("dataDir " + missing), e.getMessage());
        assertFalse(Files.exists(missing));
    }
}
