package io.paddock.protocol;

/** Op 6 (§5.7). */
public record GetACLRequest(String path) implements JuteRecord {
    public static GetACLRequest read(JuteInput in) {
        return new GetACLRequest(in.readString());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeString(path);
    }
}
