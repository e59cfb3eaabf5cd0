package io.paddock.storage.mmap.core;

/**
 * The fixed header of a segment.
 *
 * @param dbId      random per log lineage; all segments of one log carry the same value
 * @param prevZxid  zxid of the last record before this segment, {@code 0} if the log had none
 * @param firstZxid zxid of the segment's first record, also spelled in its file name
 */
public record SegmentHeader(long dbId, long prevZxid, long firstZxid) {
    public SegmentHeader {
        if (firstZxid <= prevZxid) {
            throw new IllegalArgumentException("firstZxid 0x" + Long.toHexString(firstZxid)
                    + " not after prevZxid 0x" + Long.toHexString(prevZxid));
        }
    }
}
