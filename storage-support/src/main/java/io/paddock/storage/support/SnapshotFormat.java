package io.paddock.storage.support;

import io.paddock.api.storage.StorageCorruptException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * The snapshot file format (README "Snapshot file"): a 32-byte header, chunks of at most {@link #CHUNK_BYTES} raw
 * bytes each stored lz4-compressed (or raw when that is not smaller) behind a 12-byte chunk header, and a 32-byte
 * trailer that marks the file complete. All integers big-endian.
 */
final class SnapshotFormat {
    static final int MAGIC = 0x5044534E; // "PDSN"
    static final int VERSION = 1;
    static final int HEADER_BYTES = 32;
    static final int CHUNK_HEADER_BYTES = 12;
    static final int TRAILER_BYTES = 32;
    static final int TRAILER_MARK = -1;
    static final int CHUNK_BYTES = 64 * 1024;

    // the Java implementations: no JNI library unpacked into /tmp, and the same behaviour in a jlink image
    private static final LZ4Factory LZ4 = LZ4Factory.fastestJavaInstance();

    private SnapshotFormat() {}

    static LZ4Compressor compressor() {
        return LZ4.fastCompressor();
    }

    static LZ4SafeDecompressor decompressor() {
        return LZ4.safeDecompressor();
    }

    static int maxStoredBytes() {
        return LZ4.fastCompressor().maxCompressedLength(CHUNK_BYTES);
    }

    static ByteBuffer header(long dbId, long zxid) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES);
        b.putInt(MAGIC).putInt(VERSION).putLong(dbId).putLong(zxid).putInt(CHUNK_BYTES);
        b.putInt(Checksums.crc32c(b.array(), 0, 28));
        return b.flip();
    }

    static ByteBuffer trailer(long chunks, long rawBytes, long zxid) {
        ByteBuffer b = ByteBuffer.allocate(TRAILER_BYTES);
        b.putInt(TRAILER_MARK).putLong(chunks).putLong(rawBytes).putLong(zxid);
        b.putInt(Checksums.crc32c(b.array(), 0, 28));
        return b.flip();
    }

    /** Checks the header read from {@code file}; returns normally only for this format, database and zxid. */
    static void checkHeader(Path file, ByteBuffer h, long dbId, long zxid) throws StorageCorruptException {
        if (h.getInt(28) != Checksums.crc32c(h.array(), 0, 28)) {
            throw corrupt(file, 0, "header checksum mismatch");
        }
        if (h.getInt(0) != MAGIC) {
            throw corrupt(file, 0, "not a Paddock snapshot (magic " + Integer.toHexString(h.getInt(0)) + ")");
        }
        if (h.getInt(4) != VERSION) {
            throw corrupt(file, 4, "unknown format version " + h.getInt(4));
        }
        if (h.getLong(8) != dbId) {
            throw corrupt(file, 8, "belongs to database " + h.getLong(8) + ", expected " + dbId);
        }
        if (h.getLong(16) != zxid) {
            throw corrupt(file, 16, "header zxid 0x" + Long.toHexString(h.getLong(16)) + " does not match the name");
        }
        if (h.getInt(24) != CHUNK_BYTES) {
            throw corrupt(file, 24, "unsupported chunk size " + h.getInt(24));
        }
    }

    /** Checks a trailer read at {@code offset}; returns {@code [chunks, rawBytes]}. */
    static long[] checkTrailer(Path file, long offset, ByteBuffer t, long zxid) throws StorageCorruptException {
        if (t.getInt(0) != TRAILER_MARK || t.getInt(28) != Checksums.crc32c(t.array(), 0, 28)) {
            throw corrupt(file, offset, "bad trailer (incomplete snapshot)");
        }
        if (t.getLong(20) != zxid) {
            throw corrupt(file, offset + 20, "trailer zxid does not match the header");
        }
        return new long[] {t.getLong(4), t.getLong(12)};
    }

    /**
     * Reads and checks the chunk header at {@code offset}; returns it with position 0 and limit 12, or null when the
     * header is the trailer mark (then the 12 bytes are the start of the trailer).
     */
    static ByteBuffer readChunkHeader(FileHandle h, long offset, long size, ByteBuffer into) throws IOException {
        into.clear().limit(CHUNK_HEADER_BYTES);
        if (offset + CHUNK_HEADER_BYTES > size) {
            throw corrupt(h.path(), offset, "ends inside a chunk header (incomplete snapshot)");
        }
        h.readFully(into, offset);
        into.flip();
        int stored = into.getInt(0);
        if (stored == TRAILER_MARK) {
            return null;
        }
        int raw = into.getInt(4);
        if (raw < 1 || raw > CHUNK_BYTES || stored < 1 || stored > raw) {
            throw corrupt(h.path(), offset, "bad chunk lengths (stored " + stored + ", raw " + raw + ")");
        }
        if (offset + CHUNK_HEADER_BYTES + stored > size) {
            throw corrupt(h.path(), offset, "ends inside a chunk (incomplete snapshot)");
        }
        return into;
    }

    static void checkChunk(Path file, long offset, ByteBuffer header, byte[] stored, int storedLength)
            throws StorageCorruptException {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(header.array(), 0, 8);
        crc.update(stored, 0, storedLength);
        if ((int) crc.getValue() != header.getInt(8)) {
            throw corrupt(file, offset, "chunk checksum mismatch");
        }
    }

    /**
     * Reads the whole file and checks the header, every chunk's checksum and the trailer, without decompressing.
     *
     * @return the raw (uncompressed) size of the snapshot
     */
    static long verify(FileHandle h, long dbId, long zxid) throws IOException {
        long size = h.size();
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        if (size < HEADER_BYTES + TRAILER_BYTES) {
            throw corrupt(h.path(), 0, "too short (" + size + " bytes): incomplete snapshot");
        }
        h.readFully(header, 0);
        checkHeader(h.path(), header, dbId, zxid);
        ByteBuffer chunkHeader = ByteBuffer.allocate(CHUNK_HEADER_BYTES);
        byte[] stored = new byte[CHUNK_BYTES];
        long offset = HEADER_BYTES;
        long chunks = 0;
        long raw = 0;
        while (true) {
            ByteBuffer ch = readChunkHeader(h, offset, size, chunkHeader);
            if (ch == null) {
                break;
            }
            int storedLength = ch.getInt(0);
            h.readFully(ByteBuffer.wrap(stored, 0, storedLength), offset + CHUNK_HEADER_BYTES);
            checkChunk(h.path(), offset, ch, stored, storedLength);
            chunks++;
            raw += ch.getInt(4);
            offset += CHUNK_HEADER_BYTES + storedLength;
        }
        checkEnd(h, offset, size, zxid, chunks, raw);
        return raw;
    }

    /** Checks the trailer at {@code offset} against what was read, and that nothing follows it. */
    static void checkEnd(FileHandle h, long offset, long size, long zxid, long chunks, long raw) throws IOException {
        if (offset + TRAILER_BYTES != size) {
            throw corrupt(h.path(), offset, "trailer does not end the file (" + size + " bytes)");
        }
        ByteBuffer trailer = ByteBuffer.allocate(TRAILER_BYTES);
        h.readFully(trailer, offset);
        long[] totals = checkTrailer(h.path(), offset, trailer, zxid);
        if (totals[0] != chunks || totals[1] != raw) {
            throw corrupt(h.path(), offset, "trailer counts " + totals[0] + " chunks / " + totals[1]
                    + " bytes, the file holds " + chunks + " / " + raw);
        }
    }

    /** Header and trailer only: cheap, for listing. */
    static void checkEnds(FileHandle h, long dbId, long zxid) throws IOException {
        long size = h.size();
        if (size < HEADER_BYTES + TRAILER_BYTES) {
            throw corrupt(h.path(), 0, "too short (" + size + " bytes): incomplete snapshot");
        }
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        h.readFully(header, 0);
        checkHeader(h.path(), header, dbId, zxid);
        ByteBuffer trailer = ByteBuffer.allocate(TRAILER_BYTES);
        try {
            h.readFully(trailer, size - TRAILER_BYTES);
        } catch (EOFException e) {
            throw corrupt(h.path(), size - TRAILER_BYTES, "shrank while being read");
        }
        checkTrailer(h.path(), size - TRAILER_BYTES, trailer, zxid);
    }

    static StorageCorruptException corrupt(Path file, long offset, String what) {
        return new StorageCorruptException(file + " at offset " + offset + ": " + what);
    }
}
