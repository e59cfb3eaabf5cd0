package io.paddock.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The body of a multi (14) or multiRead (22) reply (§5.11): per result a MultiHeader {type, false, err} and its
 * record, then {@link MultiHeader#TERMINATOR}. A failed multi still has ReplyHeader.err 0; the failure is inside.
 */
public record MultiResponse(List<MultiResult> results) implements JuteRecord {
    public MultiResponse {
        Objects.requireNonNull(results, "results");
    }

    /** Reads up to and including the header with {@code done} set; bounded by the bytes left like the request. */
    public static MultiResponse read(JuteInput in) {
        int resultsMax = in.remaining() / MultiHeader.BYTES;
        List<MultiResult> results = new ArrayList<>();
        MultiHeader header = MultiHeader.read(in);
        while (!header.done()) {
            if (results.size() >= resultsMax) {
                throw new MalformedRecordException("multi response holds more results than its "
                        + resultsMax * MultiHeader.BYTES + " bytes allow");
            }
            results.add(MultiResult.read(header, in));
            header = MultiHeader.read(in);
        }
        return new MultiResponse(results);
    }

    @Override
    public void write(JuteOutput out) {
        for (MultiResult result : results) {
            result.write(out);
        }
        MultiHeader.TERMINATOR.write(out);
    }
}
