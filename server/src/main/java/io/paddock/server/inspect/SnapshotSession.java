package io.paddock.server.inspect;

/**
 * A session as a snapshot lists it. The session password is in the snapshot but deliberately not here.
 *
 * @param id        the session id
 * @param timeoutMs the negotiated session timeout
 */
public record SnapshotSession(long id, int timeoutMs) {

    /** {@code session 0x1000000abc timeout=30000ms}. */
    public String toLine() {
        return "session " + Formats.hex(id) + " timeout=" + timeoutMs + "ms";
    }
}
