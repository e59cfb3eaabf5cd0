package io.paddock.protocol;

import static io.paddock.protocol.Samples.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The byte-level examples of WIRE-PROTOCOL.md Appendix A, as whole frames (length prefix included). */
class WireExamplesTest {
    private static final String PASSWD_00_TO_0F = "00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F";
    private static final String ZEROS_16 = "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00";

    @Test
    void connectRequestForANewThirtySecondSessionIsFortyNineBytes() {
        byte[] expected = hex("00 00 00 2D | 00 00 00 00 | 00 00 00 00 00 00 00 00 | 00 00 75 30 |"
                + " 00 00 00 00 00 00 00 00 | 00 00 00 10 |" + ZEROS_16 + "| 00");

        byte[] frame = frame(new ConnectRequest(0, 0, 30000, 0, new byte[16], false, true));

        assertArrayEquals(expected, frame);
        ConnectRequest back = ConnectRequest.read(payload(expected));
        assertEquals(30000, back.timeOut());
        assertEquals(0, back.sessionId());
        assertEquals(16, back.passwd().length);
        assertTrue(back.hasReadOnly());
        assertFalse(back.readOnly());
    }

    @Test
    void connectResponseCarriesTimeoutSessionIdAndSixteenBytePassword() {
        byte[] expected = hex("00 00 00 25 | 00 00 00 00 | 00 00 75 30 | 01 00 00 0A 3B 2C 00 00 | 00 00 00 10 |"
                + PASSWD_00_TO_0F + "| 00");

        byte[] frame = frame(new ConnectResponse(0, 30000, 0x0100000A3B2C0000L, Samples.PASSWD, false, true));

        assertArrayEquals(expected, frame);
        assertEquals(41, frame.length, "the C client reads exactly 41 bytes");
        ConnectResponse back = ConnectResponse.read(payload(expected));
        assertEquals(0x0100000A3B2C0000L, back.sessionId());
        assertArrayEquals(Samples.PASSWD, back.passwd());
    }

    @Test
    void pingRequestIsAHeaderWithXidMinusTwoAndOpEleven() {
        byte[] expected = hex("00 00 00 08 | FF FF FF FE | 00 00 00 0B");

        assertArrayEquals(expected, frame(new RequestHeader(Xids.PING, OpCode.PING)));
        assertEquals(new RequestHeader(-2, 11), RequestHeader.read(payload(expected)));
    }

    @Test
    void pingReplyCarriesTheLastZxidAndNoBody() {
        byte[] expected = hex("00 00 00 10 | FF FF FF FE | 00 00 00 00 00 00 00 1A | 00 00 00 00");

        assertArrayEquals(expected, frame(new ReplyHeader(Xids.PING, 0x1A, ErrorCode.OK)));
        assertEquals(new ReplyHeader(-2, 0x1A, 0), ReplyHeader.read(payload(expected)));
    }

    @Test
    void getDataWithAWatchOnSlashA() {
        byte[] expected = hex("00 00 00 0F | 00 00 00 05 | 00 00 00 04 | 00 00 00 02 2F 61 | 01");

        assertArrayEquals(expected, frame(new RequestHeader(5, OpCode.GET_DATA), new GetDataRequest("/a", true)));
        JuteInput in = payload(expected);
        assertEquals(new RequestHeader(5, 4), RequestHeader.read(in));
        assertEquals(new GetDataRequest("/a", true), GetDataRequest.read(in));
        assertFalse(in.hasRemaining());
    }

    @Test
    void nodeDataChangedNotificationForSlashA() {
        byte[] expected = hex("00 00 00 1E | FF FF FF FF | 00 00 00 00 00 00 00 1B | 00 00 00 00 | 00 00 00 03 |"
                + " 00 00 00 03 | 00 00 00 02 2F 61");

        byte[] frame = frame(new ReplyHeader(Xids.NOTIFICATION, 0x1B, ErrorCode.OK),
                new WatcherEvent(EventType.NODE_DATA_CHANGED, EventType.STATE_SYNC_CONNECTED, "/a"));

        assertArrayEquals(expected, frame);
        JuteInput in = payload(expected);
        assertEquals(new ReplyHeader(-1, 0x1B, 0), ReplyHeader.read(in));
        assertEquals(new WatcherEvent(3, 3, "/a"), WatcherEvent.read(in));
    }

    @Test
    void closeSessionIsAHeaderWithOpMinusEleven() {
        byte[] expected = hex("00 00 00 08 | 00 00 00 07 | FF FF FF F5");

        assertArrayEquals(expected, frame(new RequestHeader(7, OpCode.CLOSE_SESSION)));
    }

    @Test
    void digestAuthPacketForUserPassword() {
        byte[] expected = hex("00 00 00 27 | FF FF FF FC | 00 00 00 64 | 00 00 00 00 | 00 00 00 06 "
                + ascii("digest") + " | 00 00 00 0D " + ascii("user:password"));

        byte[] frame = frame(new RequestHeader(Xids.AUTH, OpCode.AUTH),
                new AuthPacket(0, "digest", "user:password".getBytes(StandardCharsets.US_ASCII)));

        assertArrayEquals(expected, frame);
        JuteInput in = payload(expected);
        assertEquals(new RequestHeader(-4, 100), RequestHeader.read(in));
        AuthPacket auth = AuthPacket.read(in);
        assertEquals("digest", auth.scheme());
        assertEquals("user:password", new String(auth.auth(), StandardCharsets.US_ASCII));
    }

    @Test
    void addWatchSuccessBodyIsFourZeroBytes() {
        assertArrayEquals(hex("00 00 00 00"), Samples.encode(new ErrorResponse(0)));
    }

    @Test
    void multiTerminatorIsMinusOneTrueMinusOne() {
        assertArrayEquals(hex("FF FF FF FF | 01 | FF FF FF FF"), Samples.encode(new MultiRequest(List.of())));
    }

    private static byte[] frame(JuteRecord... records) {
        JuteOutput out = JuteOutput.forFrame();
        for (JuteRecord r : records) {
            out.write(r);
        }
        ByteBuffer frame = out.toFrame();
        byte[] bytes = new byte[frame.remaining()];
        frame.get(bytes);
        return bytes;
    }

    /** The payload of a frame, after checking the length prefix matches. */
    private static JuteInput payload(byte[] frame) {
        JuteInput in = JuteInput.of(frame);
        int length = in.readInt();
        assertEquals(frame.length - 4, length, "length prefix");
        return in;
    }

    private static String ascii(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.US_ASCII)) {
            sb.append(String.format("%02X ", b));
        }
        return sb.toString();
    }
}
