package io.paddock.storage.file.internal;

import io.paddock.storage.support.FileHandle;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * A read-ahead window over a file: positional reads in blocks, so parsing small records costs no system call each.
 * Never caches bytes beyond the {@code limit} given when it fills, so bytes a writer adds later are read fresh.
 */
final class Window {
    private final FileHandle file;
    private final ByteBuffer buffer;
    private long start;
    private int length;

    Window(FileHandle file, int capacity) {
        this.file = file;
        this.buffer = ByteBuffer.allocate(capacity);
    }

    int capacity() {
        return buffer.capacity();
    }

    /** Makes {@code [position, position + n)} readable; {@code n} must fit the window and {@code position + n <= limit}. */
    void ensure(long position, int n, long limit) throws IOException {
        if (position >= start && position + n <= start + length) {
            return;
        }
        int want = (int) Math.min(buffer.capacity(), limit - position);
        if (want < n) {
            throw new IllegalArgumentException("window of " + buffer.capacity() + " cannot hold " + n + " bytes at "
                    + position + " before " + limit);
        }
        buffer.clear().limit(want);
        long at = position;
        while (buffer.hasRemaining()) {
            int r = file.read(buffer, at);
            if (r < 0) {
                throw new EOFException(file.path() + ": ends at " + at + ", expected data up to " + (position + want)
                        + " (shrank while being read?)");
            }
            at += r;
        }
        start = position;
        length = want;
    }

    byte get(long position, long limit) throws IOException {
        ensure(position, 1, limit);
        return buffer.get((int) (position - start));
    }

    int getInt(long position, long limit) throws IOException {
        ensure(position, 4, limit);
        return buffer.getInt((int) (position - start));
    }

    long getLong(long position, long limit) throws IOException {
        ensure(position, 8, limit);
        return buffer.getLong((int) (position - start));
    }

    /** A view of {@code n} bytes at {@code position}; valid until the window moves. */
    ByteBuffer slice(long position, int n, long limit) throws IOException {
        ensure(position, n, limit);
        int offset = (int) (position - start);
        return buffer.duplicate().position(offset).limit(offset + n).slice();
    }

    /** CRC32C of {@code [position, position + n)}, read through the window in blocks. */
    int crc32c(long position, long n, long limit) throws IOException {
        CRC32C crc = new CRC32C();
        long at = position;
        long left = n;
        while (left > 0) {
            int step = (int) Math.min(left, buffer.capacity());
            ensure(at, step, limit);
            int offset = (int) (at - start);
            crc.update(buffer.array(), offset, step);
            at += step;
            left -= step;
        }
        return (int) crc.getValue();
    }

    /** The first position in {@code [from, to)} holding a non-zero byte, or {@code to}. */
    long nextNonZero(long from, long to, long limit) throws IOException {
        long at = from;
        while (at < to) {
            int step = (int) Math.min(to - at, buffer.capacity());
            ensure(at, step, limit);
            int offset = (int) (at - start);
            byte[] a = buffer.array();
            for (int i = 0; i < step; i++) {
                if (a[offset + i] != 0) {
                    return at + i;
                }
            }
            at += step;
        }
        return to;
    }
}
