package io.paddock.server.session;

/**
 * A client session. Created and removed by applied txns; its deadline is renewed by every packet its connection
 * receives. {@code owner} is the connection currently bound to it (one at a time).
 */
public final class Session {
    private final long id;
    private final byte[] password;
    private volatile int timeoutMs;
    private volatile long deadlineMs;
    private volatile boolean closing;
    private volatile Object owner;

    Session(long id, byte[] password, int timeoutMs) {
        this.id = id;
        this.password = password.clone();
        this.timeoutMs = timeoutMs;
    }

    public long id() {
        return id;
    }

    public byte[] password() {
        return password.clone();
    }

    public int timeoutMs() {
        return timeoutMs;
    }

    void timeoutMs(int value) {
        timeoutMs = value;
    }

    public long deadlineMs() {
        return deadlineMs;
    }

    void deadlineMs(long value) {
        deadlineMs = value;
    }

    /** Set when a close was requested or the session expired; every later request gets SESSIONEXPIRED. */
    public boolean isClosing() {
        return closing;
    }

    public void markClosing() {
        closing = true;
    }

    public Object owner() {
        return owner;
    }

    public void owner(Object connection) {
        owner = connection;
    }
}
