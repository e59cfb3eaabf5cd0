package io.paddock.server.inspect;

import java.util.List;

/**
 * A session as a snapshot lists it. The session password is in the snapshot but deliberately not here.
 *
 * @param id         the session id
 * @param timeoutMs  the negotiated session timeout
 * @param ephemerals the session's ephemeral paths as they were before the walk began (format 2; empty in format 1).
 *                   The restore needs them to replay a closeSession the walk saw in part
 */
public record SnapshotSession(long id, int timeoutMs, List<String> ephemerals) {

    public SnapshotSession {
        ephemerals = List.copyOf(ephemerals);
    }

    /** A session that lists no ephemerals. */
    public SnapshotSession(long id, int timeoutMs) {
        this(id, timeoutMs, List.of());
    }

    /** {@code session 0x1000000abc timeout=30000ms}, then {@code ephemerals=2} when it lists any. */
    public String toLine() {
        return "session " + Formats.hex(id) + " timeout=" + timeoutMs + "ms"
                + (ephemerals.isEmpty() ? "" : " ephemerals=" + ephemerals.size());
    }
}
