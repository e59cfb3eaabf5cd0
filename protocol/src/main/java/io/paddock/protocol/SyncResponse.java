package io.paddock.protocol;

/** Op 9 response: echoes the request's path. */
public record SyncResponse(String path) implements JuteRecord {
    public static SyncResponse read(JuteInput in) {
        return new SyncResponse(in.readString());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeString(path);
    }
}
