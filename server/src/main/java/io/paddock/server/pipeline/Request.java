package io.paddock.server.pipeline;

import java.nio.ByteBuffer;

/**
 * One client request on its way through the server. A write-class request (writes, sync, createSession,
 * closeSession) is completed by the prepare or apply stage; a read is executed when every earlier request of its
 * session has completed.
 */
public final class Request {
    /** What to do with the connection once the reply is sent. */
    public enum After { NOTHING, CLOSE }

    public final ClientConnection cnxn;
    public final long sessionId;
    public final int xid;
    public final int op;
    /** The decoded request record, or null for ops without one. */
    public final Object record;
    public final boolean writeClass;
    public final long receivedNanos;
    /** Identities of the session when the request arrived, as ACL checks must see them. */
    public final java.util.List<io.paddock.api.Id> authIds;

    ByteBuffer reply;
    /** A write-class request whose reply is built when it reaches the head of its session's queue (sync). */
    boolean answerAtHead;
    /** Whatever prepare decided that apply needs to build the reply (e.g. a multi's sub-op types). */
    public Object prepared;
    After after = After.NOTHING;
    /** Sent by a learner ({@link #forwarded}): failures become error txns, nothing is answered locally. */
    private boolean fromLearner;
    /** A forwarded request already known to fail (undecodable body, op that cannot be forwarded): its code. */
    private int rejectedWith;

    public Request(ClientConnection cnxn, long sessionId, int xid, int op, Object record, boolean writeClass,
            long receivedNanos, java.util.List<io.paddock.api.Id> authIds) {
        this.cnxn = cnxn;
        this.sessionId = sessionId;
        this.xid = xid;
        this.op = op;
        this.record = record;
        this.writeClass = writeClass;
        this.receivedNanos = receivedNanos;
        this.authIds = authIds;
    }

    /** A request the server makes itself (session expiry, container reaping): there is no one to reply to. */
    public static Request internal(long sessionId, int op, Object record) {
        return new Request(null, sessionId, 0, op, record, true, 0, java.util.List.of(io.paddock.api.Id.SUPER));
    }

    /**
     * A write a learner forwarded to this leader ({@code ForwardedRequest}): no local connection; the learner that
     * holds the session answers it when it applies the txn.
     */
    public static Request forwarded(long sessionId, int xid, int op, Object record,
            java.util.List<io.paddock.api.Id> authIds) {
        Request r = new Request(null, sessionId, xid, op, record, true, 0, authIds);
        r.fromLearner = true;
        return r;
    }

    /** A forwarded request that must fail with {@code err} (it reaches the learner as an error txn). */
    public static Request forwardedRejected(long sessionId, int xid, int op, int err) {
        Request r = forwarded(sessionId, xid, op, null, java.util.List.of());
        r.rejectedWith = err;
        return r;
    }

    public boolean isForwarded() {
        return fromLearner;
    }

    public int rejectedWith() {
        return rejectedWith;
    }

    /** Made by the server itself (expiry, reaping): no connection and not forwarded. */
    public boolean isInternal() {
        return cnxn == null && !fromLearner;
    }

    public void closeAfterReply() {
        after = After.CLOSE;
    }
}
