package io.paddock.storage.mmap.core;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Walks the records of one segment from the header on, checking each one, and stops at the end marker or at the
 * first record that is not valid.
 *
 * @param records  valid records before the stop
 * @param lastZxid zxid of the last valid record, or the header's {@code prevZxid} when there is none
 * @param end      offset just after the last valid record: where the next record goes
 * @param stop     {@link SegmentFormat#END} for a clean end marker, else the negative reason code
 * @param detail   what was wrong at {@code end}, or null
 */
public record SegmentScan(int records, long lastZxid, int end, int stop, String detail) {

    public boolean clean() {
        return stop == SegmentFormat.END;
    }

    public static SegmentScan of(ByteBuffer segment, SegmentHeader header, CRC32C crc) {
        int offset = SegmentFormat.HEADER_BYTES;
        int limit = segment.capacity();
        long previous = header.prevZxid();
        int records = 0;
        while (true) {
            int outcome = SegmentFormat.probe(segment, offset, limit, crc);
            if (outcome <= 0) {
                String detail = outcome == SegmentFormat.END ? null : SegmentFormat.describe(outcome);
                return new SegmentScan(records, previous, offset, outcome, detail);
            }
            long zxid = SegmentFormat.zxidAt(segment, offset);
            if (records == 0 && zxid != header.firstZxid()) {
                return new SegmentScan(records, previous, offset, SegmentFormat.BAD_ORDER, "first record has zxid 0x"
                        + Long.toHexString(zxid) + " but the header says 0x" + Long.toHexString(header.firstZxid()));
            }
            if (zxid <= previous) {
                return new SegmentScan(records, previous, offset, SegmentFormat.BAD_ORDER, "zxid 0x"
                        + Long.toHexString(zxid) + " does not follow 0x" + Long.toHexString(previous));
            }
            previous = zxid;
            records++;
            offset += outcome;
        }
    }
}
