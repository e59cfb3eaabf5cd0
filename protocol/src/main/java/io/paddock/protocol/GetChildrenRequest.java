package io.paddock.protocol;

/** Op 8, also a multiRead sub-op (§5.6). */
public record GetChildrenRequest(String path, boolean watch) implements JuteRecord {
    public static GetChildrenRequest read(JuteInput in) {
        String path = in.readString();
        return new GetChildrenRequest(path, in.readBool());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeString(path).writeBool(watch);
    }
}
