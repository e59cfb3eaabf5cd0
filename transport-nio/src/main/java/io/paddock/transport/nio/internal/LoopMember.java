package io.paddock.transport.nio.internal;

import java.nio.channels.SelectionKey;

/** Something registered with an {@link IoLoop}: a listener or a connection. Every method runs on the loop thread. */
interface LoopMember {

    /** The key selected with some ready operations. */
    void ready(SelectionKey key);

    /** Periodic check (timeouts); {@code nowNanos} comes from the transport's injected ticker. */
    void tick(long nowNanos);

    /** {@link #ready} or a task of this member threw; the member should close itself. */
    void failed(Throwable cause);

    /** The loop is stopping: close. */
    void shutdown();
}
