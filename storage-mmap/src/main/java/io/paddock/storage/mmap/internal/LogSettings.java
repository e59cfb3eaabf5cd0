package io.paddock.storage.mmap.internal;

import io.paddock.api.storage.StorageConfig;
import io.paddock.storage.mmap.core.SegmentFormat;

/**
 * What the log takes from {@link StorageConfig}.
 *
 * @param segmentBytes         size of a new segment file: {@code preAllocBytes} rounded up to whole 4 KiB pages
 * @param recordsPerSegmentMax roll after this many records ({@code txnsPerLogFileMax}); unlimited when not positive
 *                             (tests only: the config path refuses it)
 * @param forceSync            false makes {@code sync} skip the {@code msync}
 */
public record LogSettings(int segmentBytes, int recordsPerSegmentMax, boolean forceSync) {
    public static final long SEGMENT_BYTES_DEFAULT = 64L << 20;
    static final int PAGE_BYTES = 4096;

    public LogSettings {
        if (segmentBytes < PAGE_BYTES || segmentBytes > SegmentFormat.SEGMENT_BYTES_MAX
                || segmentBytes % PAGE_BYTES != 0) {
            throw new IllegalArgumentException("segmentBytes " + segmentBytes + " must be a multiple of "
                    + PAGE_BYTES + " between " + PAGE_BYTES + " and " + SegmentFormat.SEGMENT_BYTES_MAX);
        }
        if (recordsPerSegmentMax <= 0) {
            recordsPerSegmentMax = Integer.MAX_VALUE;
        }
    }

    /**
     * {@code preAllocBytes} of zero means the 64 MiB default; other values are rounded up to whole pages. Negative
     * values, above 1 GiB (one segment is one mapping, and a mapping is at most 2 GiB) and a {@code txnsPerLogFileMax}
     * below 1 are refused, as storage=file refuses them.
     */
    public static LogSettings from(StorageConfig config) {
        if (config.txnsPerLogFileMax() < 1) {
            throw new IllegalArgumentException("txnsPerLogFileMax (snapCount) must be at least 1: "
                    + config.txnsPerLogFileMax());
        }
        if (config.preAllocBytes() < 0) {
            throw new IllegalArgumentException("preAllocBytes must not be negative: " + config.preAllocBytes());
        }
        long bytes = config.preAllocBytes() == 0 ? SEGMENT_BYTES_DEFAULT : config.preAllocBytes();
        if (bytes > SegmentFormat.SEGMENT_BYTES_MAX) {
            throw new IllegalArgumentException("preAllocSize of " + bytes + " bytes: storage=mmap maps one segment"
                    + " at a time and allows at most " + SegmentFormat.SEGMENT_BYTES_MAX + " bytes (1 GiB)");
        }
        int pages = (int) ((bytes + PAGE_BYTES - 1) / PAGE_BYTES);
        return new LogSettings(pages * PAGE_BYTES, config.txnsPerLogFileMax(), config.forceSync());
    }

    /** The file size for a segment whose first record takes {@code recordBytes}: oversized records get room. */
    int capacityFor(int recordBytes) {
        long needed = (long) SegmentFormat.HEADER_BYTES + recordBytes;
        if (needed <= segmentBytes) {
            return segmentBytes;
        }
        return (int) Math.min(SegmentFormat.SEGMENT_BYTES_MAX, (needed + PAGE_BYTES - 1) / PAGE_BYTES * PAGE_BYTES);
    }
}
