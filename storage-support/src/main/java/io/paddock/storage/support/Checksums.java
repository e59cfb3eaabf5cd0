package io.paddock.storage.support;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/** CRC32C (Castagnoli; hardware-assisted on x86-64 and aarch64) as the storage formats use it. */
public final class Checksums {
    private Checksums() {}

    /** CRC32C of the remaining bytes of {@code buffer}; its position is not moved. */
    public static int crc32c(ByteBuffer buffer) {
        CRC32C crc = new CRC32C();
        crc.update(buffer.duplicate());
        return (int) crc.getValue();
    }

    public static int crc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    /**
     * The checksum of a log record: CRC32C over the zxid (8 bytes, big-endian) followed by the remaining bytes of
     * {@code payload}, whose position is not moved.
     */
    public static int record(long zxid, ByteBuffer payload) {
        CRC32C crc = new CRC32C();
        for (int shift = 56; shift >= 0; shift -= 8) {
            crc.update((int) (zxid >>> shift));
        }
        crc.update(payload.duplicate());
        return (int) crc.getValue();
    }
}
