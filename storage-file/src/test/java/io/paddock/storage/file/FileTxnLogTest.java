package io.paddock.storage.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.paddock.storage.support.testkit.StorageContractTest.append;
import static io.paddock.storage.support.testkit.StorageContractTest.assertRecords;
import static io.paddock.storage.support.testkit.StorageContractTest.flipBit;
import static io.paddock.storage.support.testkit.StorageContractTest.payload;
import static io.paddock.storage.support.testkit.StorageContractTest.readAfter;
import static io.paddock.storage.support.testkit.StorageContractTest.truncate;
import static io.paddock.storage.support.testkit.StorageContractTest.writeBytes;
import static io.paddock.storage.support.testkit.StorageContractTest.z;
import static io.paddock.storage.support.testkit.StorageContractTest.zeroFrom;

import io.paddock.api.Zxid;
import io.paddock.api.storage.Storage;
import io.paddock.api.storage.StorageConfig;
import io.paddock.api.storage.StorageCorruptException;
import io.paddock.api.storage.TxnCursor;
import io.paddock.storage.file.internal.FileStorage;
import io.paddock.storage.support.Checksums;
import io.paddock.storage.support.FileIo;
import io.paddock.storage.support.FileNames;
import io.paddock.storage.support.testkit.FaultyFileIo;
import io.paddock.storage.support.testkit.StorageContractTest.Location;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the file engine promises beyond the SPI contract: names, header fields, record layout, preallocation, one write
 * and one fdatasync per sync. Uses the contract kit's helpers for records and damage.
 */
class FileTxnLogTest {
    private static final int PREALLOC = 16 * 1024;

    @TempDir
    Path tempDir;

    private StorageConfig config() {
        return new StorageConfig(tempDir.resolve("data"), tempDir.resolve("datalog"), PREALLOC, 10, true, Map.of());
    }

    private static Storage open(StorageConfig config, FileIo io) throws IOException {
        // the provider's background preparer over the real file system; over FaultyFileIo the spare is prepared on
        // the writer's thread, so that injected faults and crashes land on the same operations in every run
        return FileStorage.open(config, io, io instanceof FaultyFileIo ? FileStorage.Preparer.INLINE
                : FileStorage.Preparer.BACKGROUND);
    }

    private Storage openReal() throws IOException {
        return open(config(), FileIo.system());
    }

    /** Where record n's payload starts (records are found by zxid and the kit's payload mark). */
    private Location locate(int n) throws IOException {
        return locate(z(n));
    }

    private Path logDir() {
        return config().dataLogDir().resolve(FileNames.VERSION_DIR);
    }

    private List<String> logFiles() throws IOException {
        try (Stream<Path> files = Files.list(logDir())) {
            return files.map(p -> p.getFileName().toString()).filter(n -> FileNames.parseLog(n).isPresent()).sorted(
                    (a, b) -> Long.compare(FileNames.parseLog(a).orElse(-1), FileNames.parseLog(b).orElse(-1)))
                    .toList();
        }
    }

    private ByteBuffer fileBytes(long firstZxid) throws IOException {
        return ByteBuffer.wrap(Files.readAllBytes(logDir().resolve(FileNames.log(firstZxid))));
    }

    /** Offset after the last record of a file, walking the length fields. */
    private static long dataEnd(ByteBuffer f) {
        int at = 32;
        while (at + 4 <= f.capacity() && f.getInt(at) != 0) {
            at += 8 + f.getInt(at);
        }
        return at;
    }

    private void writeRecords(int count) throws IOException {
        try (Storage s = openReal()) {
            append(s.log(), 1, count, 0);
            s.log().sync();
        }
    }

    @Test
    void filesAreNamedAfterTheirFirstZxidAndRollEveryTxnsPerLogFileMaxRecords() throws IOException {
        writeRecords(25);
        assertEquals(List.of(FileNames.log(z(1)), FileNames.log(z(11)), FileNames.log(z(21))), logFiles());
    }

    @Test
    void theHeaderHoldsMagicVersionDbIdAndTheLastZxidBeforeTheFile() throws IOException {
        writeRecords(25);
        long[] prevs = {Zxid.NONE, z(10), z(20)};
        long[] firsts = {z(1), z(11), z(21)};
        for (int i = 0; i < 3; i++) {
            ByteBuffer f = fileBytes(firsts[i]);
            assertEquals(0x50444C47, f.getInt(0), "magic PDLG");
            assertEquals(1, f.getInt(4), "version");
            assertEquals(0L, f.getLong(8), "db id");
            assertEquals(prevs[i], f.getLong(16), "prevZxid of " + FileNames.log(firsts[i]));
            assertEquals(0, f.getInt(24), "reserved");
            assertEquals(Checksums.crc32c(f.array(), 0, 28), f.getInt(28), "header crc");
        }
    }

    @Test
    void aRecordIsLengthChecksumZxidPayload() throws IOException {
        writeRecords(2);
        ByteBuffer f = fileBytes(z(1));
        ByteBuffer payload = payload(1, 0);
        assertEquals(8 + payload.remaining(), f.getInt(32), "length counts zxid and payload");
        assertEquals(Checksums.record(z(1), payload), f.getInt(36), "CRC32C over zxid + payload");
        assertEquals(z(1), f.getLong(40));
        assertEquals(payload, f.slice(48, payload.remaining()));
        assertEquals(z(2), f.getLong(48 + payload.remaining() + 8));
    }

    @Test
    void theNewestFileIsPreallocatedInBlocksAndOlderFilesEndAtTheirLastRecord() throws IOException {
        writeRecords(25); // close waits for the background cut of the rolled files' zeros
        for (long first : new long[] {z(1), z(11)}) {
            ByteBuffer f = fileBytes(first);
            assertEquals(dataEnd(f), f.capacity(), "a sealed file ends after its last record");
        }
        ByteBuffer newest = fileBytes(z(21));
        assertEquals(PREALLOC, newest.capacity());
        assertTrue(dataEnd(newest) < PREALLOC);
        try (Storage s = openReal()) {
            for (int n = 26; n <= 30; n++) {
                s.log().append(z(n), payload(z(n), 0, 5000));
            }
            s.log().sync();
        }
        newest = fileBytes(z(21));
        assertEquals(2 * PREALLOC, newest.capacity(), "grown by whole blocks");
        assertTrue(dataEnd(newest) > PREALLOC);
    }

    @Test
    void withoutPreallocationTheFileEndsAtItsLastRecord() throws IOException {
        StorageConfig c = config();
        StorageConfig noPrealloc = new StorageConfig(c.dataDir(), c.dataLogDir(), 0, 10, true, Map.of());
        try (Storage s = FileStorage.open(noPrealloc, FileIo.system())) {
            append(s.log(), 1, 15, 0);
            s.log().sync();
        }
        ByteBuffer newest = fileBytes(z(11));
        assertEquals(dataEnd(newest), newest.capacity());
        try (Storage s = FileStorage.open(noPrealloc, FileIo.system())) {
            assertRecords(readAfter(s.log(), Zxid.NONE), 1, 15);
        }
    }

    @Test
    void aSyncWritesTheBatchWithOneCallAndForcesOnce() throws IOException {
        FaultyFileIo io = new FaultyFileIo(tempDir, 1);
        try (Storage s = open(config(), io)) {
            s.log().append(z(1), payload(1, 0));
            s.log().sync();
            long writes = io.writes();
            long forces = io.forces();
            for (int n = 2; n <= 9; n++) {
                s.log().append(z(n), payload(n, 0));
            }
            assertEquals(writes, io.writes(), "append only buffers");
            s.log().sync();
            assertEquals(writes + 1, io.writes(), "one write for the batch");
            assertEquals(forces + 1, io.forces(), "one fdatasync for the batch");
            s.log().sync();
            assertEquals(writes + 1, io.writes(), "nothing to write");
            assertEquals(forces + 1, io.forces(), "nothing to force");
        }
    }

    @Test
    void forceSyncOffNeverForcesTheLog() throws IOException {
        FaultyFileIo io = new FaultyFileIo(tempDir, 1);
        StorageConfig c = config();
        StorageConfig noForce = new StorageConfig(c.dataDir(), c.dataLogDir(), PREALLOC, 10, false, Map.of());
        try (Storage s = open(noForce, io)) {
            long forces = io.forces();
            append(s.log(), 1, 25, 0);
            s.log().sync();
            assertEquals(forces, io.forces());
            assertRecords(readAfter(s.log(), Zxid.NONE), 1, 25);
        }
    }

    @Test
    void readersSeeRecordsOnlyOnceSynced() throws IOException {
        try (Storage s = openReal()) {
            append(s.log(), 1, 3, 0);
            s.log().sync();
            append(s.log(), 4, 6, 0);
            try (TxnCursor c = s.log().readAfter(Zxid.NONE)) {
                int seen = 0;
                while (c.next()) {
                    seen++;
                }
                assertEquals(3, seen);
            }
            s.log().sync();
            assertRecords(readAfter(s.log(), Zxid.NONE), 1, 6);
        }
    }

    private Path spare() {
        return logDir().resolve(FileNames.LOG_PREFIX + "spare" + FileNames.TEMP_SUFFIX);
    }

    /** Polls (deadline 30 s) until the spare exists and is {@code size} bytes long. */
    private void awaitSpare(long size) throws IOException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!(Files.exists(spare()) && Files.size(spare()) == size)) {
            assertTrue(System.nanoTime() < deadline, "no spare log file of " + size + " bytes within 30 s");
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    private Object fileKey(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
    }

    @Test
    void aRollSwitchesToTheSparePreparedInTheBackgroundAndPreparesTheNext() throws IOException {
        try (Storage s = openReal()) {
            append(s.log(), 1, 10, 0);
            s.log().sync();
            awaitSpare(PREALLOC);
            Object spareKey = fileKey(spare());
            assertEquals(PREALLOC, Files.size(spare()), "the spare is preallocated");
            append(s.log(), 11, 11, 0);
            s.log().sync();
            Path rolled = logDir().resolve(FileNames.log(z(11)));
            assertEquals(spareKey, fileKey(rolled), "the roll renamed the spare instead of creating a file");
            ByteBuffer header = fileBytes(z(11));
            assertEquals(0x50444C47, header.getInt(0), "the header was written over the spare's zeros");
            assertEquals(z(10), header.getLong(16), "prevZxid");
            awaitSpare(PREALLOC);
            assertTrue(!spareKey.equals(fileKey(spare())), "a new spare is prepared after the roll");
            append(s.log(), 12, 25, 0);
            s.log().sync();
            assertRecords(readAfter(s.log(), Zxid.NONE), 1, 25);
        }
        try (Storage s = openReal()) {
            assertRecords(readAfter(s.log(), Zxid.NONE), 1, 25);
        }
    }

    @Test
    void aTornZeroedOrGarbageSpareIsDeletedAtOpenAndLosesNothing() throws IOException {
        byte[] garbage = new byte[PREALLOC];
        for (int i = 0; i < garbage.length; i++) {
            garbage[i] = (byte) (i * 31 + 7);
        }
        int last = 0;
        for (int variant = 0; variant < 4; variant++) {
            try (Storage s = openReal()) {
                append(s.log(), last + 1, last + 12, 0);
                s.log().sync();
                last += 12;
                awaitSpare(PREALLOC);
            }
            assertTrue(Files.exists(spare()), "close leaves the spare");
            switch (variant) {
                case 0 -> truncate(spare(), 100);                   // torn while being preallocated
                case 1 -> Files.write(spare(), new byte[0]);        // created, nothing written
                case 2 -> Files.write(spare(), garbage);            // garbage where the header would go
                default -> writeBytes(spare(), 0, fileBytes(z(1)).array()); // a copy of a real log file
            }
            try (Storage s = openReal()) {
                assertRecords(readAfter(s.log(), Zxid.NONE), 1, last);
                append(s.log(), last + 1, last + 3, 0);
                s.log().sync();
                last += 3;
            }
            try (Storage s = openReal()) {
                assertRecords(readAfter(s.log(), Zxid.NONE), 1, last);
            }
        }
    }

    @Test
    void purgeAndTruncateLeaveTheSpareAloneAndTheNextRollStillUsesIt() throws IOException {
        try (Storage s = openReal()) {
            append(s.log(), 1, 35, 0);
            s.log().sync();
            awaitSpare(PREALLOC);
            Object spareKey = fileKey(spare());
            s.log().purgeUpTo(z(25));
            s.log().truncateAfter(z(28));
            assertEquals(spareKey, fileKey(spare()), "purge and truncate do not touch the spare");
            append(s.log(), 29, 31, 0);
            s.log().sync();
            assertEquals(spareKey, fileKey(logDir().resolve(FileNames.log(z(31)))), "the roll used the spare");
            assertRecords(readAfter(s.log(), z(20)), 21, 31);
        }
        try (Storage s = openReal()) {
            assertRecords(readAfter(s.log(), z(20)), 21, 31);
        }
    }

    @Test
    void leftoverTempLogFilesAreDeletedAtOpen() throws IOException {
        writeRecords(3);
        Path temp = logDir().resolve(FileNames.log(z(4)) + FileNames.TEMP_SUFFIX);
        Files.write(temp, new byte[100]);
        try (Storage s = openReal()) {
            assertRecords(readAfter(s.log(), Zxid.NONE), 1, 3);
        }
        assertFalse(Files.exists(temp));
    }

    @Test
    void aCutLeavesTheNewestFileEndingAtItsLastGoodRecord() throws IOException {
        writeRecords(25);
        Location last = locate(25);
        zeroFrom(last.file(), last.offset() + 10);
        long recordStart = last.offset() - 16;
        try (Storage s = openReal()) {
            assertEquals(z(24), s.log().lastZxid());
        }
        assertEquals(recordStart, Files.size(last.file()), "the damaged bytes and the preallocated zeros are gone");
    }

    @Test
    void aBadHeaderRefusesToOpenEvenInTheNewestFile() throws IOException {
        writeRecords(25);
        Path newest = logDir().resolve(FileNames.log(z(21)));
        flipBit(newest, 17);
        StorageCorruptException e = assertThrows(StorageCorruptException.class, this::openReal);
        assertTrue(e.getMessage().contains(newest.getFileName().toString()), e.getMessage());
    }

    @Test
    void nonZeroBytesAfterTheLastRecordOfAnOlderFileRefuseToOpen() throws IOException {
        writeRecords(25);
        Path older = logDir().resolve(FileNames.log(z(11)));
        long end = Files.size(older);
        byte[] junk = new byte[64];
        java.util.Arrays.fill(junk, (byte) 0x5A);
        writeBytes(older, end, junk);
        assertThrows(StorageCorruptException.class, this::openReal);
        // zeros, then one non-zero byte further on: not a preallocated tail either
        java.util.Arrays.fill(junk, (byte) 0);
        junk[40] = 1;
        writeBytes(older, end, junk);
        assertThrows(StorageCorruptException.class, this::openReal);
    }

    @Test
    void zerosAfterTheLastRecordOfAnOlderFileAreAnUncutTailAndAreCutAtOpen() throws IOException {
        // a stop between a roll and the background cut of the old file's preallocated zeros
        writeRecords(25);
        Path older = logDir().resolve(FileNames.log(z(11)));
        long end = Files.size(older);
        writeBytes(older, end, new byte[PREALLOC]);
        try (Storage s = openReal()) {
            assertRecords(readAfter(s.log(), Zxid.NONE), 1, 25);
        }
        assertEquals(end, Files.size(older), "the zeros were cut");
    }

    @Test
    void aDamagedLengthFieldFollowedByGoodRecordsRefusesToOpen() throws IOException {
        writeRecords(25);
        Location l = locate(22);
        flipBit(l.file(), l.offset() - 13);
        assertThrows(StorageCorruptException.class, this::openReal);
    }

    @Test
    void anImplausibleLengthFieldFollowedByGoodRecordsRefusesToOpen() throws IOException {
        writeRecords(25);
        Location l = locate(22);
        writeBytes(l.file(), l.offset() - 16, new byte[] {0x7f});
        assertThrows(StorageCorruptException.class, this::openReal);
    }

    @Test
    void damageAfterOpenFailsTheCursorInsteadOfHandingOutBadBytes() throws IOException {
        writeRecords(25);
        try (Storage s = openReal()) {
            Location l = locate(5);
            flipBit(l.file(), l.offset() + 30);
            assertThrows(StorageCorruptException.class, () -> readAfter(s.log(), Zxid.NONE));
            assertRecords(readAfter(s.log(), z(10)), 11, 25);
        }
    }

    @Test
    void anEmptyNewestFileWhoseNameIsAboveTheNextZxidIsReplaced() throws IOException {
        long epoch2 = Zxid.of(2, 1);
        try (Storage s = openReal()) {
            append(s.log(), 1, 10, 0);
            s.log().append(epoch2, payload(epoch2, 0, 40));
            s.log().sync();
        }
        Location l = locate(epoch2);
        zeroFrom(l.file(), l.offset());
        try (Storage s = openReal()) {
            assertEquals(z(10), s.log().lastZxid());
            append(s.log(), 11, 12, 0);
            s.log().sync();
        }
        assertEquals(List.of(FileNames.log(z(1)), FileNames.log(z(11))), logFiles());
        try (Storage s = openReal()) {
            assertRecords(readAfter(s.log(), Zxid.NONE), 1, 12);
        }
    }

    private Location locate(long zxid) throws IOException {
        for (String name : logFiles()) {
            Path file = logDir().resolve(name);
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
            for (int at = 32; at + 12 <= b.capacity(); at++) {
                if (b.getLong(at) == zxid && b.getInt(at + 8) == 0x504B4954) {
                    return new Location(file, at + 8);
                }
            }
        }
        throw new AssertionError("zxid 0x" + Long.toHexString(zxid) + " not found");
    }

    @Test
    void truncatingEverythingAfterPurgeKeepsTheLogsStartPoint() throws IOException {
        try (Storage s = openReal()) {
            append(s.log(), 1, 35, 0);
            s.log().sync();
            s.log().purgeUpTo(z(20));
            s.log().truncateAfter(z(5));
            assertEquals(Zxid.NONE, s.log().lastZxid());
            assertEquals(List.of(), readAfter(s.log(), z(5)));
            assertThrows(StorageCorruptException.class, () -> readAfter(s.log(), z(4)));
            assertThrows(IllegalArgumentException.class, () -> s.log().append(z(5), payload(5, 1)));
        }
        assertEquals(List.of(FileNames.log(z(6))), logFiles());
        try (Storage s = openReal()) {
            assertThrows(StorageCorruptException.class, () -> readAfter(s.log(), z(4)));
            append(s.log(), 6, 7, 1);
            s.log().sync();
            assertRecords(readAfter(s.log(), z(5)), 6, 7, Map.of(6, 1, 7, 1));
        }
    }

    @Test
    void dataDirAndDataLogDirMayBeTheSameFolder() throws IOException {
        StorageConfig one = new StorageConfig(tempDir, tempDir, PREALLOC, 10, true, Map.of());
        try (Storage s = FileStorage.open(one, FileIo.system())) {
            append(s.log(), 1, 25, 0);
            s.log().sync();
            try (var w = s.snapshots().begin(z(20))) {
                w.stream().write(new byte[] {1, 2, 3});
                w.commit();
            }
            s.values().put("currentEpoch", 1);
        }
        try (Storage s = FileStorage.open(one, FileIo.system())) {
            assertRecords(readAfter(s.log(), Zxid.NONE), 1, 25);
            assertEquals(List.of(z(20)), s.snapshots().list());
            assertEquals(1, s.values().get("currentEpoch").orElseThrow());
        }
    }

    @Test
    void purgeDeletesWholeFilesBeforeTheOneThatPrecedesTheFirstRecordAfterTheZxid() throws IOException {
        writeRecords(55);
        try (Storage s = openReal()) {
            s.log().purgeUpTo(z(30));
        }
        assertEquals(List.of(FileNames.log(z(21)), FileNames.log(z(31)), FileNames.log(z(41)),
                FileNames.log(z(51))), logFiles());
        try (Storage s = openReal()) {
            s.log().purgeUpTo(z(31));
        }
        assertEquals(List.of(FileNames.log(z(31)), FileNames.log(z(41)), FileNames.log(z(51))), logFiles());
    }
}
