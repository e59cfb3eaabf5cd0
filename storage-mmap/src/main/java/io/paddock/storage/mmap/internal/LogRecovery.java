package io.paddock.storage.mmap.internal;

import io.paddock.api.storage.StorageCorruptException;
import io.paddock.storage.mmap.core.SegmentFormat;
import io.paddock.storage.mmap.core.SegmentScan;
import io.paddock.storage.mmap.core.TailAnalysis;
import io.paddock.storage.mmap.core.TailVerdict;
import io.paddock.storage.support.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up of the log: list, map, check every record, then repair what may be repaired. All checks run before the
 * first change to a file, so a log that is refused is left exactly as it was found.
 *
 * <ul>
 *   <li>Newest segment: a torn tail is cut ({@link TailAnalysis} decides torn versus corrupt: damage followed by a
 *       valid record is corruption). A newest segment left
 *       without any valid record (a roll that crashed before its first record was synced, or a header that never
 *       reached the disk with nothing after it) is deleted and the one before it becomes the newest.</li>
 *   <li>Every older segment was forced before its successor was created, so any damage there, an empty segment, a
 *       different db id, or a header whose {@code prevZxid} is not the previous segment's last zxid (a gap) is a
 *       {@link StorageCorruptException} naming file and offset.</li>
 *   <li>{@code log.<hex>} files (storage=file or ZooKeeper) in the folder refuse the start: ignoring them would
 *       silently drop their txns.</li>
 *   <li>Finally the newest segment is forced whole: bytes a killed process left in the page cache are read as the
 *       log, so they are made durable before anything relies on them.</li>
 * </ul>
 */
final class LogRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(LogRecovery.class);

    private final FileIo io;
    private final Path dir;
    private final LogSettings settings;
    private final Flusher flusher;
    private final CRC32C crc = new CRC32C();

    LogRecovery(FileIo io, Path dir, LogSettings settings, Flusher flusher) {
        this.io = io;
        this.dir = dir;
        this.settings = settings;
        this.flusher = flusher;
    }

    /** The live segments, oldest first; every segment it mapped is in {@code opened} (for cleanup on failure). */
    List<Segment> run(List<Segment> opened) throws IOException {
        boolean dirChanged = false;
        List<Long> zxids = new ArrayList<>();
        for (String name : io.list(dir)) {
            if (LogFiles.isForeignLog(name)) {
                throw new IOException(dir + " holds " + name + ", a txn log of storage=file or of ZooKeeper, which"
                        + " storage=mmap cannot read; ignoring it would silently drop its txns. Start with the engine"
                        + " that wrote it, or move the log files away");
            }
            if (LogFiles.isTruncating(name)) {
                LOG.warn("Deleting {}: the copy of an unfinished truncation (the original segment is intact)",
                        dir.resolve(name));
                io.delete(dir.resolve(name));
                dirChanged = true;
            } else if (LogFiles.isSegment(name)) {
                zxids.add(LogFiles.firstZxidOf(name));
            }
        }
        zxids.sort(null);
        for (long zxid : zxids) {
            opened.add(Segment.open(io, dir.resolve(LogFiles.segmentName(zxid)), zxid));
        }

        List<Segment> live = new ArrayList<>(opened);
        List<Segment> drop = new ArrayList<>();
        TailVerdict.Torn torn = null;
        SegmentScan newest = null;
        while (!live.isEmpty()) {
            Segment s = live.get(live.size() - 1);
            ByteBuffer view = s.readView();
            if (s.header == null) {
                if (anyNonZero(view, SegmentFormat.HEADER_BYTES)) {
                    throw corrupt(s, 0, "invalid segment header, with data after it");
                }
                LOG.warn("Deleting {}: a roll that did not finish (no valid header and nothing after it)", s);
                drop.add(s);
                live.remove(live.size() - 1);
                continue;
            }
            checkName(s);
            SegmentScan scan = SegmentScan.of(view, s.header, crc);
            TailVerdict verdict = TailAnalysis.of(view, scan, crc);
            if (verdict instanceof TailVerdict.Corrupt c) {
                throw corrupt(s, c.offset(), c.reason());
            }
            torn = verdict instanceof TailVerdict.Torn t ? t : null;
            if (scan.records() == 0) {
                LOG.warn("Deleting {}: it holds no complete record (a roll whose first records were never synced){}", s,
                        torn == null ? "" : " (torn at offset " + torn.cut() + ": " + torn.reason() + ")");
                drop.add(s);
                live.remove(live.size() - 1);
                torn = null;
                continue;
            }
            newest = scan;
            break;
        }

        SegmentScan previous = null;
        for (int i = 0; i < live.size(); i++) {
            Segment s = live.get(i);
            SegmentScan scan = i == live.size() - 1 ? newest : checkOlder(s);
            if (previous != null) {
                Segment before = live.get(i - 1);
                if (s.header.dbId() != before.header.dbId()) {
                    throw corrupt(s, 8, "db id " + Long.toHexString(s.header.dbId()) + " differs from "
                            + Long.toHexString(before.header.dbId()) + " in " + before);
                }
                if (s.header.prevZxid() != previous.lastZxid()) {
                    throw corrupt(s, 16, "gap: the header says the record before this segment is 0x"
                            + Long.toHexString(s.header.prevZxid()) + " but " + before + " ends at 0x"
                            + Long.toHexString(previous.lastZxid()));
                }
            }
            s.records = scan.records();
            s.lastZxid = scan.lastZxid();
            s.end = scan.end();
            previous = scan;
        }

        // checks are done; from here on files change
        for (Segment s : drop) {
            opened.remove(s);
            s.close();
            io.delete(s.path);
            dirChanged = true;
        }
        if (dirChanged) {
            io.syncDirectory(dir);
        }
        if (!live.isEmpty()) {
            Segment last = live.get(live.size() - 1);
            if (torn != null) {
                cut(last, torn);
            }
            if (settings.forceSync()) {
                flusher.flush(last, 0, last.end);
            }
            last.dirtyStart = last.end;
            last.syncedEnd = settings.forceSync() ? last.end : SegmentFormat.HEADER_BYTES;
        }
        return live;
    }

    private SegmentScan checkOlder(Segment s) throws StorageCorruptException {
        if (s.header == null) {
            throw corrupt(s, 0, "invalid segment header");
        }
        checkName(s);
        SegmentScan scan = SegmentScan.of(s.readView(), s.header, crc);
        if (!scan.clean()) {
            throw corrupt(s, scan.end(), scan.detail());
        }
        if (scan.records() == 0) {
            throw corrupt(s, SegmentFormat.HEADER_BYTES, "a segment that is not the newest holds no records");
        }
        return scan;
    }

    private void cut(Segment last, TailVerdict.Torn torn) throws IOException {
        LOG.warn("Cutting the torn tail of {} at offset {} ({}); zeroing {} bytes after the last valid record, zxid"
                + " 0x{}", last, torn.cut(), torn.reason(), torn.zeroEnd() - torn.cut(),
                Long.toHexString(last.lastZxid));
        MappedByteBuffer map = last.map();
        int i = torn.cut();
        for (; i + Long.BYTES <= torn.zeroEnd(); i += Long.BYTES) {
            map.putLong(i, 0L);
        }
        for (; i < torn.zeroEnd(); i++) {
            map.put(i, (byte) 0);
        }
        flusher.flush(last, torn.cut(), torn.zeroEnd());
    }

    private static void checkName(Segment s) throws StorageCorruptException {
        if (s.header.firstZxid() != s.nameZxid) {
            throw corrupt(s, 24, "the header's first zxid 0x" + Long.toHexString(s.header.firstZxid())
                    + " does not match the file name");
        }
    }

    private static boolean anyNonZero(ByteBuffer view, int from) {
        int limit = view.capacity();
        int i = from;
        for (; i + Long.BYTES <= limit; i += Long.BYTES) {
            if (view.getLong(i) != 0) {
                return true;
            }
        }
        for (; i < limit; i++) {
            if (view.get(i) != 0) {
                return true;
            }
        }
        return false;
    }

    private static StorageCorruptException corrupt(Segment s, int offset, String reason) {
        return new StorageCorruptException(s.path + " at offset " + offset + ": " + reason);
    }
}
