package io.paddock.storage.mmap.internal;

import java.io.IOException;
import java.io.UncheckedIOException;

/** How bytes written into a segment's mapping reach the device. */
@FunctionalInterface
interface Flusher {

    /** Makes bytes {@code [from, to)} of the segment durable, or throws; the log is poisoned on a throw. */
    void flush(Segment segment, int from, int to) throws IOException;

    /**
     * Production: {@code MappedByteBuffer.force(index, length)}, an {@code msync(MS_SYNC)} of just the pages of the
     * dirty range (Java 13+). The JDK reports a failed msync as {@link UncheckedIOException}.
     */
    Flusher MSYNC_RANGE = (segment, from, to) -> {
        if (to <= from) {
            return;
        }
        try {
            segment.map().force(from, to - from);
        } catch (UncheckedIOException e) {
            throw new IOException("msync of " + segment + " [" + from + ", " + to + ") failed: " + e.getCause(),
                    e.getCause());
        }
    };

    /**
     * {@code fdatasync} of the whole file through its {@code FileHandle}, which writes back the dirty pages of a
     * shared mapping on Linux. Used with a test {@code FileIo}: it is the flush a fault-injecting file layer sees.
     */
    Flusher HANDLE_FORCE = (segment, from, to) -> {
        if (to > from) {
            segment.handle().force(false);
        }
    };
}
