package io.paddock.zab.core;

import io.paddock.api.replication.ForwardedRequest;
import java.util.Arrays;
import java.util.Objects;

/**
 * Messages between a leader and its learners, one per ZooKeeper quorum packet type (names in brackets). Every link is
 * one ordered, reliable stream (TCP); the cores still check what they can (zxid chains, phases) and end the session on
 * anything a correct peer would not send, because a remote peer must never be able to corrupt or crash this one.
 *
 * <p>All zxids are {@code epoch << 32 | counter}. Records holding arrays compare them by identity; use
 * {@link #describe} for logs.
 */
public sealed interface ZabMessage {

    /** Learner to leader, first message [FOLLOWERINFO / OBSERVERINFO: the leader reads the kind from its config]. */
    record LearnerInfo(long sid, long acceptedEpoch, long lastZxid) implements ZabMessage {}

    /** Leader to learner: the epoch it proposes [LEADERINFO]. */
    record LeaderInfo(long newEpoch) implements ZabMessage {}

    /**
     * Learner to leader [ACKEPOCH]. {@code alreadyAccepted} is ZooKeeper's {@code -1}: the learner had already
     * accepted this epoch earlier (a reconnect), so this ack is no new promise and does not count toward the quorum.
     */
    record AckEpoch(long currentEpoch, long lastZxid, boolean alreadyAccepted) implements ZabMessage {}

    /** Sync header: the learner's log up to {@code fromZxid} is on the leader's history; entries after it follow [DIFF]. */
    record Diff(long fromZxid) implements ZabMessage {}

    /** Sync header: remove every entry after {@code toZxid}, then entries after it follow [TRUNC]. */
    record Trunc(long toZxid) implements ZabMessage {}

    /**
     * Sync header: replace all state with this snapshot of committed state at {@code zxid}; entries after it follow
     * [SNAP]. The core asks for it with {@link ZabAction.SendSnapshot}; the driver fills in the bytes.
     */
    record Snap(long zxid, byte[] snapshot) implements ZabMessage {
        public Snap {
            Objects.requireNonNull(snapshot, "snapshot");
        }
    }

    /**
     * One log entry, in a sync stream or live [PROPOSAL]. {@code prevZxid} is the entry before it on the leader's
     * history (the sync point for the first one), so the learner can prove the stream has no hole (ZOOKEEPER-4925).
     */
    record Proposal(long zxid, long prevZxid, byte[] txn) implements ZabMessage {
        public Proposal {
            Objects.requireNonNull(txn, "txn");
        }
    }

    /** End of the sync stream: the learner has been sent the leader's history up to {@code lastZxid} [NEWLEADER]. */
    record NewLeader(long epoch, long lastZxid) implements ZabMessage {}

    /**
     * Learner to leader: everything up to {@code lastZxid} and {@code currentEpoch = epoch} are durable here [ACK of
     * NEWLEADER]. Counts as a cumulative {@link Ack} of {@code lastZxid}.
     */
    record AckNewLeader(long epoch, long lastZxid) implements ZabMessage {}

    /** The leader is established; the learner may serve, having applied up to {@code committedZxid} [UPTODATE]. */
    record UpToDate(long committedZxid) implements ZabMessage {}

    /** Follower to leader: every entry up to {@code zxid} is durable here (cumulative) [ACK]. */
    record Ack(long zxid) implements ZabMessage {}

    /** Leader to follower: every entry up to {@code zxid} is committed (cumulative) [COMMIT]. */
    record Commit(long zxid) implements ZabMessage {}

    /** Leader to observer: a committed entry, proposal and commit in one [INFORM]. */
    record Inform(long zxid, long prevZxid, byte[] txn) implements ZabMessage {
        public Inform {
            Objects.requireNonNull(txn, "txn");
        }
    }

    /** Leader to learner: a heartbeat; learner to leader: the reply, with sessions touched since the last one [PING]. */
    record Ping(long[] touchedSessions) implements ZabMessage {
        public Ping {
            Objects.requireNonNull(touchedSessions, "touchedSessions");
        }
    }

    /** Learner to leader: a client write to prepare [REQUEST]. */
    record Request(ForwardedRequest request) implements ZabMessage {
        public Request {
            Objects.requireNonNull(request, "request");
        }
    }

    /** Learner to leader: a client {@code sync} [REQUEST with OpCode.sync]. */
    record Sync(long requestId) implements ZabMessage {}

    /** Leader to learner: everything proposed before the sync arrived is committed, up to {@code zxid} [SYNC]. */
    record SyncReply(long requestId, long zxid) implements ZabMessage {}

    /** A one-line rendering with zxids in hex and array lengths instead of contents. */
    static String describe(ZabMessage m) {
        if (m instanceof Proposal p) {
            return "Proposal(" + Zxids.str(p.zxid()) + " prev " + Zxids.str(p.prevZxid()) + ", " + p.txn().length
                    + " B)";
        } else if (m instanceof Inform i) {
            return "Inform(" + Zxids.str(i.zxid()) + " prev " + Zxids.str(i.prevZxid()) + ", " + i.txn().length
                    + " B)";
        } else if (m instanceof Snap s) {
            return "Snap(" + Zxids.str(s.zxid()) + ", " + s.snapshot().length + " B)";
        } else if (m instanceof Ping p) {
            return "Ping" + Arrays.toString(p.touchedSessions());
        } else if (m instanceof Commit c) {
            return "Commit(" + Zxids.str(c.zxid()) + ")";
        } else if (m instanceof Ack a) {
            return "Ack(" + Zxids.str(a.zxid()) + ")";
        } else if (m instanceof Diff d) {
            return "Diff(" + Zxids.str(d.fromZxid()) + ")";
        } else if (m instanceof Trunc t) {
            return "Trunc(" + Zxids.str(t.toZxid()) + ")";
        } else if (m instanceof NewLeader n) {
            return "NewLeader(e" + n.epoch() + ", " + Zxids.str(n.lastZxid()) + ")";
        } else if (m instanceof AckNewLeader n) {
            return "AckNewLeader(e" + n.epoch() + ", " + Zxids.str(n.lastZxid()) + ")";
        } else if (m instanceof UpToDate u) {
            return "UpToDate(" + Zxids.str(u.committedZxid()) + ")";
        } else if (m instanceof LearnerInfo l) {
            return "LearnerInfo(sid " + l.sid() + ", accepted e" + l.acceptedEpoch() + ", " + Zxids.str(l.lastZxid())
                    + ")";
        } else if (m instanceof AckEpoch a) {
            return "AckEpoch(current e" + a.currentEpoch() + ", " + Zxids.str(a.lastZxid())
                    + (a.alreadyAccepted() ? ", already accepted)" : ")");
        }
        return m.toString();
    }
}
