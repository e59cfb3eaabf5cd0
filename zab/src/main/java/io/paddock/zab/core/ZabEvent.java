package io.paddock.zab.core;

import io.paddock.api.replication.ForwardedRequest;
import java.util.Objects;

/** Inputs to a {@link ZabCore}. The driver delivers them one at a time, on one thread. */
public sealed interface ZabEvent {

    /** A message arrived from {@code from} over the current link to that peer. */
    record Received(long from, ZabMessage message) implements ZabEvent {
        public Received {
            Objects.requireNonNull(message, "message");
        }
    }

    /** The link to {@code peer} is up (learner: to its leader; the leader learns of learners from their first message). */
    record PeerConnected(long peer) implements ZabEvent {}

    /**
     * The current link to {@code peer} is gone. The driver reports it only for the link whose messages it last
     * delivered, never for a link a newer one replaced.
     */
    record PeerDisconnected(long peer) implements ZabEvent {}

    /** One tick ({@code tickTime}) passed. The cores' only notion of time. */
    record Tick() implements ZabEvent {}

    /** Every entry handed to {@link ZabAction.PersistTxns} up to {@code upToZxid} is now durable (one report per fsync). */
    record TxnsPersisted(long upToZxid) implements ZabEvent {}

    /** The snapshot of a {@link ZabAction.InstallSnapshot} is durable and loaded into the state machine. */
    record SnapshotInstalled(long zxid) implements ZabEvent {}

    /** Leader: the server prepared a write; the core assigns it the next zxid ({@code Replicator.propose}). */
    record ClientProposal(byte[] txn) implements ZabEvent {
        public ClientProposal {
            Objects.requireNonNull(txn, "txn");
        }
    }

    /** Learner: a client write to send to the leader ({@code Replicator.forward}). */
    record ForwardRequest(ForwardedRequest request) implements ZabEvent {
        public ForwardRequest {
            Objects.requireNonNull(request, "request");
        }
    }

    /** A client {@code sync}; completed by {@link ZabAction.CompleteSync} with the same id ({@code Replicator.sync}). */
    record ClientSync(long requestId) implements ZabEvent {}

    /** Learner: a local client session was active ({@code Replicator.touchSession}). */
    record SessionTouched(long sessionId) implements ZabEvent {}
}
