package io.paddock.api.replication;

import java.util.Objects;

/**
 * A client write travelling from the learner that holds the session to the leader, which prepares it.
 *
 * @param origin    the peer id of the learner holding the session
 * @param sessionId the session that sent it
 * @param cxid      the client's xid, echoed in the reply
 * @param opCode    the request opcode
 * @param body      the request record bytes as the client sent them (after the request header)
 * @param authIds   the session's identities as {@code scheme:id} strings, needed for ACL checks on the leader
 */
public record ForwardedRequest(long origin, long sessionId, int cxid, int opCode, byte[] body, String[] authIds) {
    public ForwardedRequest {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(authIds, "authIds");
    }
}
