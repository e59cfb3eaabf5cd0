package io.paddock.protocol;

/** A bare error code: the body of a failed multi result (§5.11) and of a successful addWatch (always 0). */
public record ErrorResponse(int err) implements JuteRecord {
    public static ErrorResponse read(JuteInput in) {
        return new ErrorResponse(in.readInt());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeInt(err);
    }
}
