package io.paddock.protocol;

/** WatcherType values in checkWatches/removeWatches, and AddWatch modes (WIRE-PROTOCOL.md §7.3). */
public final class WatcherType {
    public static final int CHILDREN = 1;
    public static final int DATA = 2;
    public static final int ANY = 3;
    public static final int PERSISTENT = 4;
    public static final int PERSISTENT_RECURSIVE = 5;

    public static final int ADD_WATCH_MODE_PERSISTENT = 0;
    public static final int ADD_WATCH_MODE_PERSISTENT_RECURSIVE = 1;

    private WatcherType() {}
}
