package io.paddock.zab;

import java.util.Set;
import java.util.TreeSet;

/**
 * The ensemble as one server sees it, plus the protocol's limits. Immutable; built by {@code distro} from zoo.cfg.
 *
 * @param self                   this server's id ({@code myid})
 * @param voters                 participants ({@code server.N=...} without {@code :observer}); quorums are majorities
 *                               of these
 * @param observers              non-voting members ({@code server.N=...:observer})
 * @param initLimitTicks         ticks a leader may spend in each of discovery, epoch agreement and synchronisation,
 *                               and a learner may wait for its leader before it is synced ({@code initLimit})
 * @param syncLimitTicks         ticks of silence after which a synced learner gives up on its leader, and a leader on
 *                               a learner ({@code syncLimit})
 * @param committedLogMax        committed proposals the leader keeps in memory to DIFF learners that are a little
 *                               behind; a learner further behind gets a SNAP (ZooKeeper keeps 500)
 * @param committedLogBytesMax   the same window bounded in txn bytes; whichever bound is hit first trims it
 * @param outstandingProposalsMax proposals the leader may have in flight (proposed, not committed); the driver stops
 *                               taking proposals at the bound (back-pressure on the prepare thread)
 * @param pendingSyncsMax        {@code sync} requests the leader parks until the proposals before them commit; a learner
 *                               that exceeds the bound is disconnected
 * @param touchesPerPingMax      session ids a learner puts in one PING; more pending touches are sent in several PINGs
 */
public record ZabConfig(
        long self,
        Set<Long> voters,
        Set<Long> observers,
        int initLimitTicks,
        int syncLimitTicks,
        int committedLogMax,
        long committedLogBytesMax,
        int outstandingProposalsMax,
        int pendingSyncsMax,
        int touchesPerPingMax) {

    public ZabConfig {
        voters = Set.copyOf(new TreeSet<>(voters));
        observers = Set.copyOf(new TreeSet<>(observers));
        if (voters.isEmpty()) {
            throw new IllegalArgumentException("an ensemble needs at least one voter");
        }
        for (Long o : observers) {
            if (voters.contains(o)) {
                throw new IllegalArgumentException("server " + o + " is both a voter and an observer");
            }
        }
        if (!voters.contains(self) && !observers.contains(self)) {
            throw new IllegalArgumentException("myid " + self + " is not a member of the ensemble");
        }
        positive("initLimitTicks", initLimitTicks);
        positive("syncLimitTicks", syncLimitTicks);
        positive("committedLogMax", committedLogMax);
        positive("committedLogBytesMax", committedLogBytesMax);
        positive("outstandingProposalsMax", outstandingProposalsMax);
        positive("pendingSyncsMax", pendingSyncsMax);
        positive("touchesPerPingMax", touchesPerPingMax);
    }

    /** ZooKeeper's defaults for the limits zoo.cfg does not name (initLimit 10, syncLimit 5 as in the sample cfg). */
    public static ZabConfig of(long self, Set<Long> voters, Set<Long> observers, int initLimitTicks,
            int syncLimitTicks) {
        return new ZabConfig(self, voters, observers, initLimitTicks, syncLimitTicks, 500, 64L << 20, 1000, 10_000,
                4096);
    }

    public ZabConfig withCommittedLogMax(int entries) {
        return new ZabConfig(self, voters, observers, initLimitTicks, syncLimitTicks, entries, committedLogBytesMax,
                outstandingProposalsMax, pendingSyncsMax, touchesPerPingMax);
    }

    public ZabConfig withOutstandingProposalsMax(int proposals) {
        return new ZabConfig(self, voters, observers, initLimitTicks, syncLimitTicks, committedLogMax,
                committedLogBytesMax, proposals, pendingSyncsMax, touchesPerPingMax);
    }

    public ZabConfig withSelf(long id) {
        return new ZabConfig(id, voters, observers, initLimitTicks, syncLimitTicks, committedLogMax,
                committedLogBytesMax, outstandingProposalsMax, pendingSyncsMax, touchesPerPingMax);
    }

    public boolean isVoter(long id) {
        return voters.contains(id);
    }

    public boolean isObserver(long id) {
        return observers.contains(id);
    }

    public boolean isMember(long id) {
        return voters.contains(id) || observers.contains(id);
    }

    /** Voters needed for a quorum: a strict majority. */
    public int quorumSize() {
        return voters.size() / 2 + 1;
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }
}
