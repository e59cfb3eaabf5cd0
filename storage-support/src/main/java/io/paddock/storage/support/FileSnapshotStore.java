package io.paddock.storage.support;

import io.paddock.api.storage.SnapshotStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Snapshots as {@code snapshot.<zxid hex>} files in one folder (format in README "Snapshot file").
 *
 * <ul>
 *   <li>{@link #begin} writes {@code snapshot.<hex>.<n>.tmp}; {@code commit} writes the trailer, fsyncs, renames it
 *       to {@code snapshot.<hex>} and fsyncs the folder. A crash at any point leaves either no snapshot or a complete
 *       one; leftover temp files are deleted by {@link #open}.</li>
 *   <li>{@link #openLatest} reads each candidate, newest first, checking every chunk and the trailer before handing
 *       it out; a damaged one is reported to the warning sink and the next older one is tried. The stream checks
 *       every chunk again as it decompresses.</li>
 *   <li>{@link #list} checks header and trailer only (it is called by every purge); chunk damage in a listed
 *       snapshot is found by {@link #openLatest}.</li>
 * </ul>
 *
 * <p>Memory: a writer or reader holds two buffers of {@link SnapshotFormat#CHUNK_BYTES} (64 KiB) each. Thread-safe:
 * writers and readers are independent; one writer or reader must be used by one thread at a time.
 */
public final class FileSnapshotStore implements SnapshotStore {
    private final FileIo io;
    private final Path dir;
    private final long dbId;
    private final Consumer<String> warnings;
    private final AtomicLong tempCounter = new AtomicLong();

    private FileSnapshotStore(FileIo io, Path dir, long dbId, Consumer<String> warnings) {
        this.io = io;
        this.dir = dir;
        this.dbId = dbId;
        this.warnings = warnings;
    }

    /**
     * Opens the store over {@code dir} (created if missing) and deletes leftover temp files of interrupted snapshots.
     *
     * @param dbId     written into every header and required when reading (engines use 0, as ZooKeeper does)
     * @param warnings receives one line per damaged snapshot skipped by {@link #openLatest} (engines pass their
     *                 logger's warn)
     */
    public static FileSnapshotStore open(FileIo io, Path dir, long dbId, Consumer<String> warnings)
            throws IOException {
        Objects.requireNonNull(io, "io");
        Objects.requireNonNull(warnings, "warnings");
        io.createDirectories(dir);
        boolean deleted = false;
        for (String name : io.list(dir)) {
            if (name.startsWith(FileNames.SNAPSHOT_PREFIX) && name.endsWith(FileNames.TEMP_SUFFIX)) {
                io.delete(dir.resolve(name));
                deleted = true;
            }
        }
        if (deleted) {
            io.syncDirectory(dir);
        }
        return new FileSnapshotStore(io, dir, dbId, warnings);
    }

    /** The folder holding the snapshots. */
    public Path directory() {
        return dir;
    }

    /** Where the snapshot for {@code zxid} lives once committed. */
    public Path file(long zxid) {
        return dir.resolve(FileNames.snapshot(zxid));
    }

    @Override
    public SnapshotWriter begin(long zxid) throws IOException {
        while (true) {
            Path temp = dir.resolve(FileNames.snapshot(zxid) + "." + tempCounter.incrementAndGet()
                    + FileNames.TEMP_SUFFIX);
            FileHandle handle;
            try {
                handle = io.create(temp);
            } catch (FileAlreadyExistsException e) {
                continue;
            }
            return new Writer(zxid, temp, handle);
        }
    }

    @Override
    public List<Long> list() throws IOException {
        List<Long> valid = new ArrayList<>();
        for (long zxid : names()) {
            try (FileHandle h = io.openRead(file(zxid))) {
                SnapshotFormat.checkEnds(h, dbId, zxid);
                valid.add(zxid);
            } catch (IOException e) {
                // incomplete or damaged: not a snapshot anyone may use; openLatest reports it
            }
        }
        return valid;
    }

    /** zxids of every {@code snapshot.<hex>} file, valid or not, newest first. */
    private List<Long> names() throws IOException {
        List<Long> zxids = new ArrayList<>();
        for (String name : io.list(dir)) {
            OptionalLong zxid = FileNames.parseSnapshot(name);
            if (zxid.isPresent()) {
                zxids.add(zxid.getAsLong());
            }
        }
        zxids.sort((a, b) -> Long.compare(b, a));
        return zxids;
    }

    @Override
    public Optional<SnapshotReader> openLatest() throws IOException {
        for (long zxid : names()) {
            Path file = file(zxid);
            FileHandle h = null;
            try {
                h = io.openRead(file);
                SnapshotFormat.verify(h, dbId, zxid);
                Reader reader = new Reader(zxid, h);
                h = null;
                return Optional.of(reader);
            } catch (IOException e) {
                warnings.accept("skipping damaged snapshot " + file + " (" + e.getMessage()
                        + "); falling back to an older one");
            } finally {
                closeQuietly(h);
            }
        }
        return Optional.empty();
    }

    /** Opens the snapshot at {@code zxid} after checking all of it, as {@link #openLatest} does; empty if damaged. */
    @Override
    public Optional<SnapshotReader> open(long zxid) throws IOException {
        Path file = file(zxid);
        if (!io.exists(file)) {
            return Optional.empty();
        }
        FileHandle h = null;
        try {
            h = io.openRead(file);
            SnapshotFormat.verify(h, dbId, zxid);
            Reader reader = new Reader(zxid, h);
            h = null;
            return Optional.of(reader);
        } catch (IOException e) {
            warnings.accept("snapshot " + file + " is damaged: " + e.getMessage());
            return Optional.empty();
        } finally {
            closeQuietly(h);
        }
    }

    /**
     * Keeps the newest {@code retain} valid snapshots (as {@link #list} sees them) and deletes every snapshot file
     * older than the oldest kept, valid or not. Damaged files newer than that are left for inspection.
     */
    @Override
    public void retainNewest(int retain) throws IOException {
        if (retain < 1) {
            throw new IllegalArgumentException("retain must be at least 1: " + retain);
        }
        List<Long> valid = list();
        if (valid.size() <= retain) {
            return;
        }
        long oldestKept = valid.get(retain - 1);
        boolean deleted = false;
        for (long zxid : names()) {
            if (zxid < oldestKept) {
                io.delete(file(zxid));
                deleted = true;
            }
        }
        if (deleted) {
            io.syncDirectory(dir);
        }
    }

    private static void closeQuietly(FileHandle h) {
        if (h != null) {
            try {
                h.close();
            } catch (IOException e) {
                // nothing was written through it
            }
        }
    }

    private final class Writer implements SnapshotWriter {
        private final long zxid;
        private final Path temp;
        private final FileHandle handle;
        private final ChunkOutputStream stream;
        private boolean done;

        Writer(long zxid, Path temp, FileHandle handle) throws IOException {
            this.zxid = zxid;
            this.temp = temp;
            this.handle = handle;
            try {
                handle.write(SnapshotFormat.header(dbId, zxid), 0);
            } catch (IOException e) {
                closeQuietly(handle);
                io.delete(temp);
                throw e;
            }
            this.stream = new ChunkOutputStream(handle, SnapshotFormat.HEADER_BYTES);
        }

        @Override
        public OutputStream stream() {
            return stream;
        }

        @Override
        public void commit() throws IOException {
            if (done) {
                throw new IllegalStateException("snapshot 0x" + Long.toHexString(zxid) + " already committed or closed");
            }
            stream.finish(zxid);
            handle.force(true);
            done = true;
            handle.close();
            Path target = file(zxid);
            try {
                io.rename(temp, target);
            } catch (IOException e) {
                io.delete(temp);
                throw e;
            }
            io.syncDirectory(dir);
        }

        @Override
        public void close() throws IOException {
            if (done) {
                return;
            }
            done = true;
            stream.closed = true;
            closeQuietly(handle);
            io.delete(temp);
        }
    }

    /** Cuts the stream into chunks, compresses each, and writes it behind its checksummed chunk header. */
    private static final class ChunkOutputStream extends OutputStream {
        private final FileHandle handle;
        private final LZ4Compressor compressor = SnapshotFormat.compressor();
        private final byte[] raw = new byte[SnapshotFormat.CHUNK_BYTES];
        private final byte[] out = new byte[SnapshotFormat.CHUNK_HEADER_BYTES + SnapshotFormat.maxStoredBytes()];
        private int rawLength;
        private long position;
        private long chunks;
        private long rawBytes;
        boolean closed;

        ChunkOutputStream(FileHandle handle, long position) {
            this.handle = handle;
            this.position = position;
        }

        @Override
        public void write(int b) throws IOException {
            ensureOpen();
            raw[rawLength++] = (byte) b;
            if (rawLength == raw.length) {
                emit();
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            ensureOpen();
            while (len > 0) {
                int n = Math.min(len, raw.length - rawLength);
                System.arraycopy(b, off, raw, rawLength, n);
                rawLength += n;
                off += n;
                len -= n;
                if (rawLength == raw.length) {
                    emit();
                }
            }
        }

        /** Does nothing: a snapshot is flushed and published by {@code commit} only. */
        @Override
        public void flush() {}

        /** Does nothing, so a serializer may close the stream it was given; commit or close the writer instead. */
        @Override
        public void close() {}

        private void ensureOpen() throws IOException {
            if (closed) {
                throw new IOException("snapshot stream used after commit or close");
            }
        }

        private void emit() throws IOException {
            if (rawLength == 0) {
                return;
            }
            int h = SnapshotFormat.CHUNK_HEADER_BYTES;
            int stored = compressor.compress(raw, 0, rawLength, out, h, out.length - h);
            if (stored >= rawLength) {
                System.arraycopy(raw, 0, out, h, rawLength);
                stored = rawLength;
            }
            ByteBuffer chunk = ByteBuffer.wrap(out, 0, h + stored);
            chunk.putInt(0, stored).putInt(4, rawLength);
            chunk.putInt(8, crcOf(out, stored));
            handle.write(chunk, position);
            position += h + stored;
            chunks++;
            rawBytes += rawLength;
            rawLength = 0;
        }

        private static int crcOf(byte[] out, int stored) {
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(out, 0, 8);
            crc.update(out, SnapshotFormat.CHUNK_HEADER_BYTES, stored);
            return (int) crc.getValue();
        }

        void finish(long zxid) throws IOException {
            ensureOpen();
            emit();
            handle.write(SnapshotFormat.trailer(chunks, rawBytes, zxid), position);
            position += SnapshotFormat.TRAILER_BYTES;
            closed = true;
        }
    }

    private static final class Reader implements SnapshotReader {
        private final long zxid;
        private final FileHandle handle;
        private final ChunkInputStream stream;

        Reader(long zxid, FileHandle handle) throws IOException {
            this.zxid = zxid;
            this.handle = handle;
            this.stream = new ChunkInputStream(handle, zxid);
        }

        @Override
        public long zxid() {
            return zxid;
        }

        @Override
        public InputStream stream() {
            return stream;
        }

        @Override
        public void close() throws IOException {
            handle.close();
        }
    }

    /** Reads chunk by chunk, checking each one's checksum before decompressing it, and the trailer at the end. */
    private static final class ChunkInputStream extends InputStream {
        private final FileHandle handle;
        private final long zxid;
        private final long size;
        private final LZ4SafeDecompressor decompressor = SnapshotFormat.decompressor();
        private final ByteBuffer chunkHeader = ByteBuffer.allocate(SnapshotFormat.CHUNK_HEADER_BYTES);
        private final byte[] stored = new byte[SnapshotFormat.CHUNK_BYTES];
        private final byte[] raw = new byte[SnapshotFormat.CHUNK_BYTES];
        private int rawPos;
        private int rawLength;
        private long position = SnapshotFormat.HEADER_BYTES;
        private long chunks;
        private long rawBytes;
        private boolean ended;

        ChunkInputStream(FileHandle handle, long zxid) throws IOException {
            this.handle = handle;
            this.zxid = zxid;
            this.size = handle.size();
        }

        @Override
        public int read() throws IOException {
            if (rawPos == rawLength && !fill()) {
                return -1;
            }
            return raw[rawPos++] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (rawPos == rawLength && !fill()) {
                return -1;
            }
            int n = Math.min(len, rawLength - rawPos);
            System.arraycopy(raw, rawPos, b, off, n);
            rawPos += n;
            return n;
        }

        @Override
        public int available() {
            return rawLength - rawPos;
        }

        private boolean fill() throws IOException {
            if (ended) {
                return false;
            }
            ByteBuffer ch = SnapshotFormat.readChunkHeader(handle, position, size, chunkHeader);
            if (ch == null) {
                SnapshotFormat.checkEnd(handle, position, size, zxid, chunks, rawBytes);
                ended = true;
                return false;
            }
            int storedLength = ch.getInt(0);
            int length = ch.getInt(4);
            handle.readFully(ByteBuffer.wrap(stored, 0, storedLength), position + SnapshotFormat.CHUNK_HEADER_BYTES);
            SnapshotFormat.checkChunk(handle.path(), position, ch, stored, storedLength);
            if (storedLength == length) {
                System.arraycopy(stored, 0, raw, 0, length);
            } else {
                int n;
                try {
                    n = decompressor.decompress(stored, 0, storedLength, raw, 0, raw.length);
                } catch (LZ4Exception e) {
                    throw SnapshotFormat.corrupt(handle.path(), position, "chunk does not decompress: " + e);
                }
                if (n != length) {
                    throw SnapshotFormat.corrupt(handle.path(), position, "chunk decompressed to " + n
                            + " bytes, header says " + length);
                }
            }
            position += SnapshotFormat.CHUNK_HEADER_BYTES + storedLength;
            chunks++;
            rawBytes += length;
            rawPos = 0;
            rawLength = length;
            return true;
        }
    }
}
