package io.paddock.election.fle.core;

/**
 * Tuning of one {@link FastLeaderElection} core that {@link io.paddock.api.election.ElectionConfig} does not carry
 * (yet). All times are in ticks.
 *
 * @param finalizeWaitTicks        once a quorum agrees with our proposal, how many ticks to keep listening for a
 *                                 better vote before deciding (ZooKeeper's {@code finalizeWait}, 200 ms there); 0
 *                                 decides at once
 * @param initialNotificationTicks the first re-send interval while looking; it doubles on every re-send up to
 *                                 {@code ElectionConfig.notificationTimeoutTicksMax}
 * @param configVersion            the config version stamped on every notification we send
 * @param initialLogicalClock      the logical clock to continue from (a driver that replaces a core keeps its
 *                                 rounds increasing); the first look runs in round {@code initialLogicalClock + 1}
 */
public record FleSettings(int finalizeWaitTicks, int initialNotificationTicks, long configVersion,
        long initialLogicalClock) {

    /** Two ticks of finalize wait, re-send after one tick, config version 0, clock from 0. */
    public static final FleSettings DEFAULTS = new FleSettings(2, 1, 0, 0);

    public FleSettings {
        if (finalizeWaitTicks < 0) {
            throw new IllegalArgumentException("finalizeWaitTicks must not be negative: " + finalizeWaitTicks);
        }
        if (initialNotificationTicks <= 0) {
            throw new IllegalArgumentException("initialNotificationTicks must be positive: " + initialNotificationTicks);
        }
        if (initialLogicalClock < 0) {
            throw new IllegalArgumentException("initialLogicalClock must not be negative: " + initialLogicalClock);
        }
    }

    public FleSettings withInitialLogicalClock(long clock) {
        return new FleSettings(finalizeWaitTicks, initialNotificationTicks, configVersion, clock);
    }

    public FleSettings withFinalizeWaitTicks(int ticks) {
        return new FleSettings(ticks, initialNotificationTicks, configVersion, initialLogicalClock);
    }
}
