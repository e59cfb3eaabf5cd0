/**
 * The seam between replication and the replicated state machine.
 *
 * <p>{@link io.paddock.api.replication.StateMachine} is implemented by {@code server} and called by the replication
 * layer; {@link io.paddock.api.replication.Replicator} is implemented by the replication layer (a single-node
 * replicator in standalone mode, {@code zab} in an ensemble) and called by {@code server}. {@code distro} connects
 * the two; {@code server} and {@code zab} never import each other.
 *
 * <p>Write path: the server prepares a write on the leader and calls {@link io.paddock.api.replication.Replicator#propose};
 * the replicator assigns the zxid, logs, reaches a quorum and calls
 * {@link io.paddock.api.replication.StateMachine#apply} on every peer, on one thread, in zxid order. A learner forwards
 * writes it cannot prepare with {@link io.paddock.api.replication.Replicator#forward}; the leader's replicator hands
 * them to its state machine's {@link io.paddock.api.replication.StateMachine#prepareForwarded}.
 *
 * <p>Transactions are opaque bytes to the replicator. Applying the same transactions in the same order gives the
 * same state on every peer.
 */
package io.paddock.api.replication;
