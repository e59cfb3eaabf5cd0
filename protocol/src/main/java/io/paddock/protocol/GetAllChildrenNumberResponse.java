package io.paddock.protocol;

/** Op 104 response: the number of all descendants of the path. */
public record GetAllChildrenNumberResponse(int totalNumber) implements JuteRecord {
    public static GetAllChildrenNumberResponse read(JuteInput in) {
        return new GetAllChildrenNumberResponse(in.readInt());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeInt(totalNumber);
    }
}
