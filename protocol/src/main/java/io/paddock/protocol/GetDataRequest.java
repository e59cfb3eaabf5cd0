package io.paddock.protocol;

/** Op 4, also a multiRead sub-op (§5.6). */
public record GetDataRequest(String path, boolean watch) implements JuteRecord {
    public static GetDataRequest read(JuteInput in) {
        String path = in.readString();
        return new GetDataRequest(path, in.readBool());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeString(path).writeBool(watch);
    }
}
