package io.paddock.zab.core;

/**
 * What a peer has on disk and in its state machine when a core is created for it. The driver reads it after the
 * previous core ended and its storage queue drained (everything appended is synced), so every field is durable.
 *
 * @param acceptedEpoch  the last epoch this peer promised to follow (ACKEPOCH sent, or proposed as leader)
 * @param currentEpoch   the epoch of the last leader whose history this peer durably holds (NEWLEADER acked)
 * @param lastLoggedZxid the newest zxid this peer holds: the last log entry, or the newest snapshot if later
 * @param appliedZxid    the state machine's last applied zxid; only committed txns are ever applied, so the state is
 *                       committed state; at most {@code lastLoggedZxid} for a leader
 */
public record DurableState(long acceptedEpoch, long currentEpoch, long lastLoggedZxid, long appliedZxid) {
    public DurableState {
        if (acceptedEpoch < 0 || currentEpoch < 0 || lastLoggedZxid < 0 || appliedZxid < 0) {
            throw new IllegalArgumentException("negative durable value: accepted " + acceptedEpoch + ", current "
                    + currentEpoch + ", logged " + lastLoggedZxid + ", applied " + appliedZxid);
        }
    }
}
