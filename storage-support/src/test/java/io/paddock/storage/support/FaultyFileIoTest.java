package io.paddock.storage.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.storage.support.testkit.FaultyFileIo;
import io.paddock.storage.support.testkit.FaultyFileIo.Crash;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fault layer the contract kit relies on: if it lied about durability, every power-loss test would be void. */
class FaultyFileIoTest {
    @TempDir
    Path root;

    private static byte[] bytes(int n, int fill) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) fill);
        return b;
    }

    /** A file whose data and entry are durable. */
    private Path durableFile(FaultyFileIo io, String name, byte[] content) throws IOException {
        Path p = root.resolve(name);
        try (FileHandle h = io.create(p)) {
            h.write(ByteBuffer.wrap(content), 0);
            h.force(false);
        }
        io.syncDirectory(root);
        return p;
    }

    @Test
    void filesPresentAtConstructionAreDurable() throws IOException {
        Files.write(root.resolve("old"), bytes(10, 1));
        FaultyFileIo io = new FaultyFileIo(root, 1);
        io.crash(Crash.DROP_UNSYNCED);
        assertArrayEquals(bytes(10, 1), Files.readAllBytes(root.resolve("old")));
    }

    @Test
    void unsyncedWritesAreDroppedAndForcedOnesKept() throws IOException {
        FaultyFileIo io = new FaultyFileIo(root, 1);
        Path p = durableFile(io, "f", bytes(100, 1));
        try (FileHandle h = io.openWrite(p)) {
            h.write(ByteBuffer.wrap(bytes(50, 2)), 100);
            h.force(false);
            h.write(ByteBuffer.wrap(bytes(50, 3)), 150);
            h.truncate(120);
        }
        io.crash(Crash.DROP_UNSYNCED);
        byte[] expected = new byte[150];
        Arrays.fill(expected, 0, 100, (byte) 1);
        Arrays.fill(expected, 100, 150, (byte) 2);
        assertArrayEquals(expected, Files.readAllBytes(p));
    }

    @Test
    void aFileWhoseEntryWasNeverSyncedVanishes() throws IOException {
        FaultyFileIo io = new FaultyFileIo(root, 1);
        Path p = root.resolve("new");
        try (FileHandle h = io.create(p)) {
            h.write(ByteBuffer.wrap(bytes(10, 1)), 0);
            h.force(true);
        }
        io.crash(Crash.KEEP_TORN_PREFIX);
        assertFalse(Files.exists(p));
    }

    @Test
    void unsyncedRenamesAndDeletesAreUndone() throws IOException {
        FaultyFileIo io = new FaultyFileIo(root, 1);
        Path target = durableFile(io, "value", bytes(4, 1));
        Path gone = durableFile(io, "gone", bytes(4, 9));
        Path temp = root.resolve("value.tmp");
        try (FileHandle h = io.create(temp)) {
            h.write(ByteBuffer.wrap(bytes(4, 2)), 0);
            h.force(true);
        }
        io.rename(temp, target);
        io.delete(gone);
        assertArrayEquals(bytes(4, 2), Files.readAllBytes(target));
        io.crash(Crash.DROP_UNSYNCED);
        assertArrayEquals(bytes(4, 1), Files.readAllBytes(target), "the old value is back");
        assertFalse(Files.exists(temp));
        assertTrue(Files.exists(gone));

        try (FileHandle h = io.create(temp)) {
            h.write(ByteBuffer.wrap(bytes(4, 3)), 0);
            h.force(true);
        }
        io.rename(temp, target);
        io.syncDirectory(root);
        io.crash(Crash.DROP_UNSYNCED);
        assertArrayEquals(bytes(4, 3), Files.readAllBytes(target), "a synced rename holds");
    }

    @Test
    void aTornPrefixKeepsWritesInOrderAndCutsTheLastAtASector() throws IOException {
        for (int seed = 0; seed < 30; seed++) {
            Path dir = root.resolve("s" + seed);
            Files.createDirectories(dir);
            FaultyFileIo io = new FaultyFileIo(dir, seed);
            Path p = dir.resolve("f");
            try (FileHandle h = io.create(p)) {
                h.force(true);
                io.syncDirectory(dir);
                for (int i = 0; i < 4; i++) {
                    h.write(ByteBuffer.wrap(bytes(1500, i + 1)), i * 1500L);
                }
            }
            io.crash(Crash.KEEP_TORN_PREFIX);
            byte[] got = Files.readAllBytes(p);
            int whole = got.length / 1500;
            for (int i = 0; i < got.length; i++) {
                assertEquals((byte) (i / 1500 + 1), got[i], "seed " + seed + " byte " + i);
            }
            int partial = got.length - whole * 1500;
            assertEquals(0, partial % 512, "seed " + seed + ": a torn write keeps whole sectors");
        }
    }

    @Test
    void afterAFailedFsyncThePagesAreLostEvenIfARetrySucceeds() throws IOException {
        FaultyFileIo io = new FaultyFileIo(root, 1);
        Path p = durableFile(io, "f", bytes(10, 1));
        try (FileHandle h = io.openWrite(p)) {
            h.write(ByteBuffer.wrap(bytes(10, 2)), 10);
            io.failForcesAfter(0);
            assertThrows(IOException.class, () -> h.force(false));
            io.heal();
            h.force(false);
            assertEquals(20, Files.size(p), "the page cache still shows the data");
        }
        io.crash(Crash.KEEP_TORN_PREFIX);
        assertArrayEquals(bytes(10, 1), Files.readAllBytes(p));
    }

    @Test
    void writesFailWithEioAfterTheGivenCount() throws IOException {
        FaultyFileIo io = new FaultyFileIo(root, 1);
        try (FileHandle h = io.create(root.resolve("f"))) {
            io.failWritesAfter(1);
            h.write(ByteBuffer.wrap(bytes(1, 1)), 0);
            IOException e = assertThrows(IOException.class, () -> h.write(ByteBuffer.wrap(bytes(1, 1)), 1));
            assertTrue(e.getMessage().contains("f"), e.getMessage());
        }
    }

    @Test
    void aFullDiskWritesWhatFitsThenFails() throws IOException {
        FaultyFileIo io = new FaultyFileIo(root, 1);
        try (FileHandle h = io.create(root.resolve("f"))) {
            io.limitSpace(100);
            h.write(ByteBuffer.wrap(bytes(60, 1)), 0);
            assertThrows(IOException.class, () -> h.write(ByteBuffer.wrap(bytes(60, 2)), 60));
            assertEquals(100, h.size());
            h.write(ByteBuffer.wrap(bytes(10, 3)), 0);
        }
        assertEquals(100, io.bytesUsed());
    }

    @Test
    void handlesOpenedBeforeACrashStopWorking() throws IOException {
        FaultyFileIo io = new FaultyFileIo(root, 1);
        Path p = durableFile(io, "f", bytes(10, 1));
        FileHandle h = io.openRead(p);
        io.crash(Crash.DROP_UNSYNCED);
        assertThrows(IOException.class, () -> h.read(ByteBuffer.allocate(1), 0));
        h.close();
        try (FileHandle again = io.openRead(p)) {
            assertEquals(10, again.size());
        }
    }

    @Test
    void mappedChangesAreDurableOnlyOnceForced() throws IOException {
        FaultyFileIo io = new FaultyFileIo(root, 1);
        Path p = durableFile(io, "f", bytes(8, 0));
        try (FileHandle h = io.openWrite(p)) {
            MappedByteBuffer m = h.map(FileChannel.MapMode.READ_WRITE, 0, 8);
            m.put(0, (byte) 7);
            h.force(false);
            m.put(1, (byte) 9);
        }
        io.crash(Crash.KEEP_TORN_PREFIX);
        byte[] got = Files.readAllBytes(p);
        assertEquals(7, got[0]);
        assertEquals(0, got[1]);
    }

    @Test
    void aCrashReleasesTheLocksTakenThroughItAndLockFilesAreNoData() throws IOException {
        Path data = Files.createDirectories(root.resolve("data"));
        FaultyFileIo io = new FaultyFileIo(root, 1);
        DirectoryLock lock = io.lock(data, "dataDir");
        assertThrows(IOException.class, () -> io.lock(data, "dataDir"));
        io.crash(Crash.DROP_UNSYNCED);
        assertFalse(lock.isHeld(), "the OS releases the locks of a process that dies");
        assertTrue(Files.exists(data.resolve(DirectoryLock.FILE_NAME)), "a crash does not remove the lock file");
        try (DirectoryLock again = io.lock(data, "dataDir")) {
            assertTrue(again.isHeld());
            FaultyFileIo second = new FaultyFileIo(root, 2);
            assertFalse(second.exists(data.resolve(DirectoryLock.FILE_NAME)), "not part of the durable model");
        }
    }
}
