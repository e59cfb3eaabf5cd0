package io.paddock.protocol;

/** Op 17 (§5.8); {@code type} is a {@link WatcherType} value. */
public record CheckWatchesRequest(String path, int type) implements JuteRecord {
    public static CheckWatchesRequest read(JuteInput in) {
        String path = in.readString();
        return new CheckWatchesRequest(path, in.readInt());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeString(path).writeInt(type);
    }
}
