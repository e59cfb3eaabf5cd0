package io.paddock.storage.mmap.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** Recovery decisions over in-memory segment images; see {@link TailAnalysis} for the rules. */
class TailAnalysisTest {
    private static final int PAGE = 4096;
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer scratch = ByteBuffer.allocate(SegmentFormat.RECORD_HEADER_BYTES);

    /** A segment image of 4 pages and the offsets of the records written into it. */
    private final ByteBuffer segment = ByteBuffer.allocate(4 * PAGE);
    private final SegmentHeader header = new SegmentHeader(9, 100, 101);
    private final List<Integer> offsets = new ArrayList<>();
    private int end = SegmentFormat.HEADER_BYTES;

    TailAnalysisTest() {
        SegmentFormat.writeHeader(segment, header);
    }

    /** Appends records with zxids {@code from..to}, each stamped with {@code syncedEnd}. */
    private void append(long from, long to, int syncedEnd, int payloadBytes) {
        for (long zxid = from; zxid <= to; zxid++) {
            offsets.add(end);
            SegmentFormat.writeRecord(segment, end, zxid, syncedEnd, payload(zxid, payloadBytes), scratch, crc);
            end += SegmentFormat.recordBytes(payloadBytes);
        }
    }

    private static ByteBuffer payload(long zxid, int bytes) {
        ByteBuffer b = ByteBuffer.allocate(bytes);
        for (int i = 0; i < bytes; i++) {
            b.put(i, (byte) (zxid * 31 + i | 1));
        }
        return b;
    }

    private TailVerdict verdict() {
        return TailAnalysis.of(segment, SegmentScan.of(segment, header, crc), crc);
    }

    private void zero(int from, int to) {
        for (int i = from; i < to; i++) {
            segment.put(i, (byte) 0);
        }
    }

    @Test
    void onlyZerosAfterTheLastRecordIsClean() {
        append(101, 110, 64, 100);
        SegmentScan scan = SegmentScan.of(segment, header, crc);
        assertEquals(10, scan.records());
        assertEquals(110, scan.lastZxid());
        assertEquals(end, scan.end());
        assertEquals(new TailVerdict.Clean(end), verdict());
    }

    @Test
    void aRecordCutShortAtTheEndIsATornTail() {
        append(101, 110, 64, 100);
        int last = offsets.get(9);
        zero(last + 40, end);
        TailVerdict.Torn torn = assertInstanceOf(TailVerdict.Torn.class, verdict());
        assertEquals(last, torn.cut());
        assertTrue(torn.zeroEnd() > last && torn.zeroEnd() <= end);
    }

    @Test
    void garbageAfterTheEndMarkerIsATornTail() {
        append(101, 105, 64, 100);
        segment.putLong(end + 800, 0xdead_beefL);
        TailVerdict.Torn torn = assertInstanceOf(TailVerdict.Torn.class, verdict());
        assertEquals(end, torn.cut());
        assertEquals(end + 808, torn.zeroEnd());
    }

    /**
     * An unsynced batch whose second page reached the disk before its first cannot be told from a synced record that
     * rotted: refused, and the message says which case the watermarks allow.
     */
    @Test
    void aHoleBeforeAValidRecordIsCorruptAndSaysWhenNoSyncCoveredIt() {
        append(101, 110, 64, 100); // synced...
        int batchStart = end;
        append(111, 200, batchStart, 100); // ...then a batch stamped with that sync, never synced itself
        assertTrue(end > 3 * PAGE);
        zero(PAGE, 2 * PAGE);
        TailVerdict.Corrupt corrupt = assertInstanceOf(TailVerdict.Corrupt.class, verdict());
        assertTrue(corrupt.offset() >= batchStart && corrupt.offset() < 2 * PAGE);
        assertTrue(corrupt.reason().contains("no completed sync"), corrupt.reason());
    }

    @Test
    void damageInTheLastBatchBeforeValidRecordsIsCorrupt() {
        append(101, 110, 64, 100);
        int damaged = offsets.get(7);
        segment.put(damaged + 50, (byte) (segment.get(damaged + 50) ^ 1));
        TailVerdict.Corrupt corrupt = assertInstanceOf(TailVerdict.Corrupt.class, verdict());
        assertEquals(damaged, corrupt.offset());
        assertTrue(corrupt.reason().contains("0x" + Long.toHexString(109)), corrupt.reason());
    }

    @Test
    void damageInBytesALaterRecordSaysWereSyncedIsCorruptAndSaysSo() {
        append(101, 110, 64, 100);
        int syncedTo = end;
        append(111, 111, syncedTo, 100); // appended after a sync that covered 101..110
        int damaged = offsets.get(4);
        segment.put(damaged + 30, (byte) (segment.get(damaged + 30) ^ 1));
        TailVerdict.Corrupt corrupt = assertInstanceOf(TailVerdict.Corrupt.class, verdict());
        assertEquals(damaged, corrupt.offset());
        assertTrue(corrupt.reason().contains("checksum") && corrupt.reason().contains("synced data"),
                corrupt.reason());
    }

    @Test
    void zeroedSyncedRecordsFollowedByAValidRecordAreCorrupt() {
        append(101, 110, 64, 100);
        int syncedTo = end;
        append(111, 112, syncedTo, 100);
        zero(offsets.get(2), offsets.get(3));
        assertInstanceOf(TailVerdict.Corrupt.class, verdict());
    }

    @Test
    void aSegmentThatEndsInsideTheLastRecordIsATornTail() {
        append(101, 105, 64, 100);
        int last = offsets.get(4);
        ByteBuffer shortened = segment.duplicate().limit(last + 27).slice();
        TailVerdict.Torn torn = assertInstanceOf(TailVerdict.Torn.class,
                TailAnalysis.of(shortened, SegmentScan.of(shortened, header, crc), crc));
        assertEquals(last, torn.cut());
        assertEquals(last + 27, torn.zeroEnd());
    }

    @Test
    void aValidRecordOutOfOrderIsCorrupt() {
        append(101, 103, 64, 10);
        offsets.add(end);
        SegmentFormat.writeRecord(segment, end, 102, 64, ByteBuffer.allocate(10), scratch, crc);
        TailVerdict.Corrupt corrupt = assertInstanceOf(TailVerdict.Corrupt.class, verdict());
        assertEquals(offsets.get(3), corrupt.offset());
    }

    @Test
    void aFirstRecordThatDisagreesWithTheHeaderIsCorrupt() {
        SegmentFormat.writeRecord(segment, end, 102, 64, ByteBuffer.allocate(10), scratch, crc);
        assertInstanceOf(TailVerdict.Corrupt.class, verdict());
    }
}
