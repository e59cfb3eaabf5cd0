package io.paddock.protocol;

/** Op 106 (§5.8); {@code mode} 0 is PERSISTENT, 1 PERSISTENT_RECURSIVE (see {@link WatcherType}). */
public record AddWatchRequest(String path, int mode) implements JuteRecord {
    public static AddWatchRequest read(JuteInput in) {
        String path = in.readString();
        return new AddWatchRequest(path, in.readInt());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeString(path).writeInt(mode);
    }
}
