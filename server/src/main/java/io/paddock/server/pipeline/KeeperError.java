package io.paddock.server.pipeline;

/** A request failed with a ZooKeeper error code; cheap to throw (no stack trace). */
public final class KeeperError extends Exception {
    private static final long serialVersionUID = 1L;
    private final int code;

    public KeeperError(int code) {
        super(null, null, false, false);
        this.code = code;
    }

    public int code() {
        return code;
    }

    @Override
    public String getMessage() {
        return "error " + code;
    }
}
