package io.paddock.protocol;

/** Op 2 (§5.5); {@code version} -1 matches any. */
public record DeleteRequest(String path, int version) implements JuteRecord {
    public static DeleteRequest read(JuteInput in) {
        String path = in.readString();
        return new DeleteRequest(path, in.readInt());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeString(path).writeInt(version);
    }
}
