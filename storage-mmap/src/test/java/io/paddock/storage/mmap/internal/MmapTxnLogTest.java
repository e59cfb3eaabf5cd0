package io.paddock.storage.mmap.internal;

import static io.paddock.storage.mmap.internal.LogFixture.RECORD_BYTES;
import static io.paddock.storage.mmap.internal.LogFixture.SEGMENT_BYTES;
import static io.paddock.storage.mmap.internal.LogFixture.appendRange;
import static io.paddock.storage.mmap.internal.LogFixture.offsetOf;
import static io.paddock.storage.mmap.internal.LogFixture.payload;
import static io.paddock.storage.mmap.internal.LogFixture.range;
import static io.paddock.storage.mmap.internal.LogFixture.zxidsAfter;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.api.Zxid;
import io.paddock.api.storage.StorageCorruptException;
import io.paddock.api.storage.TxnCursor;
import io.paddock.storage.mmap.core.SegmentFormat;
import io.paddock.storage.mmap.core.SegmentHeader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mmap log over real files in a temp folder: format, rolls, recovery, truncation, purge, poisoning. */
class MmapTxnLogTest {
    /** Records of {@link LogFixture#PAYLOAD_BYTES} that fit one segment. */
    private static final int PER_SEGMENT = (SEGMENT_BYTES - SegmentFormat.HEADER_BYTES) / RECORD_BYTES;

    @TempDir
    Path tmp;
    private LogFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new LogFixture(tmp.resolve("log"));
    }

    @Test
    void appendedRecordsAreReadBackAfterReopen() throws IOException {
        try (MmapTxnLog log = fixture.open()) {
            assertEquals(Zxid.NONE, log.lastZxid());
            assertEquals(List.of(), zxidsAfter(log, 0));
            appendRange(log, 1, 50);
            log.sync();
            assertEquals(50, log.lastZxid());
            assertEquals(range(1, 50), zxidsAfter(log, 0));
        }
        try (MmapTxnLog log = fixture.open()) {
            assertEquals(50, log.lastZxid());
            assertEquals(range(1, 50), zxidsAfter(log, 0));
            assertEquals(range(31, 50), zxidsAfter(log, 30));
            assertEquals(List.of(), zxidsAfter(log, 50));
            assertEquals(List.of(), zxidsAfter(log, 1000));
        }
    }

    @Test
    void appendLeavesTheCallersBufferAsItWas() throws IOException {
        try (MmapTxnLog log = fixture.open()) {
            ByteBuffer txn = payload(1);
            txn.position(10);
            log.append(1, txn);
            assertEquals(10, txn.position());
            try (TxnCursor cursor = log.readAfter(0)) {
                assertTrue(cursor.next());
                assertEquals(txn, cursor.txn());
                assertTrue(cursor.txn().isReadOnly());
                assertFalse(cursor.next());
            }
        }
    }

    @Test
    void zxidsMustIncrease() throws IOException {
        try (MmapTxnLog log = fixture.open()) {
            assertThrows(IllegalArgumentException.class, () -> log.append(Zxid.NONE, payload(0)));
            log.append(5, payload(5));
            assertThrows(IllegalArgumentException.class, () -> log.append(5, payload(5)));
            assertThrows(IllegalArgumentException.class, () -> log.append(4, payload(4)));
            log.append(6, payload(6)); // an IllegalArgumentException does not poison
            assertEquals(List.of(5L, 6L), zxidsAfter(log, 0));
        }
    }

    @Test
    void aFullSegmentRollsToAFileNamedAfterItsFirstZxid() throws IOException {
        try (MmapTxnLog log = fixture.open()) {
            appendRange(log, 1, PER_SEGMENT + 1);
            log.sync();
        }
        long second = PER_SEGMENT + 1;
        assertEquals(List.of("mlog.1", "mlog." + Long.toHexString(second)), fixture.segmentNames());
        assertEquals(SEGMENT_BYTES, Files.size(fixture.segment(1)));
        try (MmapTxnLog log = fixture.open()) {
            assertEquals(range(1, second), zxidsAfter(log, 0));
            assertEquals(range(second - 2, second), zxidsAfter(log, second - 3));
        }
    }

    @Test
    void txnsPerLogFileMaxRollsTheSegment() throws IOException {
        try (MmapTxnLog log = fixture.open(new LogSettings(SEGMENT_BYTES, 10, true))) {
            appendRange(log, 1, 25);
            log.sync();
            assertEquals(range(1, 25), zxidsAfter(log, 0));
        }
        assertEquals(List.of("mlog.1", "mlog.b", "mlog.15"), fixture.segmentNames());
    }

    /** Each header names the last record of the segment before it, so a missing or stale segment is seen. */
    @Test
    void eachSegmentHeaderNamesTheLastRecordBeforeIt() throws IOException {
        try (MmapTxnLog log = fixture.open(new LogSettings(SEGMENT_BYTES, 10, true))) {
            log.append(0x100000001L, payload(1));
            appendRange(log, 0x100000002L, 0x10000000aL);
            appendRange(log, 0x200000001L, 0x200000003L);
            log.sync();
        }
        SegmentHeader first = SegmentFormat.readHeader(LogFixture.read(fixture.segment(0x100000001L), 0, 64));
        SegmentHeader second = SegmentFormat.readHeader(LogFixture.read(fixture.segment(0x200000001L), 0, 64));
        assertEquals(Zxid.NONE, first.prevZxid());
        assertEquals(0x100000001L, first.firstZxid());
        assertEquals(0x10000000aL, second.prevZxid());
        assertEquals(0x200000001L, second.firstZxid());
        assertEquals(first.dbId(), second.dbId());
    }

    @Test
    void aMissingMiddleSegmentIsAGap() throws IOException {
        try (MmapTxnLog log = fixture.open(new LogSettings(SEGMENT_BYTES, 10, true))) {
            appendRange(log, 1, 30);
            log.sync();
        }
        Files.delete(fixture.segment(11));
        StorageCorruptException e = assertThrows(StorageCorruptException.class, fixture::open);
        assertTrue(e.getMessage().contains("mlog.15") && e.getMessage().contains("gap"), e.getMessage());
    }

    @Test
    void aSegmentFromAnotherLogIsRefused() throws IOException {
        try (MmapTxnLog log = fixture.open(new LogSettings(SEGMENT_BYTES, 10, true))) {
            appendRange(log, 1, 20);
            log.sync();
        }
        ByteBuffer header = LogFixture.read(fixture.segment(11), 0, 64);
        SegmentHeader h = SegmentFormat.readHeader(header);
        SegmentFormat.writeHeader(header, new SegmentHeader(h.dbId() + 1, h.prevZxid(), h.firstZxid()));
        try (FileChannel channel = FileChannel.open(fixture.segment(11), StandardOpenOption.WRITE)) {
            channel.write(header.clear(), 0);
        }
        StorageCorruptException e = assertThrows(StorageCorruptException.class, fixture::open);
        assertTrue(e.getMessage().contains("db id"), e.getMessage());
    }

    /** sync forces exactly the bytes appended since the previous sync (MappedByteBuffer.force(index, length)). */
    @Test
    void syncForcesOnlyTheDirtyRange() throws IOException {
        try (MmapTxnLog log = fixture.open()) {
            fixture.flushes.clear();
            appendRange(log, 1, 3);
            log.sync();
            appendRange(log, 4, 5);
            log.sync();
            log.sync(); // nothing new: no flush
            int h = SegmentFormat.HEADER_BYTES;
            assertEquals(2, fixture.flushes.size());
            assertArrayEquals(new int[] {h, h + 3 * RECORD_BYTES}, fixture.flushes.get(0));
            assertArrayEquals(new int[] {h + 3 * RECORD_BYTES, h + 5 * RECORD_BYTES}, fixture.flushes.get(1));
        }
    }

    @Test
    void aRollForcesTheOldSegmentBeforeCreatingTheNext() throws IOException {
        try (MmapTxnLog log = fixture.open(new LogSettings(SEGMENT_BYTES, 4, true))) {
            fixture.flushes.clear();
            appendRange(log, 1, 6);
            int h = SegmentFormat.HEADER_BYTES;
            assertEquals(1, fixture.flushes.size());
            assertArrayEquals(new int[] {h, h + 4 * RECORD_BYTES}, fixture.flushes.get(0));
            log.sync();
            assertArrayEquals(new int[] {h, h + 2 * RECORD_BYTES}, fixture.flushes.get(1));
        }
    }

    @Test
    void forceSyncFalseNeverFlushes() throws IOException {
        try (MmapTxnLog log = fixture.open(new LogSettings(SEGMENT_BYTES, 4, false))) {
            fixture.flushes.clear();
            appendRange(log, 1, 10);
            log.sync();
            assertEquals(List.of(), fixture.flushes);
        }
        try (MmapTxnLog log = fixture.open(new LogSettings(SEGMENT_BYTES, 4, false))) {
            assertEquals(range(1, 10), zxidsAfter(log, 0));
        }
    }

    @Test
    void aRecordLargerThanASegmentGetsAnOversizedSegmentOfItsOwn() throws IOException {
        int big = 3 * SEGMENT_BYTES;
        try (MmapTxnLog log = fixture.open()) {
            appendRange(log, 1, 2);
            log.append(3, payload(3, big));
            log.append(4, payload(4));
            log.sync();
        }
        assertEquals(List.of("mlog.1", "mlog.3"), fixture.segmentNames()); // page rounding left room for 4
        assertTrue(Files.size(fixture.segment(3)) >= big && Files.size(fixture.segment(3)) % 4096 == 0);
        try (MmapTxnLog log = fixture.open()) {
            assertEquals(range(1, 4), zxidsAfter(log, 0));
        }
    }

    /** Fresh segment space must read as zeros: a zero length is the end marker. */
    @Test
    void unwrittenSegmentSpaceReadsAsZeros() throws IOException {
        try (MmapTxnLog log = fixture.open()) {
            appendRange(log, 1, 2);
            log.sync();
        }
        Path file = fixture.segment(1);
        assertEquals(SEGMENT_BYTES, Files.size(file));
        int end = offsetOf(1, 3);
        ByteBuffer rest = LogFixture.read(file, end, SEGMENT_BYTES - end);
        assertEquals(ByteBuffer.allocate(SEGMENT_BYTES - end), rest);
    }

    /** Readers on other threads, across rolls and purges, see each record whole and in order. */
    @Test
    void readersBesideTheWriterSeeWholeRecordsInOrder() throws Exception {
        try (MmapTxnLog log = fixture.open(new LogSettings(SEGMENT_BYTES, 50, true))) {
            int total = 3000;
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicBoolean done = new AtomicBoolean();
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                Thread t = new Thread(() -> {
                    try {
                        long reads = 0;
                        while (!done.get() || reads == 0) {
                            long from = Math.max(0, log.lastZxid() - 120);
                            List<Long> got;
                            try {
                                got = zxidsAfter(log, from);
                            } catch (StorageCorruptException purged) {
                                continue; // the purge overtook this reader: retry from a later zxid
                            }
                            for (int i = 0; i < got.size(); i++) {
                                assertEquals(from + 1 + i, got.get(i));
                            }
                            reads++;
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }, "reader-" + r);
                t.start();
                readers.add(t);
            }
            for (long z = 1; z <= total; z++) {
                log.append(z, payload(z));
                if (z % 25 == 0) {
                    log.sync();
                }
                if (z % 500 == 0) {
                    log.purgeUpTo(z - 200);
                }
            }
            done.set(true);
            for (Thread t : readers) {
                t.join(10_000);
                assertFalse(t.isAlive(), t.getName() + " did not finish");
            }
            if (failure.get() != null) {
                throw new AssertionError("a reader failed", failure.get());
            }
        }
    }

    // ---- recovery

    @Test
    void aTornLastRecordIsCutAndZeroed() throws IOException {
        try (MmapTxnLog log = fixture.open()) {
            appendRange(log, 1, 10);
            log.sync();
            appendRange(log, 11, 12);
        }
        Path file = fixture.segment(1);
        LogFixture.zero(file, offsetOf(1, 12) + 40, offsetOf(1, 13)); // the last record lost its tail
        try (MmapTxnLog log = fixture.open()) {
            assertEquals(11, log.lastZxid());
            assertEquals(range(1, 11), zxidsAfter(log, 0));
            assertEquals(ByteBuffer.allocate(RECORD_BYTES), LogFixture.read(file, offsetOf(1, 12), RECORD_BYTES));
            log.append(12, payload(12));
            log.sync();
        }
        try (MmapTxnLog log = fixture.open()) {
            assertEquals(range(1, 12), zxidsAfter(log, 0));
        }
    }

    @Test
    void aHoleInsideTheNewestSegmentBeforeValidRecordsRefusesToOpen() throws IOException {
        try (MmapTxnLog log = fixture.open()) {
            appendRange(log, 1, 5);
            log.sync();
            appendRange(log, 6, 120); // never synced
        }
        LogFixture.zero(fixture.segment(1), 4096, 8192); // a page in the middle of the batch never reached the disk
        StorageCorruptException e = assertThrows(StorageCorruptException.class, fixture::open);
        assertTrue(e.getMessage().contains("no completed sync"), e.getMessage());
    }

    @Test
    void damageBeforeARecordThatAttestsASyncRefusesToOpen() throws IOException {
        try (MmapTxnLog log = fixture.open()) {
            appendRange(log, 1, 10);
            log.sync();
            log.append(11, payload(11));
            log.sync();
        }
        LogFixture.flipByte(fixture.segment(1), offsetOf(1, 5) + 50);
        StorageCorruptException e = assertThrows(StorageCorruptException.class, fixture::open);
        assertTrue(e.getMessage().contains("mlog.1") && e.getMessage().contains("offset " + offsetOf(1, 5)),
                e.getMessage());
        // refused means untouched: the damaged bytes are still there for an operator to look at
        assertEquals(payload(11), LogFixture.read(fixture.segment(1), offsetOf(1, 11) + 24, 100));
    }

    @Test
    void damageInAnOlderSegmentRefusesToOpen() throws IOException {
        try (MmapTxnLog log = fixture.open(new LogSettings(SEGMENT_BYTES, 10, true))) {
            appendRange(log, 1, 20);
            log.sync();
        }
        LogFixture.flipByte(fixture.segment(1), offsetOf(1, 10) + 30); // the last record of the older segment
        StorageCorruptException e = assertThrows(StorageCorruptException.class, fixture::open);
        assertTrue(e.getMessage().contains("mlog.1 at offset " + offsetOf(1, 10)), e.getMessage());
    }

    @Test
    void aNewestSegmentWithoutACompleteRecordIsDeleted() throws IOException {
        try (MmapTxnLog log = fixture.open(new LogSettings(SEGMENT_BYTES, 10, true))) {
            appendRange(log, 1, 11); // the roll forced 1..10; 11 was never synced
        }
        LogFixture.zero(fixture.segment(11), SegmentFormat.HEADER_BYTES, SEGMENT_BYTES);
        try (MmapTxnLog log = fixture.open(new LogSettings(SEGMENT_BYTES, 10, true))) {
            assertEquals(10, log.lastZxid());
            assertEquals(List.of("mlog.1"), fixture.segmentNames());
            log.append(11, payload(11));
            log.sync();
            assertEquals(range(1, 11), zxidsAfter(log, 0));
        }
    }

    @Test
    void aNewestSegmentWhoseHeaderNeverLandedIsDeleted() throws IOException {
        try (MmapTxnLog log = fixture.open()) {
            appendRange(log, 1, 3);
            log.sync();
        }
        Files.write(fixture.segment(4), new byte[SEGMENT_BYTES]);
        try (MmapTxnLog log = fixture.open()) {
            assertEquals(3, log.lastZxid());
            assertEquals(List.of("mlog.1"), fixture.segmentNames());
        }
    }

    @Test
    void aDamagedHeaderWithDataAfterItRefusesToOpen() throws IOException {
        try (MmapTxnLog log = fixture.open()) {
            appendRange(log, 1, 3);
            log.sync();
        }
        LogFixture.flipByte(fixture.segment(1), 20);
        assertThrows(StorageCorruptException.class, fixture::open);
    }

    @Test
    void logFilesOfTheFileEngineRefuseTheStart() throws IOException {
        Files.createDirectories(fixture.dir());
        Files.write(fixture.dir().resolve("log.100000001"), new byte[16]);
        IOException e = assertThrows(IOException.class, fixture::open);
        assertTrue(e.getMessage().contains("log.100000001"), e.getMessage());
    }

    // ---- truncation

    @Test
    void truncateAfterInsideTheNewestSegment() throws IOException {
        try (MmapTxnLog log = fixture.open()) {
            appendRange(log, 1, 20);
            log.sync();
            log.truncateAfter(12);
            assertEquals(12, log.lastZxid());
            assertEquals(range(1, 12), zxidsAfter(log, 0));
            appendRange(log, 13, 15);
            log.sync();
        }
        try (MmapTxnLog log = fixture.open()) {
            assertEquals(range(1, 15), zxidsAfter(log, 0));
        }
        assertEquals(List.of("mlog.1"), fixture.segmentNames());
    }

    @Test
    void truncateAfterAcrossSegmentsDeletesTheNewerOnes() throws IOException {
        try (MmapTxnLog log = fixture.open(new LogSettings(SEGMENT_BYTES, 10, true))) {
            appendRange(log, 1, 35);
            log.truncateAfter(15);
            assertEquals(15, log.lastZxid());
            assertEquals(range(1, 15), zxidsAfter(log, 0));
            assertEquals(List.of("mlog.1", "mlog.b"), fixture.segmentNames());
            log.append(0x100000001L, payload(1));
            log.sync();
        }
        try (MmapTxnLog log = fixture.open(new LogSettings(SEGMENT_BYTES, 10, true))) {
            List<Long> expected = new ArrayList<>(range(1, 15));
            expected.add(0x100000001L);
            assertEquals(expected, zxidsAfter(log, 0));
        }
    }

    @Test
    void truncateAfterAtASegmentBoundaryDeletesWholeSegments() throws IOException {
        try (MmapTxnLog log = fixture.open(new LogSettings(SEGMENT_BYTES, 10, true))) {
            appendRange(log, 1, 30);
            log.truncateAfter(10);
            assertEquals(List.of("mlog.1"), fixture.segmentNames());
            assertEquals(range(1, 10), zxidsAfter(log, 0));
        }
    }

    @Test
    void truncateAfterBeforeTheFirstRecordEmptiesTheLog() throws IOException {
        try (MmapTxnLog log = fixture.open()) {
            appendRange(log, 5, 9);
            log.truncateAfter(4);
            assertEquals(Zxid.NONE, log.lastZxid());
            assertEquals(List.of(), zxidsAfter(log, 0));
            log.append(7, payload(7));
            log.sync();
        }
        try (MmapTxnLog log = fixture.open()) {
            assertEquals(List.of(7L), zxidsAfter(log, 0));
        }
    }

    @Test
    void truncateAfterTheLastZxidChangesNothing() throws IOException {
        try (MmapTxnLog log = fixture.open()) {
            appendRange(log, 1, 5);
            log.truncateAfter(5);
            log.truncateAfter(100);
            assertEquals(range(1, 5), zxidsAfter(log, 0));
        }
    }

    @Test
    void aLeftoverTruncationCopyIsDeletedAtOpen() throws IOException {
        try (MmapTxnLog log = fixture.open()) {
            appendRange(log, 1, 5);
            log.sync();
        }
        Path copy = fixture.dir().resolve("mlog.1.trunc");
        Files.write(copy, new byte[100]);
        try (MmapTxnLog log = fixture.open()) {
            assertEquals(range(1, 5), zxidsAfter(log, 0));
        }
        assertFalse(Files.exists(copy));
    }

    @Test
    void aCursorOpenedBeforeATruncationKeepsItsRecords() throws IOException {
        try (MmapTxnLog log = fixture.open()) {
            appendRange(log, 1, 20);
            log.sync();
            try (TxnCursor cursor = log.readAfter(0)) {
                log.truncateAfter(5);
                int n = 0;
                while (cursor.next()) {
                    assertEquals(payload(cursor.zxid()), cursor.txn());
                    n++;
                }
                assertEquals(20, n); // the rewrite went to a new file; the old mapping still holds the old bytes
            }
        }
    }

    // ---- purge

    @Test
    void purgeKeepsTheSegmentStartingAtOrBelowTheZxidAndEverythingAfter() throws IOException {
        try (MmapTxnLog log = fixture.open(new LogSettings(SEGMENT_BYTES, 10, true))) {
            appendRange(log, 1, 35);
            log.sync();
            log.purgeUpTo(19); // 1..10 goes; 11..20 still holds 20
            assertEquals(List.of("mlog.b", "mlog.15", "mlog.1f"), fixture.segmentNames());
            assertEquals(range(11, 35), zxidsAfter(log, 10));
            log.purgeUpTo(1000); // the newest segment stays: it holds lastZxid
            assertEquals(List.of("mlog.1f"), fixture.segmentNames());
            assertEquals(35, log.lastZxid());
        }
        try (MmapTxnLog log = fixture.open(new LogSettings(SEGMENT_BYTES, 10, true))) {
            assertEquals(35, log.lastZxid());
            assertEquals(range(31, 35), zxidsAfter(log, 30));
        }
    }

    @Test
    void readingFromBeforeThePurgedRecordsIsCorruption() throws IOException {
        try (MmapTxnLog log = fixture.open(new LogSettings(SEGMENT_BYTES, 10, true))) {
            appendRange(log, 1, 25);
            log.sync();
            log.purgeUpTo(10); // 1..10 stays: it is the newest segment starting at or below 10 (ZooKeeper's rule)
            assertEquals(range(1, 25), zxidsAfter(log, 0));
            log.purgeUpTo(11);
            assertEquals(range(11, 25), zxidsAfter(log, 10));
            StorageCorruptException e = assertThrows(StorageCorruptException.class, () -> log.readAfter(9));
            assertTrue(e.getMessage().contains("0x9") && e.getMessage().contains("0xa"), e.getMessage());
        }
    }

    @Test
    void aCursorKeepsReadingASegmentThatPurgeDeleted() throws IOException {
        try (MmapTxnLog log = fixture.open(new LogSettings(SEGMENT_BYTES, 10, true))) {
            appendRange(log, 1, 25);
            log.sync();
            try (TxnCursor cursor = log.readAfter(0)) {
                log.purgeUpTo(20);
                int n = 0;
                while (cursor.next()) {
                    assertEquals(payload(cursor.zxid()), cursor.txn());
                    n++;
                }
                assertEquals(25, n);
            }
        }
    }

    // ---- failures

    @Test
    void aFailedSyncPoisonsTheLogUntilItIsReopened() throws IOException {
        try (MmapTxnLog log = fixture.open()) {
            appendRange(log, 1, 5);
            log.sync();
            log.append(6, payload(6));
            fixture.flushIoFailure = new IOException("injected EIO");
            IOException e = assertThrows(IOException.class, log::sync);
            assertSame(fixture.flushIoFailure, e);
            fixture.flushIoFailure = null;
            assertThrows(IOException.class, () -> log.append(7, payload(7)));
            assertThrows(IOException.class, log::sync);
            assertThrows(IOException.class, () -> log.readAfter(0));
            assertEquals(6, log.lastZxid());
        }
        try (MmapTxnLog log = fixture.open()) {
            assertEquals(range(1, 6), zxidsAfter(log, 0));
        }
    }

    /** What the JVM throws when a store into a mapping faults (SIGBUS on a full disk) or msync fails. */
    @Test
    void mappedMemoryFaultsPoisonTheLogToo() throws IOException {
        try (MmapTxnLog log = fixture.open()) {
            log.append(1, payload(1));
            fixture.flushFailure = new InternalError("a fault occurred in an unsafe memory access operation");
            IOException e = assertThrows(IOException.class, log::sync);
            assertSame(fixture.flushFailure, e.getCause());
            fixture.flushFailure = new UncheckedIOException(new IOException("late"));
            assertThrows(IOException.class, () -> log.append(2, payload(2)));
        }
    }

    @Test
    void aFailedRollPoisonsTheLog() throws IOException {
        try (MmapTxnLog log = fixture.open(new LogSettings(SEGMENT_BYTES, 2, true))) {
            appendRange(log, 1, 2);
            Files.createDirectory(fixture.segment(3)); // the next segment's name is taken
            assertThrows(IOException.class, () -> log.append(3, payload(3)));
            Files.delete(fixture.segment(3));
            assertThrows(IOException.class, () -> log.append(3, payload(3)));
        }
    }

    @Test
    void aClosedLogRefusesWork() throws IOException {
        MmapTxnLog log = fixture.open();
        log.append(1, payload(1));
        log.close();
        log.close();
        assertThrows(IllegalStateException.class, () -> log.append(2, payload(2)));
        assertThrows(IllegalStateException.class, () -> log.readAfter(0));
        assertEquals(1, log.lastZxid());
    }
}
