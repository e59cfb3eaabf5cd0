package io.paddock.server.watch;

/** How a watch behaves when it fires. */
public enum WatchMode {
    /** One-shot: removed when it fires. */
    STANDARD,
    /** Fires for the node itself (data and children), never removed by firing. */
    PERSISTENT,
    /** Fires for the node and every descendant (data events only), never removed by firing. */
    PERSISTENT_RECURSIVE
}
