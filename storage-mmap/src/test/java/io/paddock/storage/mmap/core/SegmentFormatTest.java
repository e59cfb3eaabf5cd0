package io.paddock.storage.mmap.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class SegmentFormatTest {
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer scratch = ByteBuffer.allocate(SegmentFormat.RECORD_HEADER_BYTES);

    @Test
    void headerRoundTrips() {
        ByteBuffer segment = ByteBuffer.allocate(4096);
        SegmentHeader header = new SegmentHeader(0x1234_5678_9abcL, 0x1_0000_0007L, 0x1_0000_0008L);
        SegmentFormat.writeHeader(segment, header);
        assertEquals(header, SegmentFormat.readHeader(segment));
        assertEquals(0, segment.position());
    }

    @Test
    void headerWithOneFlippedBitIsRejected() {
        for (int bit = 0; bit < SegmentFormat.HEADER_BYTES * 8; bit += 7) {
            ByteBuffer segment = ByteBuffer.allocate(4096);
            SegmentFormat.writeHeader(segment, new SegmentHeader(42, 7, 8));
            segment.put(bit / 8, (byte) (segment.get(bit / 8) ^ (1 << (bit % 8))));
            assertNull(SegmentFormat.readHeader(segment), "bit " + bit);
        }
    }

    @Test
    void zeroFilledHeaderIsRejected() {
        assertNull(SegmentFormat.readHeader(ByteBuffer.allocate(4096)));
        assertNull(SegmentFormat.readHeader(ByteBuffer.allocate(10)));
    }

    @Test
    void recordRoundTripsPaddedToEightBytesWithoutMovingThePayload() {
        ByteBuffer segment = ByteBuffer.allocate(4096);
        ByteBuffer payload = ByteBuffer.wrap("hello, paddock".getBytes(StandardCharsets.UTF_8));
        int offset = SegmentFormat.HEADER_BYTES;
        SegmentFormat.writeRecord(segment, offset, 0x500000001L, 64, payload, scratch, crc);
        assertEquals(0, payload.position());
        int size = SegmentFormat.probe(segment, offset, segment.capacity(), crc);
        assertEquals(SegmentFormat.recordBytes(payload.remaining()), size);
        assertEquals(0, size % SegmentFormat.ALIGNMENT);
        assertEquals(0x500000001L, SegmentFormat.zxidAt(segment, offset));
        assertEquals(64, SegmentFormat.syncedEndAt(segment, offset));
        ByteBuffer read = SegmentFormat.payloadAt(segment, offset);
        assertTrue(read.isReadOnly());
        byte[] bytes = new byte[read.remaining()];
        read.get(bytes);
        assertArrayEquals(payload.array(), bytes);
        assertEquals(SegmentFormat.END, SegmentFormat.probe(segment, offset + size, segment.capacity(), crc));
    }

    @Test
    void emptyPayloadIsAValidRecordNotAnEndMarker() {
        ByteBuffer segment = ByteBuffer.allocate(4096);
        SegmentFormat.writeRecord(segment, 64, 1, 64, ByteBuffer.allocate(0), scratch, crc);
        assertEquals(SegmentFormat.RECORD_HEADER_BYTES, SegmentFormat.probe(segment, 64, 4096, crc));
        assertEquals(0, SegmentFormat.payloadAt(segment, 64).remaining());
    }

    @Test
    void everyFlippedBitOfARecordIsCaught() {
        ByteBuffer pristine = ByteBuffer.allocate(256);
        SegmentFormat.writeRecord(pristine, 64, 77, 64, ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}), scratch, crc);
        int frameBytes = SegmentFormat.RECORD_HEADER_BYTES + 5;
        for (int bit = 0; bit < frameBytes * 8; bit++) {
            ByteBuffer segment = ByteBuffer.allocate(256).put(pristine.duplicate().clear()).clear();
            int at = 64 + bit / 8;
            segment.put(at, (byte) (segment.get(at) ^ (1 << (bit % 8))));
            assertTrue(SegmentFormat.probe(segment, 64, 256, crc) <= 0, "bit " + bit);
        }
    }

    @Test
    void lengthBeyondTheSegmentIsBadLength() {
        ByteBuffer segment = ByteBuffer.allocate(256);
        segment.putInt(64, 1000);
        assertEquals(SegmentFormat.BAD_LENGTH, SegmentFormat.probe(segment, 64, 256, crc));
        segment.putInt(64, 5);
        assertEquals(SegmentFormat.BAD_LENGTH, SegmentFormat.probe(segment, 64, 256, crc));
        assertEquals(SegmentFormat.END, SegmentFormat.probe(segment, 248, 256, crc));
        segment.putInt(248, 7);
        assertEquals(SegmentFormat.BAD_LENGTH, SegmentFormat.probe(segment, 248, 256, crc));
    }

    @Test
    void aWatermarkAheadOfItsOwnRecordIsBadFields() {
        ByteBuffer segment = ByteBuffer.allocate(256);
        SegmentFormat.writeRecord(segment, 64, 1, 128, ByteBuffer.allocate(3), scratch, crc);
        assertEquals(SegmentFormat.BAD_FIELDS, SegmentFormat.probe(segment, 64, 256, crc));
    }

    @Test
    void payloadsLargerThanASegmentAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> SegmentFormat.recordBytes(-1));
        assertThrows(IllegalArgumentException.class,
                () -> SegmentFormat.recordBytes(SegmentFormat.PAYLOAD_BYTES_MAX + 1));
        assertEquals(SegmentFormat.SEGMENT_BYTES_MAX - SegmentFormat.HEADER_BYTES,
                SegmentFormat.recordBytes(SegmentFormat.PAYLOAD_BYTES_MAX));
    }
}
