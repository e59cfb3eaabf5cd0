package io.paddock.protocol;

/** The error codes a server may put in ReplyHeader.err or a multi result (WIRE-PROTOCOL.md §6); nothing else. */
public final class ErrorCode {
    public static final int OK = 0;
    public static final int RUNTIME_INCONSISTENCY = -2;
    public static final int DATA_INCONSISTENCY = -3;
    public static final int MARSHALLING_ERROR = -5;
    public static final int UNIMPLEMENTED = -6;
    public static final int BAD_ARGUMENTS = -8;
    public static final int NEW_CONFIG_NO_QUORUM = -13;
    public static final int RECONFIG_IN_PROGRESS = -14;
    public static final int NO_NODE = -101;
    public static final int NO_AUTH = -102;
    public static final int BAD_VERSION = -103;
    public static final int NO_CHILDREN_FOR_EPHEMERALS = -108;
    public static final int NODE_EXISTS = -110;
    public static final int NOT_EMPTY = -111;
    public static final int SESSION_EXPIRED = -112;
    public static final int INVALID_ACL = -114;
    public static final int AUTH_FAILED = -115;
    public static final int SESSION_MOVED = -118;
    public static final int NOT_READONLY = -119;
    public static final int EPHEMERAL_ON_LOCAL_SESSION = -120;
    public static final int NO_WATCHER = -121;
    public static final int RECONFIG_DISABLED = -123;
    public static final int SESSION_CLOSED_REQUIRE_SASL_AUTH = -124;
    public static final int QUOTA_EXCEEDED = -125;
    public static final int THROTTLED_OP = -127;

    private ErrorCode() {}

    /** Whether {@code code} is one a server is allowed to send. */
    public static boolean isServerCode(int code) {
        switch (code) {
            case OK, RUNTIME_INCONSISTENCY, DATA_INCONSISTENCY, MARSHALLING_ERROR, UNIMPLEMENTED, BAD_ARGUMENTS,
                    NEW_CONFIG_NO_QUORUM, RECONFIG_IN_PROGRESS, NO_NODE, NO_AUTH, BAD_VERSION,
                    NO_CHILDREN_FOR_EPHEMERALS, NODE_EXISTS, NOT_EMPTY, SESSION_EXPIRED, INVALID_ACL, AUTH_FAILED,
                    SESSION_MOVED, NOT_READONLY, EPHEMERAL_ON_LOCAL_SESSION, NO_WATCHER, RECONFIG_DISABLED,
                    SESSION_CLOSED_REQUIRE_SASL_AUTH, QUOTA_EXCEEDED, THROTTLED_OP:
                return true;
            default:
                return false;
        }
    }
}
