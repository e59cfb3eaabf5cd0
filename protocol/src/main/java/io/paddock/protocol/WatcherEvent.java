package io.paddock.protocol;

/**
 * The body of an xid -1 notification (§5.8): an {@link EventType} value, the state (always
 * {@link EventType#STATE_SYNC_CONNECTED} from a server) and the full path.
 */
public record WatcherEvent(int type, int state, String path) implements JuteRecord {
    public static WatcherEvent read(JuteInput in) {
        int type = in.readInt();
        int state = in.readInt();
        return new WatcherEvent(type, state, in.readString());
    }

    @Override
    public void write(JuteOutput out) {
        out.writeInt(type).writeInt(state).writeString(path);
    }
}
