package io.paddock.protocol;

/** Op 18 (§5.8); {@code type} is a {@link WatcherType} value. */
public record RemoveWatchesRequest(String path, int type) implements JuteRecord {
    public static RemoveWatchesRequest read(JuteInput in) {
        String path = in.readString();
        return new RemoveWatchesRequest(path, in.readInt());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeString(path).writeInt(type);
    }
}
