package io.paddock.protocol;

import static io.paddock.protocol.Samples.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class JuteInputTest {
    @Test
    void minusOneLengthIsANullStringAndZeroIsEmpty() {
        JuteInput in = JuteInput.of(hex("FF FF FF FF 00 00 00 00"));

        assertNull(in.readString());
        assertEquals("", in.readString());
        assertFalse(in.hasRemaining());
    }

    @Test
    void minusOneLengthIsANullBufferAndZeroIsEmpty() {
        JuteInput in = JuteInput.of(hex("FF FF FF FF 00 00 00 00"));

        assertNull(in.readBuffer());
        assertArrayEquals(new byte[0], in.readBuffer());
    }

    @Test
    void anyNonZeroByteIsTrue() {
        JuteInput in = JuteInput.of(hex("00 01 02 FF"));

        assertFalse(in.readBool());
        assertTrue(in.readBool());
        assertTrue(in.readBool());
        assertTrue(in.readBool());
    }

    @Test
    void aFailedReadLeavesThePositionWhereItWas() {
        JuteInput in = JuteInput.of(hex("00 00 01"));

        assertThrows(MalformedRecordException.class, in::readInt);
        assertEquals(3, in.remaining());
        assertThrows(MalformedRecordException.class, in::readLong);
        assertThrows(MalformedRecordException.class, in::readStat);
    }

    @Test
    void readingPastTheEndIsMalformed() {
        JuteInput in = JuteInput.of(new byte[0]);

        assertThrows(MalformedRecordException.class, in::readByte);
        assertThrows(MalformedRecordException.class, in::readBool);
        assertThrows(MalformedRecordException.class, in::readString);
        assertThrows(MalformedRecordException.class, in::readBuffer);
    }

    @Test
    void stringsDecodeFromADirectBuffer() {
        ByteBuffer direct = ByteBuffer.allocateDirect(16);
        direct.put(hex("00 00 00 05 68 C3 A9 6C 6C")).flip();

        assertEquals("h\u00e9ll", new JuteInput(direct).readString());
    }

    @Test
    void stringsDecodeFromASliceWithAnArrayOffset() {
        byte[] backing = hex("AA BB CC | 00 00 00 02 2F 61 | DD");
        ByteBuffer slice = ByteBuffer.wrap(backing, 3, 6).slice();
        JuteInput in = new JuteInput(slice);

        assertEquals("/a", in.readString());
        assertFalse(in.hasRemaining());
    }

    @Test
    void bufferReadIsACopyNotAView() {
        byte[] bytes = hex("00 00 00 02 01 02");
        byte[] read = JuteInput.of(bytes).readBuffer();
        bytes[4] = 9;

        assertArrayEquals(new byte[] {1, 2}, read);
    }

    @Test
    void fourByteUtf8AndSurrogateTripletsDecodeToTheSameCharacter() {
        String grin = "\uD83D\uDE00";

        assertEquals(grin, JuteInput.of(hex("00 00 00 04 F0 9F 98 80")).readString(), "C and Python clients");
        assertEquals(grin, JuteInput.of(hex("00 00 00 06 ED A0 BD ED B8 80")).readString(), "Java clients");
    }

    @Test
    void loneSurrogatesSurviveAReadAndWriteByteForByte() {
        byte[] bytes = hex("00 00 00 07 61 ED B8 80 62 ED A0");

        JuteInput in = JuteInput.of(bytes);
        String s = in.readString();

        assertEquals("a\uDE00b\uFFFD", s, "a truncated triplet is replaced like the JDK decoder does");
        assertArrayEquals(hex("00 00 00 05 61 ED B8 80 62"),
                JuteOutput.plain().writeString("a\uDE00b").toByteArray());
    }

    @Test
    void malformedUtf8BecomesReplacementCharactersNotAnException() {
        assertEquals("\uFFFDa", JuteInput.of(hex("00 00 00 02 C3 61")).readString());
    }

    @Test
    void vectorCountIsCheckedAgainstTheBytesLeftWithoutOverflow() {
        assertEquals(-1, JuteInput.of(hex("FF FF FF FF")).readVectorCount(12));
        assertEquals(0, JuteInput.of(hex("00 00 00 00")).readVectorCount(12));
        assertEquals(2, JuteInput.of(hex("00 00 00 02 00 00 00 00 00 00 00 00")).readVectorCount(4));
        assertThrows(MalformedRecordException.class,
                () -> JuteInput.of(hex("00 00 00 03 00 00 00 00 00 00 00 00")).readVectorCount(4));
        assertThrows(MalformedRecordException.class, () -> JuteInput.of(hex("7F FF FF FF")).readVectorCount(12));
        assertThrows(MalformedRecordException.class, () -> JuteInput.of(hex("FF FF FF FE")).readVectorCount(1));
    }

    @Test
    void stringListKeepsNullElements() {
        JuteInput in = JuteInput.of(hex("00 00 00 02 FF FF FF FF 00 00 00 01 78"));

        assertEquals(Arrays.asList(null, "x"), in.readStringList());
    }
}
