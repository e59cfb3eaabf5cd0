package io.paddock.storage.mmap.internal;

import io.paddock.api.storage.StorageCorruptException;
import io.paddock.storage.mmap.core.SegmentFormat;
import io.paddock.storage.mmap.core.SegmentHeader;
import io.paddock.storage.support.FileHandle;
import io.paddock.storage.support.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * One mapped segment file. The log's writer thread owns every field but {@link #end}, which it publishes after each
 * record so that readers on other threads see only whole records.
 *
 * <p>Closing drops the references to the mapping instead of unmapping it: the JDK unmaps when the buffer is
 * collected, and a cursor that still holds a view keeps reading valid memory (a deleted file's pages stay until the
 * last mapping goes). No {@code Unsafe.invokeCleaner}: an explicit unmap under a live reader would crash the JVM.
 */
final class Segment {
    final Path path;
    final long nameZxid;
    /** Null only while recovery looks at a segment whose header is damaged. */
    final SegmentHeader header;
    final int capacity;

    private FileHandle handle;
    private MappedByteBuffer map;
    /** Kept after close: readers that raced with a purge still read valid (if deleted) pages through it. */
    private volatile ByteBuffer readView;

    /** Offset after the last record readers may see. */
    volatile int end;
    int records;
    long lastZxid;
    /** First byte not yet forced. */
    int dirtyStart;
    /** Bytes [HEADER_BYTES, syncedEnd) are known durable: the watermark written into each new record. */
    int syncedEnd;

    private Segment(Path path, long nameZxid, SegmentHeader header, FileHandle handle, MappedByteBuffer map) {
        this.path = path;
        this.nameZxid = nameZxid;
        this.header = header;
        this.capacity = map.capacity();
        this.handle = handle;
        this.map = map;
        this.readView = map.asReadOnlyBuffer();
    }

    /** Maps an existing segment for recovery; the caller validates it. */
    static Segment open(FileIo io, Path path, long nameZxid) throws IOException {
        FileHandle handle = io.openWrite(path);
        try {
            long size = handle.size();
            if (size > SegmentFormat.SEGMENT_BYTES_MAX) {
                throw new StorageCorruptException(path + " has " + size + " bytes, which no mmap segment has");
            }
            MappedByteBuffer map = handle.map(FileChannel.MapMode.READ_WRITE, 0, size);
            return new Segment(path, nameZxid, SegmentFormat.readHeader(map), handle, map);
        } catch (IOException | RuntimeException e) {
            handle.close();
            throw e;
        }
    }

    /**
     * Creates {@code path} with {@code capacity} bytes and writes the header, fsynced before this returns. The file
     * is extended by writing its last byte: it stays sparse and reads as zeros until written (POSIX {@code ftruncate}
     * and write-past-end semantics), which is what makes a zero length the end-of-data marker.
     */
    static Segment create(FileIo io, Path path, SegmentHeader header, int capacity, boolean forceSync)
            throws IOException {
        FileHandle handle = io.create(path);
        try {
            handle.write(ByteBuffer.allocate(1), capacity - 1);
            MappedByteBuffer map = handle.map(FileChannel.MapMode.READ_WRITE, 0, capacity);
            Segment segment = new Segment(path, header.firstZxid(), header, handle, map);
            SegmentFormat.writeHeader(map, header);
            if (forceSync) {
                handle.force(true); // the new size and the mapped header page, once per segment
            }
            segment.end = SegmentFormat.HEADER_BYTES;
            segment.lastZxid = header.prevZxid();
            segment.dirtyStart = SegmentFormat.HEADER_BYTES;
            segment.syncedEnd = SegmentFormat.HEADER_BYTES;
            return segment;
        } catch (IOException | RuntimeException | InternalError e) {
            try {
                handle.close();
                io.delete(path); // recovery would drop it anyway (no header, no data); do not leave it around
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The writable mapping; writer thread only. */
    MappedByteBuffer map() {
        return map;
    }

    FileHandle handle() {
        return handle;
    }

    /** A read-only view sharing the mapping; its position and limit are the caller's. */
    ByteBuffer readView() {
        return readView.duplicate();
    }

    /** Takes over a rewritten copy of this segment (see the log's truncation), releasing the old mapping. */
    void replaceMapping(FileHandle newHandle, MappedByteBuffer newMap) throws IOException {
        FileHandle old = handle;
        handle = newHandle;
        map = newMap;
        readView = newMap.asReadOnlyBuffer();
        old.close();
    }

    void close() throws IOException {
        map = null;
        handle.close();
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
