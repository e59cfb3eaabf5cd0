package io.paddock.protocol;

import static io.paddock.protocol.Samples.assertDeepEquals;
import static io.paddock.protocol.Samples.encode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.protocol.Samples.Sample;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RecordRoundTripTest {
    static List<Sample> samples() {
        return Samples.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void everyRecordReadsBackWhatItWrote(Sample sample) {
        byte[] bytes = encode(sample.value());
        JuteInput in = JuteInput.of(bytes);

        JuteRecord decoded = sample.reader().apply(in);

        assertFalse(in.hasRemaining(), "read consumed every byte");
        assertDeepEquals(sample.value(), decoded);
        assertArrayEquals(bytes, encode(decoded));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void everyRecordIgnoresTrailingBytesAfterItself(Sample sample) {
        if (sample.value() instanceof ConnectRequest || sample.value() instanceof ConnectResponse) {
            return; // the optional readOnly byte makes a trailing byte meaningful; covered below
        }
        byte[] bytes = encode(sample.value());
        byte[] padded = Arrays.copyOf(bytes, bytes.length + 3);
        JuteInput in = JuteInput.of(padded);

        assertDeepEquals(sample.value(), sample.reader().apply(in));
        assertEquals(3, in.remaining());
    }

    @Test
    void connectRequestWithoutTheReadOnlyByteIsModernOnlyWhenTheByteIsThere() {
        ConnectRequest old = new ConnectRequest(0, 5, 30000, 0, new byte[16], false, false);
        byte[] bytes = encode(old);
        assertEquals(44, bytes.length);

        ConnectRequest modern = ConnectRequest.read(JuteInput.of(Arrays.copyOf(bytes, 45)));
        ConnectRequest modernTrue = ConnectRequest.read(JuteInput.of(append(bytes, (byte) 7)));

        assertFalse(ConnectRequest.read(JuteInput.of(bytes)).hasReadOnly());
        assertTrue(modern.hasReadOnly());
        assertFalse(modern.readOnly());
        assertTrue(modernTrue.readOnly(), "any non-zero byte is true");
    }

    @Test
    void connectResponseIsThirtySevenBytesWithTheReadOnlyByteAndThirtySixWithout() {
        assertEquals(37, encode(new ConnectResponse(0, 30000, 1, new byte[16], false, true)).length);
        assertEquals(36, encode(new ConnectResponse(0, 30000, 1, new byte[16], true, false)).length);
        ConnectResponse old = ConnectResponse.read(JuteInput.of(
                encode(new ConnectResponse(0, 30000, 1, new byte[16], false, false))));
        assertFalse(old.includeReadOnly());
    }

    @Test
    void supplementaryCharacterInAStringFieldSurvivesTheRoundTrip() {
        ClientInfo info = new ClientInfo("sasl", "user \uD83D\uDE00 \uD801\uDC37");

        ClientInfo back = ClientInfo.read(JuteInput.of(encode(info)));

        assertEquals(info.user(), back.user());
        assertEquals(info, back);
    }

    @Test
    void nullStringsBuffersAndVectorsStayNull() {
        CreateRequest back = CreateRequest.read(JuteInput.of(encode(new CreateRequest(null, null, null, 1))));

        assertNull(back.path());
        assertNull(back.data());
        assertNull(back.acl());
    }

    @Test
    void fixedSizeRecordsHaveTheSizesOfTheSpec() {
        assertEquals(8, encode(new RequestHeader(1, 1)).length);
        assertEquals(16, encode(new ReplyHeader(1, 1, 0)).length);
        assertEquals(MultiHeader.BYTES, encode(MultiHeader.TERMINATOR).length);
        assertEquals(68, encode(new SetDataResponse(Samples.STAT)).length);
        assertEquals(45, encode(new ConnectRequest(0, 0, 30000, 0, new byte[16], false, true)).length);
    }

    private static byte[] append(byte[] bytes, byte b) {
        byte[] out = Arrays.copyOf(bytes, bytes.length + 1);
        out[bytes.length] = b;
        return out;
    }
}
