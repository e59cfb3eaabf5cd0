package io.paddock.api.replication;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/** The replicated state machine, implemented by the server. */
public interface StateMachine {

    /**
     * Applies one committed transaction. Called on a single thread in strictly increasing zxid order. {@code context}
     * is what this peer passed to {@link Replicator#propose} (null on peers that did not propose it, or after a restart).
     * The buffer is valid only during the call.
     */
    void apply(long zxid, ByteBuffer txn, Object context);

    /** The zxid of the last transaction applied (0 before any). */
    long lastAppliedZxid();

    /** Leader only: a write a learner forwarded; prepare it as if a local client had sent it. */
    void prepareForwarded(ForwardedRequest request);

    /** Completes a {@link Replicator#sync}: every txn committed before the sync was issued has been applied here. */
    void syncCompleted(Object context);

    /** Leader only: sessions that learners reported as active since their last report. */
    void sessionsTouched(long[] sessionIds);

    /** The replicator's role changed; the server stops or starts preparing writes and drops work it cannot finish. */
    void roleChanged(Role role);

    /** Writes a fuzzy snapshot of the current state; consistent once the log after {@code lastAppliedZxid} is replayed. */
    void writeSnapshot(OutputStream out) throws IOException;

    /** Replaces the whole state with a snapshot taken at {@code zxid}. */
    void restoreSnapshot(InputStream in, long zxid) throws IOException;
}
