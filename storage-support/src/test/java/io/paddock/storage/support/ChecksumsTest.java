package io.paddock.storage.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ChecksumsTest {

    @Test
    void crc32cMatchesTheStandardCheckValue() {
        byte[] digits = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0xE3069283, Checksums.crc32c(digits, 0, digits.length));
        assertEquals(0xE3069283, Checksums.crc32c(ByteBuffer.wrap(digits)));
    }

    @Test
    void crc32cOfABufferLeavesItsPositionAlone() {
        ByteBuffer b = ByteBuffer.wrap(new byte[] {9, 1, 2, 3}).position(1);
        int crc = Checksums.crc32c(b);
        assertEquals(1, b.position());
        assertEquals(Checksums.crc32c(new byte[] {1, 2, 3}, 0, 3), crc);
    }

    @Test
    void recordChecksumCoversTheBigEndianZxidThenThePayload() {
        ByteBuffer payload = ByteBuffer.wrap(new byte[] {7, 8, 9});
        ByteBuffer both = ByteBuffer.allocate(11).putLong(0x100000002L).put(new byte[] {7, 8, 9}).flip();
        assertEquals(Checksums.crc32c(both), Checksums.record(0x100000002L, payload));
        assertEquals(0, payload.position());
    }
}
