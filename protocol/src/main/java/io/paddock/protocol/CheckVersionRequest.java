package io.paddock.protocol;

/** Op 13, valid only inside multi (§5.5); {@code version} -1 matches any. */
public record CheckVersionRequest(String path, int version) implements JuteRecord {
    public static CheckVersionRequest read(JuteInput in) {
        String path = in.readString();
        return new CheckVersionRequest(path, in.readInt());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeString(path).writeInt(version);
    }
}
