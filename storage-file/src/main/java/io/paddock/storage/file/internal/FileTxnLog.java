package io.paddock.storage.file.internal;

import io.paddock.api.Zxid;
import io.paddock.api.storage.StorageCorruptException;
import io.paddock.api.storage.TxnCursor;
import io.paddock.storage.file.core.LogFormat;
import io.paddock.storage.file.internal.FileStorage.Preparer;
import io.paddock.storage.support.FileHandle;
import io.paddock.storage.support.FileIo;
import io.paddock.storage.support.FileNames;
import io.paddock.storage.support.FolderStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The txn log as files {@code log.<first zxid hex>} in one folder (format in {@link LogFormat}).
 *
 * <p>Writing: {@link #append} copies the record into a 1 MiB buffer (a record larger than the buffer is written
 * straight to the file); {@link #sync} writes the buffer with one call and forces the file once with
 * {@code fdatasync}. The newest file is preallocated with zeros in {@code preAllocBytes} blocks ahead of the records,
 * so that fdatasync writes data blocks and not the file's size. After {@code txnsPerLogFileMax} records the next
 * append rolls: the old file is cut to its last record and forced; then the spare {@code log.spare.tmp}, which a
 * preparer made ahead of time (created, its first block of zeros written, fsynced, its folder entry fsynced), gets its
 * header (one fdatasync'd page), is renamed into place, and the folder is forced. Without a ready spare the roll
 * creates the file itself as a temp file the same way. So the existence of a file implies that every file before it
 * is complete on disk, and a spare, holding no header, is only ever a temp file that open deletes.
 *
 * <p>Failure: an {@link IOException} from a write, a truncation or a force poisons the log. Every later
 * {@code append}, {@code sync} and {@code truncateAfter} throws until the storage is closed and opened again: after a
 * failed fsync the kernel may have dropped the dirty pages while a retry on the same file reports success
 * (RELIABILITY.md §7, "fsyncgate").
 *
 * <p>Readers: cursors see records up to what the last {@code sync} published, and may run concurrently with the
 * writer. Writer methods are synchronized.
 */
final class FileTxnLog implements FolderStorage.Log {
    private static final Logger LOG = LoggerFactory.getLogger(FileTxnLog.class);
    static final int WRITE_BUFFER_BYTES = 1 << 20;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 20);
    /** The next log file, prepared ahead of the roll; a temp name, so open deletes a leftover one. */
    /** The spare's zeros are flushed every this many bytes while it is prepared. */
    private static final long SPARE_FLUSH_BYTES = 4 << 20;
    static final String SPARE_NAME = FileNames.LOG_PREFIX + "spare" + FileNames.TEMP_SUFFIX;

    /** A prepared spare: its open handle and its size (zeros, no header yet). */
    private record Spare(FileHandle handle, long size) {}

    private final FileIo io;
    private final Path dir;
    private final long preAllocBytes;
    private final int txnsPerFileMax;
    private final boolean forceSync;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(WRITE_BUFFER_BYTES);
    private final ByteBuffer recordHeader = ByteBuffer.allocate(LogFormat.RECORD_HEADER_BYTES);

    /** The files, oldest first; replaced as a whole, so a reader's copy stays consistent. */
    private volatile List<Segment> segments;
    /** Writer handle of the newest file; null until needed. */
    private FileHandle out;
    /** Where the buffered bytes go in the newest file. */
    private long writePos;
    /** Size of the newest file: records plus preallocated zeros. */
    private long allocatedEnd;
    /** Records in the newest file, buffered ones included. */
    private int countInNewest;
    /** The last appended zxid (buffered included), or NONE when the log holds no record. */
    private volatile long lastZxid;
    /** Bytes were written since the last force. */
    private boolean dirty;
    private IOException poisoned;
    private boolean closed;
    private final Path sparePath;
    private final Preparer preparerKind;
    /** The preparer's thread (BACKGROUND only): one thread, a few queued tasks (a spare, trims of rolled files). */
    private final ExecutorService background;
    /** The spare being prepared or ready; null when none was asked for. Guarded by this. */
    private CompletableFuture<Spare> spare;
    /** A rolled file whose zeros after trimAt are still to be cut (set inside roll). */
    private Path trimAfterRoll;
    private long trimAt;

    private FileTxnLog(FileIo io, Path dir, long preAllocBytes, int txnsPerFileMax, boolean forceSync,
            Preparer preparer) {
        this.io = io;
        this.dir = dir;
        this.preAllocBytes = preAllocBytes;
        this.txnsPerFileMax = txnsPerFileMax;
        this.forceSync = forceSync;
        this.sparePath = dir.resolve(SPARE_NAME);
        this.preparerKind = preparer;
        this.background = preparer == Preparer.BACKGROUND ? new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(4), r -> {
                    Thread t = new Thread(r, "paddock-log-preparer " + dir);
                    t.setDaemon(true);
                    return t;
                }) : null;
    }

    /**
     * Opens the log in {@code dir} (created if missing): deletes leftover temp files, checks every file's header,
     * the chain of prevZxids and every record, and cuts a torn tail of the newest file.
     */
    static FileTxnLog open(FileIo io, Path dir, long preAllocBytes, int txnsPerFileMax, boolean forceSync,
            Preparer preparer) throws IOException {
        FileTxnLog log = new FileTxnLog(io, dir, preAllocBytes, txnsPerFileMax, forceSync, preparer);
        try {
            log.load();
            synchronized (log) {
                log.startSpare();
            }
        } catch (IOException | RuntimeException e) {
            log.close();
            throw e;
        }
        return log;
    }

    private void load() throws IOException {
        io.createDirectories(dir);
        List<Long> starts = new ArrayList<>();
        boolean deleted = false;
        for (String name : io.list(dir)) {
            if (name.startsWith(FileNames.LOG_PREFIX) && name.endsWith(FileNames.TEMP_SUFFIX)) {
                // a roll or truncation interrupted before its rename: the file never held a record
                io.delete(dir.resolve(name));
                deleted = true;
                continue;
            }
            OptionalLong zxid = FileNames.parseLog(name);
            if (zxid.isPresent()) {
                starts.add(zxid.getAsLong());
            }
        }
        if (deleted) {
            io.syncDirectory(dir);
        }
        starts.sort(null);
        List<Segment> loaded = new ArrayList<>();
        List<Segment> untrimmed = new ArrayList<>();
        for (int i = 0; i < starts.size(); i++) {
            boolean newest = i == starts.size() - 1;
            Path path = dir.resolve(FileNames.log(starts.get(i)));
            FileHandle h = newest ? io.openWrite(path) : io.openRead(path);
            try {
                long prev = LogScanner.readHeader(h, LogFormat.DB_ID);
                if (!loaded.isEmpty()) {
                    Segment before = loaded.get(loaded.size() - 1);
                    if (prev != before.lastZxid()) {
                        throw new StorageCorruptException(path + ": starts after zxid 0x" + Long.toHexString(prev)
                                + " but " + before.path.getFileName() + " ends at 0x"
                                + Long.toHexString(before.lastZxid()) + ": "
                                + (prev > before.lastZxid() ? "records are missing between them (gap)"
                                        : "the files overlap"));
                    }
                }
                if (starts.get(i) <= prev) {
                    throw new StorageCorruptException(path + ": the name is not above the header's prevZxid 0x"
                            + Long.toHexString(prev));
                }
                LogScanner.Result r = LogScanner.scan(h, prev, newest);
                if (r.torn()) {
                    h.truncate(r.end());
                    h.force(true);
                    LOG.warn("{}: cut {} bytes of torn or damaged data at offset {} after the last valid record"
                            + " (zxid 0x{}): {}", path, r.dirtyEnd() - r.end(), r.end(),
                            Long.toHexString(r.lastZxid()), r.problem());
                }
                if (!newest && r.end() < h.size()) {
                    // zeros after the last record: the roll's deferred cut did not happen before the stop
                    untrimmed.add(new Segment(path, starts.get(i), prev, r.end(), r.count(), r.lastZxid()));
                }
                loaded.add(new Segment(path, starts.get(i), prev, r.end(), r.count(), r.lastZxid()));
                if (newest) {
                    out = h;
                    h = null;
                    writePos = r.end();
                    allocatedEnd = out.size();
                    countInNewest = r.count();
                }
            } finally {
                closeQuietly(h);
            }
        }
        for (Segment s : untrimmed) {
            FileHandle h = io.openWrite(s.path);
            try {
                h.truncate(s.end());
                h.force(true);
            } finally {
                closeQuietly(h);
            }
        }
        segments = List.copyOf(loaded);
        lastZxid = lastRecordZxid(segments);
    }

    private static long lastRecordZxid(List<Segment> segs) {
        for (int i = segs.size() - 1; i >= 0; i--) {
            if (segs.get(i).count() > 0) {
                return segs.get(i).lastZxid();
            }
        }
        return Zxid.NONE;
    }

    private Segment newest() {
        List<Segment> segs = segments;
        return segs.isEmpty() ? null : segs.get(segs.size() - 1);
    }

    /** Appended zxids must be above this: the last record, or the newest file's prevZxid when it holds none. */
    private long floor() {
        Segment newest = newest();
        return newest == null ? lastZxid : Math.max(lastZxid, newest.prevZxid);
    }

    private void ensureWritable() throws IOException {
        if (closed) {
            throw new IllegalStateException("log " + dir + " is closed");
        }
        if (poisoned != null) {
            throw new IOException("log " + dir + " failed earlier and must be reopened: " + poisoned.getMessage(),
                    poisoned);
        }
    }

    private IOException poison(IOException e) {
        if (poisoned == null) {
            poisoned = e;
            LOG.error("log {} failed; refusing further writes until it is reopened", dir, e);
        }
        return e;
    }

    @Override
    public synchronized void append(long zxid, ByteBuffer txn) throws IOException {
        ensureWritable();
        if (zxid <= floor()) {
            throw new IllegalArgumentException("zxid 0x" + Long.toHexString(zxid) + " is not above the log's last 0x"
                    + Long.toHexString(floor()));
        }
        int length = txn.remaining();
        if (length > LogFormat.PAYLOAD_BYTES_MAX) {
            throw new IllegalArgumentException("txn of " + length + " bytes exceeds the log's limit of "
                    + LogFormat.PAYLOAD_BYTES_MAX);
        }
        try {
            Segment newest = newest();
            if (newest == null || countInNewest >= txnsPerFileMax || (countInNewest == 0 && newest.nameZxid > zxid)) {
                roll(zxid);
            }
            ByteBuffer payload = txn.duplicate();
            int bytes = LogFormat.recordBytes(length);
            if (bytes > buffer.remaining()) {
                flush();
            }
            if (bytes > buffer.capacity()) {
                recordHeader.clear();
                LogFormat.putRecordHeader(recordHeader, zxid, payload);
                recordHeader.flip();
                ensureAllocated(writePos + bytes);
                writer().write(recordHeader, writePos);
                writer().write(payload, writePos + LogFormat.RECORD_HEADER_BYTES);
                writePos += bytes;
                dirty = true;
            } else {
                LogFormat.putRecordHeader(buffer, zxid, payload);
                buffer.put(payload);
            }
            lastZxid = zxid;
            countInNewest++;
        } catch (IOException e) {
            throw poison(e);
        }
    }

    @Override
    public synchronized void sync() throws IOException {
        ensureWritable();
        Segment newest = newest();
        if (newest == null) {
            return;
        }
        try {
            flush();
            if (dirty) {
                if (forceSync) {
                    out.force(false);
                }
                dirty = false;
            }
        } catch (IOException e) {
            throw poison(e);
        }
        newest.publish(writePos, countInNewest, lastZxid);
    }

    private FileHandle writer() throws IOException {
        if (out == null) {
            out = io.openWrite(newest().path);
        }
        return out;
    }

    /** Writes the buffered records to the newest file, without forcing it. */
    private void flush() throws IOException {
        if (buffer.position() == 0) {
            return;
        }
        buffer.flip();
        int n = buffer.remaining();
        ensureAllocated(writePos + n);
        writer().write(buffer, writePos);
        writePos += n;
        buffer.clear();
        dirty = true;
    }

    /** Extends the newest file with zeros in preAllocBytes blocks so that it reaches at least {@code end}. */
    private void ensureAllocated(long end) throws IOException {
        if (end <= allocatedEnd) {
            return;
        }
        if (preAllocBytes <= 0) {
            allocatedEnd = end;
            return;
        }
        long target = (end + preAllocBytes - 1) / preAllocBytes * preAllocBytes;
        long at = allocatedEnd;
        while (at < target) {
            ByteBuffer zeros = ZEROS.duplicate();
            zeros.limit((int) Math.min(zeros.capacity(), target - at));
            int n = zeros.remaining();
            writer().write(zeros, at);
            at += n;
        }
        allocatedEnd = target;
        dirty = true;
    }

    /**
     * Starts {@code log.<zxid>}. The file before it is cut to its last record and forced first, so a file on disk
     * always implies that its predecessors are complete; an empty newest file whose name is above {@code zxid} (left
     * by a cut tail) is replaced, since names must not exceed the first record.
     */
    private void roll(long zxid) throws IOException {
        Segment old = newest();
        long prev = lastZxid;
        if (old != null) {
            flush();
            if (countInNewest > 0) {
                if (preparerKind == Preparer.NONE) {
                    writer().truncate(writePos);
                    if (forceSync) {
                        writer().force(true);
                    }
                } else {
                    // the records must be on disk before the next file's name; the zeros after them are cut later
                    // (cutting 64 MiB of blocks took 30 ms here, on a disk mounted with discard)
                    if (dirty && forceSync) {
                        writer().force(false);
                    }
                    if (allocatedEnd > writePos) {
                        trimAfterRoll = old.path;
                        trimAt = writePos;
                    }
                }
                dirty = false;
                old.publish(writePos, countInNewest, lastZxid);
            } else {
                prev = old.prevZxid;
            }
            closeQuietly(out);
            out = null;
        }
        Spare ready = takeSpare();
        Segment created;
        if (ready != null) {
            created = install(ready, zxid, prev);
        } else {
            created = create(zxid, prev, forceSync);
        }
        List<Segment> next = new ArrayList<>(segments);
        if (old != null && old.count() == 0) {
            next.remove(old);
            segments = List.copyOf(next);
            io.delete(old.path);
            if (forceSync) {
                io.syncDirectory(dir);
            }
        }
        next.add(created);
        segments = List.copyOf(next);
        if (trimAfterRoll != null) {
            Path path = trimAfterRoll;
            long at = trimAt;
            trimAfterRoll = null;
            runInBackground(() -> trim(path, at));
        }
        startSpare();
    }

    /** Runs {@code task} on the preparer's thread, or here (INLINE, or when the thread is gone or busy). */
    private void runInBackground(Runnable task) {
        if (background != null) {
            try {
                background.execute(task);
                return;
            } catch (RejectedExecutionException e) {
                // shut down or queue full: do it here
            }
        }
        task.run();
    }

    /**
     * Cuts a rolled file's preallocated zeros after its last record at {@code end} and forces it. A failure is only
     * logged: a file that is not the newest may end in zeros (open accepts them and cuts them), and its records were
     * forced before the roll. Never extends a file that truncation already cut shorter.
     */
    private void trim(Path path, long end) {
        try {
            FileHandle h = io.openWrite(path);
            try {
                if (h.size() > end) {
                    h.truncate(end);
                    if (forceSync) {
                        h.force(true);
                    }
                }
            } finally {
                closeQuietly(h);
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // purged in the meantime
        } catch (IOException e) {
            LOG.warn("cutting the preallocated tail of {} at {} failed; open will cut it", path, end, e);
        }
    }

    /** Waits until the preparer's thread has finished what was queued before (truncation and purge). */
    private void awaitBackground() {
        if (background == null) {
            return;
        }
        try {
            background.submit(() -> { }).get();
        } catch (RejectedExecutionException | ExecutionException e) {
            // shut down: nothing runs any more
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Makes the prepared spare {@code log.<name>}: writes its header over the zeros at offset 0, fdatasyncs that one
     * page (the size does not change), renames it and syncs the folder. The costly part (creating the file, its
     * zeros, fsync of its blocks, the folder entry) was done by the preparer.
     */
    private Segment install(Spare ready, long name, long prev) throws IOException {
        Path path = dir.resolve(FileNames.log(name));
        out = ready.handle();
        out.write(LogFormat.header(LogFormat.DB_ID, prev), 0);
        if (forceSync) {
            out.force(false);
        }
        io.rename(sparePath, path);
        if (forceSync) {
            io.syncDirectory(dir);
        }
        allocatedEnd = Math.max(ready.size(), LogFormat.HEADER_BYTES);
        writePos = LogFormat.HEADER_BYTES;
        countInNewest = 0;
        dirty = false;
        return new Segment(path, name, prev, LogFormat.HEADER_BYTES, 0, prev);
    }

    /** Asks for the next spare unless one is pending or the log cannot write. Caller holds this. */
    private void startSpare() {
        if (preparerKind == Preparer.NONE || spare != null || closed || poisoned != null) {
            return;
        }
        CompletableFuture<Spare> f = new CompletableFuture<>();
        Runnable task = () -> {
            try {
                f.complete(prepareSpare());
            } catch (IOException | RuntimeException | Error e) {
                f.completeExceptionally(e);
            }
        };
        spare = f;
        if (background == null) {
            task.run();
            return;
        }
        try {
            background.execute(task);
        } catch (RejectedExecutionException e) {
            spare = null;
        }
    }

    /**
     * Creates {@link #SPARE_NAME} holding zeros up to the first preallocation block (nothing when preallocation is
     * off), forces it and its folder entry. Touches no field of the log but the final ones, so it may run on the
     * preparer's thread. A failure deletes the file and is only logged: the roll then creates its file itself.
     */
    private Spare prepareSpare() throws IOException {
        io.delete(sparePath);
        FileHandle h = io.create(sparePath);
        try {
            long size = preAllocBytes > 0
                    ? (LogFormat.HEADER_BYTES + preAllocBytes) / preAllocBytes * preAllocBytes : 0;
            for (long at = 0; at < size; ) {
                ByteBuffer zeros = ZEROS.duplicate();
                zeros.limit((int) Math.min(zeros.capacity(), size - at));
                int n = zeros.remaining();
                h.write(zeros, at);
                at += n;
                if (forceSync && at % SPARE_FLUSH_BYTES == 0 && at < size) {
                    // flushed in slices, so that the log's own fdatasync never queues behind 64 MiB at once
                    h.force(false);
                }
            }
            if (forceSync) {
                h.force(true);
                io.syncDirectory(dir);
            }
            return new Spare(h, size);
        } catch (IOException | RuntimeException e) {
            closeQuietly(h);
            try {
                io.delete(sparePath);
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
    }

    /** The prepared spare, waiting for the preparer if it is still at work; null if none or it failed. */
    private Spare takeSpare() {
        CompletableFuture<Spare> f = spare;
        spare = null;
        if (f == null) {
            return null;
        }
        try {
            return f.get();
        } catch (ExecutionException e) {
            LOG.warn("preparing the next log file {} failed; the roll creates its file itself", sparePath,
                    e.getCause());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.thenAccept(s -> closeQuietly(s.handle()));
            return null;
        }
    }

    /** Creates {@code log.<name>} with its header and first block of zeros; it becomes the writer's file. */
    private Segment create(long name, long prev, boolean durable) throws IOException {
        Path path = dir.resolve(FileNames.log(name));
        Path temp = dir.resolve(FileNames.log(name) + FileNames.TEMP_SUFFIX);
        io.delete(temp);
        out = io.create(temp);
        out.write(LogFormat.header(LogFormat.DB_ID, prev), 0);
        allocatedEnd = LogFormat.HEADER_BYTES;
        writePos = LogFormat.HEADER_BYTES;
        countInNewest = 0;
        if (preAllocBytes > 0) {
            ensureAllocated(LogFormat.HEADER_BYTES + 1);
        }
        if (durable) {
            out.force(true);
        }
        dirty = false;
        io.rename(temp, path);
        if (durable) {
            io.syncDirectory(dir);
        }
        return new Segment(path, name, prev, LogFormat.HEADER_BYTES, 0, prev);
    }

    /**
     * Deletes the files holding only records above {@code zxid}, newest first, then cuts the file that holds the last
     * record at or below it, all durably (whatever forceSync says: a TRUNC that comes back would resurrect txns the
     * leader discarded). If nothing at or below {@code zxid} remains, an empty {@code log.<zxid+1>} records that the
     * log continues after {@code zxid}.
     */
    @Override
    public synchronized void truncateAfter(long zxid) throws IOException {
        ensureWritable();
        if (lastZxid <= zxid) {
            return;
        }
        awaitBackground();
        try {
            flush();
            closeQuietly(out);
            out = null;
            Segment newestBefore = newest();
            List<Segment> next = new ArrayList<>(segments);
            while (!next.isEmpty() && next.get(next.size() - 1).prevZxid >= zxid) {
                Segment gone = next.remove(next.size() - 1);
                segments = List.copyOf(next);
                io.delete(gone.path);
                io.syncDirectory(dir);
            }
            if (next.isEmpty()) {
                next.add(create(zxid + 1, zxid, true));
                segments = List.copyOf(next);
                lastZxid = Zxid.NONE;
                return;
            }
            Segment cut = next.get(next.size() - 1);
            out = io.openWrite(cut.path);
            // the newest file holds written but unpublished records up to writePos; older files end at their end
            long limit = cut == newestBefore ? writePos : cut.end();
            LogScanner.Result r = LogScanner.endAfter(out, cut.prevZxid, limit, zxid);
            out.truncate(r.end());
            out.force(true);
            dirty = false;
            writePos = r.end();
            allocatedEnd = r.end();
            countInNewest = r.count();
            cut.publish(r.end(), r.count(), r.lastZxid());
            segments = List.copyOf(next);
            lastZxid = lastRecordZxid(next);
        } catch (IOException e) {
            throw poison(e);
        }
    }

    @Override
    public TxnCursor readAfter(long afterZxid) throws IOException {
        if (closed) {
            throw new IllegalStateException("log " + dir + " is closed");
        }
        List<Segment> segs = segments;
        if (segs.isEmpty()) {
            return new FileTxnCursor(io, this, null, afterZxid);
        }
        Segment oldest = segs.get(0);
        if (oldest.prevZxid > afterZxid) {
            throw new StorageCorruptException("the log cannot replay from zxid 0x" + Long.toHexString(afterZxid)
                    + ": its oldest file " + oldest.path + " starts after 0x" + Long.toHexString(oldest.prevZxid)
                    + ", so the records in between were purged or lost");
        }
        Segment start = oldest;
        for (Segment s : segs) {
            if (s.prevZxid <= afterZxid) {
                start = s;
            }
        }
        return new FileTxnCursor(io, this, start, afterZxid);
    }

    /** The file after {@code s} in the current list, or null (the newest, or no longer listed). */
    Segment after(Segment s) {
        List<Segment> segs = segments;
        for (int i = 0; i < segs.size() - 1; i++) {
            if (segs.get(i) == s) {
                return segs.get(i + 1);
            }
        }
        return null;
    }

    @Override
    public long lastZxid() {
        return lastZxid;
    }

    /** Deletes, oldest first, the files {@link FileNames#logsToPurge} allows; the folder is synced after each. */
    @Override
    public synchronized void purgeUpTo(long zxid) throws IOException {
        if (closed) {
            throw new IllegalStateException("log " + dir + " is closed");
        }
        awaitBackground();
        List<Segment> segs = segments;
        List<Long> starts = new ArrayList<>();
        for (Segment s : segs) {
            starts.add(s.nameZxid);
        }
        List<Long> purge = FileNames.logsToPurge(starts, zxid);
        List<Segment> next = new ArrayList<>(segs);
        for (int i = 0; i < purge.size(); i++) {
            Segment gone = next.remove(0);
            segments = List.copyOf(next);
            io.delete(gone.path);
            io.syncDirectory(dir);
        }
    }

    /** The files, oldest first (tests and tools). */
    List<Segment> segments() {
        return segments;
    }

    /**
     * Closes the files. Waits for a preparer at work (at most a minute), so that no write of this log goes on after
     * the folder lock is released; the spare file stays on disk and the next open deletes it.
     */
    @Override
    public synchronized void close() {
        closed = true;
        closeQuietly(out);
        out = null;
        if (background != null) {
            background.shutdown();
            try {
                if (!background.awaitTermination(1, TimeUnit.MINUTES)) {
                    LOG.warn("the log file preparer of {} did not stop within a minute", dir);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        CompletableFuture<Spare> f = spare;
        spare = null;
        if (f != null) {
            f.thenAccept(s -> closeQuietly(s.handle()));
        }
    }

    private static void closeQuietly(FileHandle h) {
        if (h != null) {
            try {
                h.close();
            } catch (IOException e) {
                LOG.debug("closing {} failed", h.path(), e);
            }
        }
    }
}
