package io.paddock.protocol;

import static io.paddock.protocol.Samples.encode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MultiTest {
    @Test
    void writeOnlyMultiIsAllWritesAndNotAllReads() {
        MultiRequest multi = Samples.multiOfWrites();

        assertTrue(multi.allWrites());
        assertFalse(multi.allReads());
    }

    @Test
    void readOnlyMultiIsAllReadsAndNotAllWrites() {
        MultiRequest multi = Samples.multiOfReads();

        assertTrue(multi.allReads());
        assertFalse(multi.allWrites());
    }

    @Test
    void mixedMultiIsNeitherSoTheServerCanRejectIt() {
        List<MultiOp> ops = new ArrayList<>(Samples.multiOfWrites().ops());
        ops.addAll(Samples.multiOfReads().ops());
        MultiRequest decoded = MultiRequest.read(JuteInput.of(encode(new MultiRequest(ops))));

        assertFalse(decoded.allWrites());
        assertFalse(decoded.allReads());
    }

    @Test
    void emptyMultiIsTheTerminatorAloneAndCountsAsEitherKind() {
        MultiRequest empty = MultiRequest.read(JuteInput.of(encode(MultiHeader.TERMINATOR)));

        assertTrue(empty.ops().isEmpty());
        assertTrue(empty.allWrites());
        assertTrue(empty.allReads());
    }

    @Test
    void readStopsAtTheFirstDoneHeaderWhateverItsTypeAndLeavesTheRest() {
        byte[] bytes = JuteOutput.plain().write(new MultiHeader(OpCode.DELETE, false, -1))
                .write(new DeleteRequest("/a", 3)).write(new MultiHeader(0, true, 0)).writeInt(42).toByteArray();
        JuteInput in = JuteInput.of(bytes);

        MultiRequest multi = MultiRequest.read(in);

        assertEquals(1, multi.ops().size());
        assertEquals(new DeleteRequest("/a", 3), multi.ops().get(0).request());
        assertEquals(4, in.remaining());
    }

    @Test
    void createContainerAndCreate2SubOpsKeepTheirOpcodeThroughARoundTrip() {
        MultiRequest decoded = MultiRequest.read(JuteInput.of(encode(Samples.multiOfWrites())));

        assertEquals(List.of(OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_CONTAINER, OpCode.CREATE_TTL,
                OpCode.DELETE, OpCode.SET_DATA, OpCode.CHECK), decoded.ops().stream().map(MultiOp::type).toList());
    }

    @Test
    void subOpPathComesFromItsRecord() {
        assertEquals(List.of("/m", "/m/s-", "/c", "/t", "/old", "/m", "/m"),
                Samples.multiOfWrites().ops().stream().map(MultiOp::path).toList());
        assertEquals(List.of("/m", "/"), Samples.multiOfReads().ops().stream().map(MultiOp::path).toList());
    }

    @Test
    void subOpWithARecordOfTheWrongKindIsRejectedAtConstruction() {
        assertThrows(IllegalArgumentException.class,
                () -> new MultiOp(OpCode.DELETE, new CreateRequest("/a", null, null, 0)));
        assertThrows(IllegalArgumentException.class,
                () -> new MultiOp(OpCode.CREATE_TTL, new CreateRequest("/a", null, null, 0)));
        assertThrows(IllegalArgumentException.class, () -> new MultiOp(OpCode.EXISTS, new ExistsRequest("/a", false)));
        assertThrows(NullPointerException.class, () -> new MultiOp(OpCode.DELETE, null));
    }

    @Test
    void resultWithABodyOfTheWrongKindIsRejectedAtConstruction() {
        assertThrows(IllegalArgumentException.class, () -> new MultiResult(OpCode.CREATE, 0,
                new Create2Response("/a", Samples.STAT)));
        assertThrows(IllegalArgumentException.class, () -> new MultiResult(OpCode.DELETE, 0, new ErrorResponse(0)));
        assertThrows(IllegalArgumentException.class, () -> new MultiResult(OpCode.ERROR, -101, null));
        assertThrows(IllegalArgumentException.class, () -> new MultiResult(OpCode.EXISTS, 0, null));
    }

    @Test
    void errorResultCarriesTheCodeInHeaderAndBody() {
        MultiResult error = MultiResult.error(ErrorCode.BAD_VERSION);

        assertEquals(OpCode.ERROR, error.type());
        assertEquals(ErrorCode.BAD_VERSION, error.err());
        assertEquals(new ErrorResponse(ErrorCode.BAD_VERSION), error.body());
    }

    @Test
    void deleteAndCheckResultsHaveNoBody() {
        MultiResponse decoded = MultiResponse.read(JuteInput.of(encode(new MultiResponse(List.of(
                new MultiResult(OpCode.DELETE, 0, null), new MultiResult(OpCode.CHECK, 0, null))))));

        assertNull(decoded.results().get(0).body());
        assertNull(decoded.results().get(1).body());
        assertEquals(2 * MultiHeader.BYTES + MultiHeader.BYTES, encode(decoded).length);
    }
}
