package io.paddock.api.replication;

import java.nio.ByteBuffer;

/** The replication layer as the server sees it. Thread-safe unless a method says otherwise. */
public interface Replicator {

    Role role();

    /**
     * Proposes one prepared transaction and returns the zxid assigned to it. Called only from the server's single
     * prepare thread, so zxids follow call order. The replicator owns {@code txn} after the call. May block while the
     * replication queue is full (back-pressure); it never calls back into the state machine on the caller's thread.
     *
     * @throws NotLeaderException if this server does not prepare writes right now
     */
    long propose(ByteBuffer txn, Object context) throws NotLeaderException;

    /** Learner only: sends a client write to the leader, which prepares it. */
    void forward(ForwardedRequest request) throws NotLeaderException;

    /** Ordering barrier: {@link StateMachine#syncCompleted} is called once this peer has caught up with the leader. */
    void sync(Object context);

    /** Learner only: reports local session activity so the leader does not expire them. */
    void touchSession(long sessionId, int timeoutMs);

    /** The zxid the next proposal will get, for status output. */
    long lastProposedZxid();
}
