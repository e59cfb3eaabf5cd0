package io.paddock.protocol;

/** Op 9 (§5.6). */
public record SyncRequest(String path) implements JuteRecord {
    public static SyncRequest read(JuteInput in) {
        return new SyncRequest(in.readString());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeString(path);
    }
}
