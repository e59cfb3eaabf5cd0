package io.paddock.sim;

/**
 * Knobs of one simulation run. Mutable, fluent; {@link #random()} gives the fault-heavy mix the seed sweep uses,
 * {@link #scripted()} a quiet world for scenario tests that cause every fault themselves.
 */
public final class SimOptions {
    public int voters = 3;
    public int observers = 0;
    public int initLimitTicks = 10;
    public int syncLimitTicks = 5;
    public int committedLogMax = 16;
    public int outstandingProposalsMax = 50;
    /** Applied txns between two snapshots a peer takes by itself, drawn in [min, max]. */
    public int snapshotEveryMin = 4;
    public int snapshotEveryMax = 40;

    /** Ticks with faults and load, then ticks allowed to converge with the faults healed. */
    public int faultTicks = 160;
    public int quiesceTicksMax = 200;

    public boolean randomFaults = true;
    public boolean clientLoad = true;
    public double proposeProbability = 0.7;
    public int opsPerTickMax = 3;

    public double crashProbability = 0.012;
    public int restartAfterTicksMin = 1;
    public int restartAfterTicksMax = 20;
    public double partitionProbability = 0.012;
    public double healProbability = 0.12;
    public double resetProbability = 0.01;
    public double diskStallProbability = 0.01;
    /** Per executed action list: crash the peer before a random action of it (BUGGIFY). */
    public double midStepCrashProbability = 0.002;

    /** Link faults TCP would never show; the cores must stay safe (they drop the session). */
    public double silentDropProbability = 0.0;
    public double duplicateProbability = 0.0;
    public double reorderProbability = 0.0;

    /** Message and disk latencies, in simulator time units ({@link Simulator#TICK} per tick). */
    public int messageDelayMin = 1;
    public int messageDelayMax = 25;
    public int diskDelayMin = 1;
    public int diskDelayMax = 60;

    /** Election oracle: chance to elect a random looking voter instead of the most up-to-date one. */
    public double electionChaos = 0.1;
    public int electionDelayTicksMax = 3;

    /** Positive controls: re-create ZooKeeper's durability bugs in the simulated driver, so invariants must fire. */
    public boolean ackBeforeFsync = false;
    public boolean epochBeforeTxns = false;
    /** The driver's start-up rule ({@link SimStorage#startupRefusal()}); off only in positive controls. */
    public boolean startupChecks = true;

    /** Session touches: a follower's sessions must look alive on the leader (ClickHouse #121361). */
    public int sessionTimeoutTicks = 6;

    public static SimOptions random() {
        return new SimOptions();
    }

    public static SimOptions scripted() {
        SimOptions o = new SimOptions();
        o.randomFaults = false;
        o.clientLoad = false;
        o.electionChaos = 0.0;
        o.electionDelayTicksMax = 0;
        o.midStepCrashProbability = 0.0;
        o.snapshotEveryMin = 1000;
        o.snapshotEveryMax = 1000;
        o.messageDelayMin = 1;
        o.messageDelayMax = 5;
        o.diskDelayMin = 1;
        o.diskDelayMax = 5;
        return o;
    }

    public SimOptions voters(int n) {
        voters = n;
        return this;
    }

    public SimOptions observers(int n) {
        observers = n;
        return this;
    }

    public SimOptions committedLogMax(int n) {
        committedLogMax = n;
        return this;
    }

    public SimOptions chaos(double p) {
        silentDropProbability = p;
        duplicateProbability = p;
        reorderProbability = p;
        return this;
    }

    @Override
    public String toString() {
        return "voters=" + voters + " observers=" + observers + " committedLogMax=" + committedLogMax
                + " snapshotEvery=[" + snapshotEveryMin + "," + snapshotEveryMax + "] chaos=" + silentDropProbability
                + " ackBeforeFsync=" + ackBeforeFsync + " epochBeforeTxns=" + epochBeforeTxns;
    }
}
