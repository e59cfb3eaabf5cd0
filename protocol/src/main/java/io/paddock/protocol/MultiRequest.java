package io.paddock.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The body of multi (14) and multiRead (22), jute's MultiOperationRecord (§5.10): (MultiHeader, record) pairs
 * closed by {@link MultiHeader#TERMINATOR}, with no count. An empty list (terminator only) is legal. Mixing reads
 * and writes decodes fine here; the server rejects it with -5 using {@link #allWrites()} / {@link #allReads()}.
 */
public record MultiRequest(List<MultiOp> ops) implements JuteRecord {
    public MultiRequest {
        Objects.requireNonNull(ops, "ops");
    }

    /**
     * Reads up to and including the first header with {@code done} set. Every entry takes at least a 9-byte header,
     * so the op count is bounded by the bytes left; a frame without a terminator runs out of bytes and fails.
     */
    public static MultiRequest read(JuteInput in) {
        int opsMax = in.remaining() / MultiHeader.BYTES;
        List<MultiOp> ops = new ArrayList<>();
        MultiHeader header = MultiHeader.read(in);
        while (!header.done()) {
            if (ops.size() >= opsMax) {
                throw new MalformedRecordException("multi holds more ops than its " + opsMax * MultiHeader.BYTES
                        + " bytes allow");
            }
            ops.add(MultiOp.read(header.type(), in));
            header = MultiHeader.read(in);
        }
        return new MultiRequest(ops);
    }

    @Override
    public void write(JuteOutput out) {
        for (MultiOp op : ops) {
            new MultiHeader(op.type(), false, -1).write(out);
            op.request().write(out);
        }
        MultiHeader.TERMINATOR.write(out);
    }

    /** True when every op is a write (vacuously true for no ops): the only shape op 14 accepts. */
    public boolean allWrites() {
        for (MultiOp op : ops) {
            if (!op.isWrite()) {
                return false;
            }
        }
        return true;
    }

    /** True when every op is getData or getChildren (vacuously true for no ops): the only shape op 22 accepts. */
    public boolean allReads() {
        for (MultiOp op : ops) {
            if (!op.isRead()) {
                return false;
            }
        }
        return true;
    }
}
