package io.paddock.protocol;

import static io.paddock.protocol.Samples.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class JuteOutputTest {
    @Test
    void nullStringBufferAndVectorsAreWrittenAsMinusOne() {
        byte[] bytes = JuteOutput.plain().writeString(null).writeBuffer(null).writeStringList(null)
                .writeAclList(null).toByteArray();

        assertArrayEquals(hex("FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF"), bytes);
    }

    @Test
    void supplementaryCharacterIsWrittenAsTwoThreeByteSurrogates() {
        byte[] bytes = JuteOutput.plain().writeString("\uD83D\uDE00").toByteArray();

        assertArrayEquals(hex("00 00 00 06 ED A0 BD ED B8 80"), bytes);
    }

    @Test
    void charsAreEncodedInOneTwoOrThreeBytesByRange() {
        assertArrayEquals(hex("00 00 00 01 00"), JuteOutput.plain().writeString("\u0000").toByteArray());
        assertArrayEquals(hex("00 00 00 01 7F"), JuteOutput.plain().writeString("\u007f").toByteArray());
        assertArrayEquals(hex("00 00 00 02 C2 80"), JuteOutput.plain().writeString("\u0080").toByteArray());
        assertArrayEquals(hex("00 00 00 02 DF BF"), JuteOutput.plain().writeString("\u07ff").toByteArray());
        assertArrayEquals(hex("00 00 00 03 E0 A0 80"), JuteOutput.plain().writeString("\u0800").toByteArray());
        assertArrayEquals(hex("00 00 00 03 EF BF BF"), JuteOutput.plain().writeString("\uffff").toByteArray());
    }

    @Test
    void integersAreBigEndianTwosComplement() {
        byte[] bytes = JuteOutput.plain().writeInt(-2).writeLong(0x0102030405060708L).writeBool(true)
                .writeByte((byte) 0x80).toByteArray();

        assertArrayEquals(hex("FF FF FF FE 01 02 03 04 05 06 07 08 01 80"), bytes);
    }

    @Test
    void outputGrowsPastItsInitialCapacity() {
        byte[] big = new byte[100_000];
        Arrays.fill(big, (byte) 7);
        String longString = "x".repeat(50_000);

        JuteOutput out = JuteOutput.plain().writeBuffer(big).writeString(longString);

        assertEquals(4 + big.length + 4 + longString.length(), out.size());
        JuteInput in = JuteInput.of(out.toByteArray());
        assertArrayEquals(big, in.readBuffer());
        assertEquals(longString, in.readString());
    }

    @Test
    void frameOutputFillsTheLengthPrefixAndKeepsItOutOfSizeAndBytes() {
        JuteOutput out = JuteOutput.forFrame(2).writeInt(1).writeInt(2);

        ByteBuffer frame = out.toFrame();

        assertEquals(8, out.size());
        assertArrayEquals(hex("00 00 00 01 00 00 00 02"), out.toByteArray());
        byte[] all = new byte[frame.remaining()];
        frame.get(all);
        assertArrayEquals(hex("00 00 00 08 00 00 00 01 00 00 00 02"), all);
    }

    @Test
    void emptyFrameHasLengthZero() {
        ByteBuffer frame = JuteOutput.forFrame().toFrame();

        assertEquals(4, frame.remaining());
        assertEquals(0, frame.getInt());
    }

    @Test
    void plainOutputCannotBecomeAFrame() {
        assertThrows(IllegalStateException.class, () -> JuteOutput.plain().toFrame());
    }

    @Test
    void rawBytesAreSplicedWithoutAPrefix() {
        byte[] bytes = JuteOutput.plain().writeRaw(hex("AA BB CC DD"), 1, 2).toByteArray();

        assertArrayEquals(hex("BB CC"), bytes);
    }
}
