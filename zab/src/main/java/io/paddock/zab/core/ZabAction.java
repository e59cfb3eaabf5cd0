package io.paddock.zab.core;

import io.paddock.api.replication.ForwardedRequest;
import io.paddock.api.replication.Role;
import java.util.List;
import java.util.Objects;

/**
 * Outputs of a {@link ZabCore}. The driver executes the actions of one step in list order, and:
 * <ul>
 *   <li>{@link WriteAcceptedEpoch}, {@link WriteCurrentEpoch} and {@link TruncateLog} are durable when they return,
 *       before the next action of the list runs (persist before send);</li>
 *   <li>{@link PersistTxns} and {@link InstallSnapshot} go to the storage queue, which runs them in the order given;
 *       their completion comes back as {@link ZabEvent.TxnsPersisted} / {@link ZabEvent.SnapshotInstalled}. The core
 *       never sends anything that depends on them before that event (ack after fsync);</li>
 *   <li>{@link Send} and {@link SendSnapshot} to one peer leave in the order given, on the current link to it;</li>
 *   <li>{@link ApplyCommitted}, {@link CompleteSync} and {@link SendSnapshot} run in order on the apply side, so a
 *       snapshot asked for after {@code ApplyCommitted(z)} is the state at exactly {@code z}.</li>
 * </ul>
 */
public sealed interface ZabAction {

    /** Send {@code message} to {@code to}. */
    record Send(long to, ZabMessage message) implements ZabAction {
        public Send {
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * Send {@link ZabMessage.Snap} to {@code to}, holding the state machine's snapshot at exactly {@code zxid} (its
     * last applied zxid once every earlier {@link ApplyCommitted} ran). Later messages to {@code to} wait behind it.
     */
    record SendSnapshot(long to, long zxid) implements ZabAction {}

    /** Append these entries to the log and sync them (group commit); report {@link ZabEvent.TxnsPersisted}. */
    record PersistTxns(List<LogEntry> entries) implements ZabAction {
        public PersistTxns {
            entries = List.copyOf(entries);
            if (entries.isEmpty()) {
                throw new IllegalArgumentException("nothing to persist");
            }
        }

        public long lastZxid() {
            return entries.get(entries.size() - 1).zxid();
        }
    }

    /** Remove every log entry after {@code afterZxid}; durable on return. Emitted only with no persist in flight. */
    record TruncateLog(long afterZxid) implements ZabAction {}

    /**
     * Replace the state machine with {@code snapshot} (committed state at {@code zxid}), write it durably as this
     * peer's newest snapshot, then drop every log entry: the learner's log ends below {@code zxid} (the leader sends a
     * SNAP only then), so each entry is either inside the snapshot or off the leader's history. Queued with the
     * appends, in order (no later append may become durable before the snapshot); report
     * {@link ZabEvent.SnapshotInstalled}. A crash between the snapshot and the log cut is harmless: replay starts
     * after the newest snapshot.
     */
    record InstallSnapshot(long zxid, byte[] snapshot) implements ZabAction {
        public InstallSnapshot {
            Objects.requireNonNull(snapshot, "snapshot");
        }
    }

    /** Durably set {@code acceptedEpoch}; a crash leaves the old or the new value. */
    record WriteAcceptedEpoch(long epoch) implements ZabAction {}

    /** Durably set {@code currentEpoch}; a crash leaves the old or the new value. */
    record WriteCurrentEpoch(long epoch) implements ZabAction {}

    /** Apply, in zxid order, every log entry after the state machine's last applied zxid up to {@code upToZxid}. */
    record ApplyCommitted(long upToZxid) implements ZabAction {}

    /** {@code StateMachine.syncCompleted} for the {@link ZabEvent.ClientSync} with this id, after earlier applies. */
    record CompleteSync(long requestId) implements ZabAction {}

    /** Leader: {@code StateMachine.prepareForwarded}. */
    record PrepareForwarded(ForwardedRequest request) implements ZabAction {}

    /** Leader: {@code StateMachine.sessionsTouched}: a learner reports these sessions active. */
    record SessionsTouched(long[] sessionIds) implements ZabAction {}

    /** {@code StateMachine.roleChanged}: the peer now serves in this role. */
    record RoleChanged(Role role) implements ZabAction {}

    /** Leader: close the link to this learner (protocol error or silence); it will reconnect and sync again. */
    record Disconnect(long peer, String reason) implements ZabAction {}

    /**
     * The core is finished: close its links, let the storage queue drain, report {@code Role.LOOKING} and start an
     * election. Always the last action of its list; the core accepts no event after it.
     */
    record StepDown(String reason) implements ZabAction {}
}
