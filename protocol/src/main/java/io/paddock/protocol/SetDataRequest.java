package io.paddock.protocol;

/** Op 5 (§5.5); {@code version} -1 matches any. */
public record SetDataRequest(String path, byte[] data, int version) implements JuteRecord {
    public static SetDataRequest read(JuteInput in) {
        String path = in.readString();
        byte[] data = in.readBuffer();
        return new SetDataRequest(path, data, in.readInt());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeString(path).writeBuffer(data).writeInt(version);
    }
}
