package io.paddock.protocol;

/** WatcherEvent.type values the server sends, and the only state it sends (SyncConnected). */
public final class EventType {
    public static final int NODE_CREATED = 1;
    public static final int NODE_DELETED = 2;
    public static final int NODE_DATA_CHANGED = 3;
    public static final int NODE_CHILDREN_CHANGED = 4;

    /** KeeperState.SyncConnected: the only state a server puts in a WatcherEvent. */
    public static final int STATE_SYNC_CONNECTED = 3;

    private EventType() {}
}
