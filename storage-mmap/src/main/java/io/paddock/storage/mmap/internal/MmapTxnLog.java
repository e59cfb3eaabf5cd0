package io.paddock.storage.mmap.internal;

import io.paddock.api.Zxid;
import io.paddock.api.storage.StorageCorruptException;
import io.paddock.api.storage.TxnCursor;
import io.paddock.storage.mmap.core.SegmentFormat;
import io.paddock.storage.mmap.core.SegmentHeader;
import io.paddock.storage.support.FileHandle;
import io.paddock.storage.support.FileIo;
import io.paddock.storage.support.FileNames;
import io.paddock.storage.support.FolderStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The txn log over memory-mapped segments in {@code <dataLogDir>/version-2/mlog.<first zxid hex>}; the format is in
 * {@link SegmentFormat}.
 *
 * <p>One writer thread calls {@code append}, {@code sync}, {@code truncateAfter}, {@code purgeUpTo} and
 * {@code close} (they are synchronized anyway, so a second writer is safe, only pointless). Readers run on any thread:
 * they see an immutable list of segments and each segment's published end, both volatile.
 *
 * <p>Durability order:
 * <ul>
 *   <li>{@code append} copies the record into the mapping; nothing reaches the disk on purpose.</li>
 *   <li>{@code sync} forces the dirty byte range of the active segment ({@code msync} of the pages in it).</li>
 *   <li>A roll forces the full segment before the next one is created, so only the newest segment can ever hold
 *       bytes that were never forced. A new segment is created, its header written and forced, then the directory
 *       is fsynced before any record goes in.</li>
 *   <li>{@code truncateAfter} deletes whole newer segments newest first, then rewrites the cut segment into
 *       {@code mlog.<hex>.trunc} and renames it over the original: a crash leaves the old or the new segment, never
 *       a half-zeroed one whose surviving records would look like corruption.</li>
 *   <li>{@code purgeUpTo} deletes oldest first, so a crash leaves a suffix of the log, never a gap. It follows the
 *       engines' shared rule ({@code FileNames.logsToPurge}, ZooKeeper's): the newest segment starting at or below
 *       the zxid stays, although its header chain would allow deleting it when it ends exactly at the zxid.</li>
 * </ul>
 *
 * <p>Any I/O failure while writing (an {@code IOException}, the {@code UncheckedIOException} of a failed
 * {@code msync}, or the {@code InternalError} the JVM raises when a store into a mapping faults, as on a full disk)
 * poisons the log: every later call but {@link #lastZxid()} throws until the storage is opened again, which re-reads
 * the files (RELIABILITY.md 5.4: after a failed fsync the server must crash, not continue).
 */
public final class MmapTxnLog implements FolderStorage.Log {
    private static final Logger LOG = LoggerFactory.getLogger(MmapTxnLog.class);

    private final FileIo io;
    private final Path dir;
    private final LogSettings settings;
    private final Flusher flusher;
    private final LongSupplier dbIds;
    private final ByteBuffer scratch = ByteBuffer.allocate(SegmentFormat.RECORD_HEADER_BYTES);
    private final CRC32C crc = new CRC32C();

    /** Oldest first; replaced, never changed in place. */
    private volatile List<Segment> segments;
    private volatile long lastZxid;
    private volatile Throwable poison;
    private volatile boolean closed;
    /** The id every segment of this log carries; 0 until the first segment exists. */
    private long dbId;

    private MmapTxnLog(FileIo io, Path dir, LogSettings settings, Flusher flusher, LongSupplier dbIds,
            List<Segment> segments) {
        this.io = io;
        this.dir = dir;
        this.settings = settings;
        this.flusher = flusher;
        this.dbIds = dbIds;
        this.segments = List.copyOf(segments);
        Segment last = segments.isEmpty() ? null : segments.get(segments.size() - 1);
        this.lastZxid = last == null ? Zxid.NONE : last.lastZxid;
        this.dbId = last == null ? 0 : last.header.dbId();
    }

    /**
     * Opens the log in {@code <dataLogDir>/version-2}, creating the folder if needed, and recovers it: every segment
     * is checked record by record; a torn tail of the newest is cut; anything else fails with
     * {@link StorageCorruptException} naming the file and offset.
     *
     * @param io      every file operation goes through it; {@link FileIo#system()} in production
     * @param flusher how {@code sync} reaches the device: {@link Flusher#MSYNC_RANGE} in production
     * @param dbIds   source of the random id of a new log lineage (a 0 is skipped)
     */
    static MmapTxnLog open(FileIo io, Path dataLogDir, LogSettings settings, Flusher flusher, LongSupplier dbIds)
            throws IOException {
        Path dir = dataLogDir.resolve(LogFiles.VERSION_DIR);
        io.createDirectories(dir);
        List<Segment> opened = new ArrayList<>();
        try {
            List<Segment> recovered = new LogRecovery(io, dir, settings, flusher).run(opened);
            return new MmapTxnLog(io, dir, settings, flusher, dbIds, recovered);
        } catch (IOException | RuntimeException | InternalError e) {
            for (Segment s : opened) {
                try {
                    s.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    @Override
    public synchronized void append(long zxid, ByteBuffer txn) throws IOException {
        checkUsable();
        Objects.requireNonNull(txn, "txn");
        if (zxid <= lastZxid) {
            throw new IllegalArgumentException("zxid 0x" + Long.toHexString(zxid) + " is not greater than the last"
                    + " logged 0x" + Long.toHexString(lastZxid));
        }
        int bytes = SegmentFormat.recordBytes(txn.remaining());
        try {
            Segment active = active();
            if (active == null || active.capacity - active.end < bytes
                    || active.records >= settings.recordsPerSegmentMax()) {
                active = roll(zxid, bytes);
            }
            int offset = active.end;
            SegmentFormat.writeRecord(active.map(), offset, zxid, active.syncedEnd, txn, scratch, crc);
            active.records++;
            active.lastZxid = zxid;
            active.end = offset + bytes;
            lastZxid = zxid;
        } catch (IOException | UncheckedIOException | InternalError e) {
            throw poison("append of 0x" + Long.toHexString(zxid), e);
        }
    }

    @Override
    public synchronized void sync() throws IOException {
        checkUsable();
        Segment active = active();
        if (active == null || active.dirtyStart == active.end) {
            return;
        }
        int end = active.end;
        try {
            if (settings.forceSync()) {
                flusher.flush(active, active.dirtyStart, end);
                active.syncedEnd = end;
            }
            active.dirtyStart = end;
        } catch (IOException | UncheckedIOException | InternalError e) {
            throw poison("sync of " + active, e);
        }
    }

    @Override
    public synchronized void truncateAfter(long zxid) throws IOException {
        checkUsable();
        if (zxid >= lastZxid) {
            return;
        }
        List<Segment> all = segments;
        int keep = 0;
        while (keep < all.size() && all.get(keep).header.firstZxid() <= zxid) {
            keep++;
        }
        List<Segment> removed = all.subList(keep, all.size());
        Segment cutSegment = keep == 0 ? null : all.get(keep - 1);
        segments = List.copyOf(all.subList(0, keep));
        try {
            for (int i = removed.size() - 1; i >= 0; i--) {
                Segment s = removed.get(i);
                s.close();
                io.delete(s.path);
            }
            if (!removed.isEmpty() && settings.forceSync()) {
                io.syncDirectory(dir);
            }
            if (cutSegment == null) {
                lastZxid = Zxid.NONE;
                dbId = 0;
            } else {
                cutAfter(cutSegment, zxid);
                lastZxid = cutSegment.lastZxid;
            }
        } catch (IOException | UncheckedIOException | InternalError e) {
            throw poison("truncation after 0x" + Long.toHexString(zxid), e);
        }
        LOG.info("Truncated the txn log after 0x{}: {} segment(s) deleted{}", Long.toHexString(zxid),
                removed.size(), cutSegment == null ? ", log now empty" : ", " + cutSegment + " cut");
    }

    /** Drops the records after {@code zxid} from a segment by rewriting it and renaming the copy over it. */
    private void cutAfter(Segment s, long zxid) throws IOException {
        ByteBuffer view = s.readView();
        int offset = SegmentFormat.HEADER_BYTES;
        int records = 0;
        long last = s.header.prevZxid();
        int end = s.end;
        while (offset < end) {
            long z = SegmentFormat.zxidAt(view, offset);
            if (z > zxid) {
                break;
            }
            last = z;
            records++;
            offset += SegmentFormat.align(view.getInt(offset));
        }
        if (offset >= end) {
            return;
        }
        int cut = offset;
        s.end = cut; // readers stop here before the bytes change under them
        Path copy = s.path.resolveSibling(s.path.getFileName() + LogFiles.TRUNCATING_SUFFIX);
        io.delete(copy);
        FileHandle handle = io.create(copy);
        try {
            handle.write(s.readView().limit(cut), 0);
            handle.write(ByteBuffer.allocate(1), s.capacity - 1);
            if (settings.forceSync()) {
                handle.force(true);
            }
            MappedByteBuffer map = handle.map(FileChannel.MapMode.READ_WRITE, 0, s.capacity);
            io.rename(copy, s.path);
            if (settings.forceSync()) {
                io.syncDirectory(dir);
            }
            s.replaceMapping(handle, map);
        } catch (IOException | RuntimeException | InternalError e) {
            handle.close();
            throw e;
        }
        s.records = records;
        s.lastZxid = last;
        s.dirtyStart = cut;
        s.syncedEnd = settings.forceSync() ? cut : Math.min(s.syncedEnd, cut);
    }

    @Override
    public TxnCursor readAfter(long afterZxid) throws IOException {
        checkUsable();
        List<Segment> all = segments;
        if (all.isEmpty()) {
            return new MmapCursor(List.of(), afterZxid);
        }
        Segment oldest = all.get(0);
        if (afterZxid < oldest.header.prevZxid()) {
            throw new StorageCorruptException("the txn log no longer holds the records after 0x"
                    + Long.toHexString(afterZxid) + ": the oldest segment " + oldest + " starts after 0x"
                    + Long.toHexString(oldest.header.prevZxid()) + " (older segments purged or lost)");
        }
        int start = 0;
        for (int i = 1; i < all.size() && all.get(i).header.firstZxid() <= afterZxid; i++) {
            start = i;
        }
        List<MmapCursor.View> views = new ArrayList<>(all.size() - start);
        for (Segment s : all.subList(start, all.size())) {
            int end = s.end;
            views.add(new MmapCursor.View(s.path, s.readView(), end));
        }
        return new MmapCursor(views, afterZxid);
    }

    @Override
    public long lastZxid() {
        return lastZxid;
    }

    @Override
    public synchronized void purgeUpTo(long zxid) throws IOException {
        checkUsable();
        List<Segment> all = segments;
        // the engines' shared rule (ZooKeeper's): keep the newest segment whose first zxid is at or below zxid and
        // everything after it; so the newest segment always stays, and lastZxid with it
        int drop = FileNames.logsToPurge(all.stream().map(s -> s.header.firstZxid()).toList(), zxid).size();
        if (drop == 0) {
            return;
        }
        segments = List.copyOf(all.subList(drop, all.size()));
        try {
            for (Segment s : all.subList(0, drop)) {
                s.close();
                io.delete(s.path);
            }
            if (settings.forceSync()) {
                io.syncDirectory(dir);
            }
        } catch (IOException | UncheckedIOException e) {
            throw poison("purge up to 0x" + Long.toHexString(zxid), e);
        }
        LOG.info("Purged {} txn log segment(s) up to 0x{}", drop, Long.toHexString(zxid));
    }

    /** Releases the mappings (see {@link Segment}); forces nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Segment s : segments) {
            try {
                s.close();
            } catch (IOException e) {
                LOG.warn("Closing {} failed", s, e);
            }
        }
        segments = List.of();
    }

    /** The segment files, oldest first (for tests and tools). */
    List<Path> segmentFiles() {
        return segments.stream().map(s -> s.path).toList();
    }

    private Segment active() {
        List<Segment> all = segments;
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    private Segment roll(long firstZxid, int recordBytes) throws IOException {
        Segment previous = active();
        if (previous != null && settings.forceSync()) {
            flusher.flush(previous, previous.dirtyStart, previous.end);
            previous.syncedEnd = previous.end;
            previous.dirtyStart = previous.end;
        }
        if (dbId == 0) {
            long id;
            do {
                id = dbIds.getAsLong();
            } while (id == 0);
            dbId = id;
        }
        SegmentHeader header = new SegmentHeader(dbId, lastZxid, firstZxid);
        Path path = dir.resolve(LogFiles.segmentName(firstZxid));
        Segment next = Segment.create(io, path, header, settings.capacityFor(recordBytes), settings.forceSync());
        List<Segment> all = new ArrayList<>(segments);
        all.add(next);
        segments = List.copyOf(all);
        if (settings.forceSync()) {
            io.syncDirectory(dir);
        }
        return next;
    }

    private void checkUsable() throws IOException {
        if (closed) {
            throw new IllegalStateException("the txn log in " + dir + " is closed");
        }
        Throwable cause = poison;
        if (cause != null) {
            throw new IOException("the txn log in " + dir + " failed earlier and is unusable until the storage is"
                    + " opened again", cause);
        }
    }

    private IOException poison(String what, Throwable cause) {
        poison = cause;
        LOG.error("{} failed; the txn log in {} is unusable until the storage is opened again", what, dir, cause);
        return cause instanceof IOException e ? e : new IOException(what + " failed", cause);
    }
}
