package io.paddock.protocol;

import static io.paddock.protocol.Samples.encode;
import static io.paddock.protocol.Samples.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import io.paddock.protocol.Samples.Sample;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Input a hostile or broken client may send: every failure must be a MalformedRecordException, nothing else. */
class HostileInputTest {
    private static final long SEED = 0x5eedL;
    private static final int MUTATIONS_PER_SAMPLE = 300;

    static List<Sample> samples() {
        return Samples.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void everyTruncationOfARecordIsMalformed(Sample sample) {
        byte[] bytes = encode(sample.value());
        boolean optionalLastByte = sample.value() instanceof ConnectRequest r && r.hasReadOnly()
                || sample.value() instanceof ConnectResponse c && c.includeReadOnly();
        for (int len = 0; len < bytes.length; len++) {
            byte[] prefix = Arrays.copyOf(bytes, len);
            if (optionalLastByte && len == bytes.length - 1) {
                sample.reader().apply(JuteInput.of(prefix)); // a pre-3.4 peer: accepted without the byte
                continue;
            }
            int at = len;
            assertThrows(MalformedRecordException.class, () -> sample.reader().apply(JuteInput.of(prefix)),
                    () -> sample + " truncated to " + at + " of " + bytes.length + " bytes");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void randomlyCorruptedRecordsDecodeOrFailAsMalformed(Sample sample) {
        byte[] bytes = encode(sample.value());
        if (bytes.length == 0) {
            return;
        }
        long seed = SEED ^ sample.name().hashCode();
        Random random = new Random(seed);
        int[] nasty = {-1, -2, Integer.MIN_VALUE, Integer.MAX_VALUE, 0x00ffffff, 9, 0};
        for (int i = 0; i < MUTATIONS_PER_SAMPLE; i++) {
            byte[] mutated = bytes.clone();
            int at = random.nextInt(mutated.length);
            if (random.nextBoolean() && at + 4 <= mutated.length) {
                int v = nasty[random.nextInt(nasty.length)];
                mutated[at] = (byte) (v >>> 24);
                mutated[at + 1] = (byte) (v >>> 16);
                mutated[at + 2] = (byte) (v >>> 8);
                mutated[at + 3] = (byte) v;
            } else {
                mutated[at] = (byte) random.nextInt(256);
            }
            try {
                sample.reader().apply(JuteInput.of(mutated));
            } catch (MalformedRecordException expected) {
                // fine: rejected cleanly
            } catch (Throwable t) {
                fail(sample + " mutation " + i + " with seed " + seed + " threw " + t, t);
            }
        }
    }

    @Test
    void stringLengthBeyondTheRemainingBytesIsMalformed() {
        byte[] bytes = hex("00 00 00 10 2F 61");
        assertMalformed(bytes, SyncRequest::read);
    }

    @Test
    void stringLengthBelowMinusOneIsMalformed() {
        assertMalformed(hex("FF FF FF FE"), SyncRequest::read);
        assertMalformed(hex("80 00 00 00"), SyncRequest::read);
    }

    @Test
    void bufferLengthBelowMinusOneIsMalformed() {
        assertMalformed(hex("FF FF FF FE 00 00"), GetSASLRequest::read);
    }

    @Test
    void hugeBufferLengthIsMalformedWithoutAllocating() {
        assertMalformed(hex("7F FF FF FF 00 00 00 00"), GetSASLRequest::read);
    }

    @Test
    void hugeVectorCountsAreMalformedWithoutAllocating() {
        assertMalformed(hex("7F FF FF FF 00 00 00 00"), GetChildrenResponse::read);
        assertMalformed(hex("00 00 00 02 2F 61 | 00 00 00 00 | 7F FF FF FF | 00 00 00 00"), CreateRequest::read);
        assertMalformed(hex("7F FF FF FF 00 00 00 00"), WhoAmIResponse::read);
        assertMalformed(hex("00 00 00 00 00 00 00 00 | 40 00 00 00"), SetWatches::read);
    }

    @Test
    void negativeVectorCountBelowMinusOneIsMalformed() {
        assertMalformed(hex("FF FF FF FE"), GetChildrenResponse::read);
        assertMalformed(hex("80 00 00 00"), GetEphemeralsResponse::read);
    }

    @Test
    void aclWithANullSchemeIsMalformed() {
        assertMalformed(hex("00 00 00 01 | 00 00 00 1F | FF FF FF FF | 00 00 00 00 | 00 00 00 00"),
                GetACLResponse::read);
    }

    @Test
    void multiWithAnUnknownSubOpTypeIsMalformed() {
        for (int type : new int[] {OpCode.EXISTS, OpCode.MULTI, OpCode.SYNC, 99, -1, 0}) {
            byte[] bytes = concat(encode(new MultiHeader(type, false, -1)), encode(new SyncRequest("/a")),
                    encode(MultiHeader.TERMINATOR));
            assertMalformed(bytes, MultiRequest::read);
        }
    }

    @Test
    void multiWithoutATerminatorIsMalformed() {
        byte[] full = encode(Samples.multiOfWrites());
        byte[] noTerminator = Arrays.copyOf(full, full.length - MultiHeader.BYTES);

        assertMalformed(noTerminator, MultiRequest::read);
        assertMalformed(new byte[0], MultiRequest::read);
        assertMalformed(Arrays.copyOf(full, full.length - 1), MultiRequest::read);
    }

    @Test
    void multiOfManyDeletesIsBoundedByItsBytes() {
        // 20,000 tiny ops in a frame under jute.maxbuffer: decoded, and the op count follows the byte count
        int ops = 20_000;
        JuteOutput out = JuteOutput.plain();
        for (int i = 0; i < ops; i++) {
            new MultiHeader(OpCode.DELETE, false, -1).write(out);
            new DeleteRequest("/", -1).write(out);
        }
        MultiHeader.TERMINATOR.write(out);
        byte[] bytes = out.toByteArray();

        assertEquals(ops, MultiRequest.read(JuteInput.of(bytes)).ops().size());
        assertMalformed(Arrays.copyOf(bytes, bytes.length - MultiHeader.BYTES), MultiRequest::read);
    }

    @Test
    void multiResponseWithAnUnknownResultTypeIsMalformed() {
        byte[] bytes = concat(encode(new MultiHeader(OpCode.EXISTS, false, 0)), encode(new SetDataResponse(
                Samples.STAT)), encode(MultiHeader.TERMINATOR));
        assertMalformed(bytes, MultiResponse::read);
    }

    @Test
    void multiResponseWithoutATerminatorIsMalformed() {
        byte[] full = encode(Samples.multiResponseSuccess());
        assertMalformed(Arrays.copyOf(full, full.length - MultiHeader.BYTES), MultiResponse::read);
    }

    @Test
    void truncatedStatIsMalformed() {
        assertMalformed(new byte[67], SetDataResponse::read);
    }

    private static void assertMalformed(byte[] bytes, Function<JuteInput, ?> reader) {
        assertThrows(MalformedRecordException.class, () -> reader.apply(JuteInput.of(bytes)));
    }

    private static byte[] concat(byte[]... parts) {
        JuteOutput out = JuteOutput.plain();
        for (byte[] p : parts) {
            out.writeRaw(p, 0, p.length);
        }
        return out.toByteArray();
    }
}
