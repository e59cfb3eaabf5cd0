package io.paddock.server.watch;

import io.paddock.api.Acl;
import java.util.List;

/** Something that holds watches: a client connection. Watches die with it (WIRE-PROTOCOL.md §7.7). */
public interface Watcher {
    /** Queues a notification frame (shared between watchers: send a duplicate). Must not block. */
    void deliver(WatchEvent event);

    /** Whether this watcher's session may READ a node with this ACL (CVE-2024-23944: events are filtered). */
    boolean mayRead(List<Acl> acl);

    /** False once the connection is closed; its watches are then dropped. */
    boolean isAlive();
}
