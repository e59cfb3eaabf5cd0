package io.paddock.protocol;

/** Op 12 (§5.6): like getChildren, and the reply adds the parent's Stat. */
public record GetChildren2Request(String path, boolean watch) implements JuteRecord {
    public static GetChildren2Request read(JuteInput in) {
        String path = in.readString();
        return new GetChildren2Request(path, in.readBool());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeString(path).writeBool(watch);
    }
}
