package io.paddock.protocol;

/** Op 104 (§5.6): counts every descendant, not only direct children. */
public record GetAllChildrenNumberRequest(String path) implements JuteRecord {
    public static GetAllChildrenNumberRequest read(JuteInput in) {
        return new GetAllChildrenNumberRequest(in.readString());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeString(path);
    }
}
