package io.paddock.storage.file.internal;

import java.nio.file.Path;

/**
 * One log file as readers see it. The writer publishes {@link #end}, {@link #count} and {@link #lastZxid} after the
 * bytes up to {@code end} are written (and synced), so a reader never parses a record that is still being written.
 */
final class Segment {
    final Path path;
    /** The zxid in the file name: at or below the first record, above {@link #prevZxid}. */
    final long nameZxid;
    /** The zxid of the last record before this file (from its header). */
    final long prevZxid;
    private volatile long end;
    private volatile int count;
    private volatile long lastZxid;

    Segment(Path path, long nameZxid, long prevZxid, long end, int count, long lastZxid) {
        this.path = path;
        this.nameZxid = nameZxid;
        this.prevZxid = prevZxid;
        publish(end, count, lastZxid);
    }

    /** Readers may read up to {@code end}; called by the writer only. */
    void publish(long end, int count, long lastZxid) {
        this.count = count;
        this.lastZxid = count > 0 ? lastZxid : prevZxid;
        this.end = end;
    }

    long end() {
        return end;
    }

    int count() {
        return count;
    }

    /** The last record's zxid, or {@link #prevZxid} when the file holds none: what the next file's header must say. */
    long lastZxid() {
        return lastZxid;
    }

    @Override
    public String toString() {
        return path.getFileName() + "(prev 0x" + Long.toHexString(prevZxid) + ", " + count + " records)";
    }
}
