package io.paddock.storage.support;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** An open file. Positional reads and writes; safe for one writer and concurrent positional readers. */
public interface FileHandle extends Closeable {

    Path path();

    long size() throws IOException;

    /** Reads into {@code dst} from {@code position}; returns the number of bytes read, or -1 at the end of the file. */
    int read(ByteBuffer dst, long position) throws IOException;

    /** Writes every remaining byte of {@code src} at {@code position}, or throws. Not durable until {@link #force}. */
    void write(ByteBuffer src, long position) throws IOException;

    /** Cuts the file to {@code size} bytes (no-op if it is not longer). Not durable until {@link #force}. */
    void truncate(long size) throws IOException;

    /**
     * Makes every write, truncation and mapped change of this file durable: {@code fdatasync} when {@code metadata} is
     * false, {@code fsync} when true. After a failure the handle must not be trusted again (fsync errors are not
     * sticky on Linux: a retry can succeed while the data is gone).
     */
    void force(boolean metadata) throws IOException;

    /**
     * Maps a region. Changes through the mapping become durable at the next {@link #force} of this handle (Linux's
     * fsync writes back dirty shared mappings), which is the only flush test implementations observe.
     */
    MappedByteBuffer map(FileChannel.MapMode mode, long position, long size) throws IOException;

    /** Fills {@code dst} from {@code position}; {@link EOFException} (naming the file) if the file ends first. */
    default void readFully(ByteBuffer dst, long position) throws IOException {
        long at = position;
        while (dst.hasRemaining()) {
            int n = read(dst, at);
            if (n < 0) {
                throw new EOFException(path() + ": ends at " + at + ", wanted " + dst.remaining() + " more bytes");
            }
            at += n;
        }
    }
}
