package io.paddock.zab;

/**
 * When a quorum peer snapshots its state and how much history it keeps on disk. Built by {@code distro} from zoo.cfg.
 *
 * @param snapCount       committed txns applied between two snapshots; each threshold is drawn at random in
 *                        [snapCount/2, snapCount] so that the peers of an ensemble do not all snapshot at once
 *                        ({@code snapCount}, at least 2)
 * @param snapRetainCount snapshots kept when purging ({@code autopurge.snapRetainCount}); below 3 it is raised to 3,
 *                        as ZooKeeper's purge does
 * @param purgeIntervalMs how often old snapshots and the log below the oldest kept one are removed; 0 never purges
 *                        ({@code autopurge.purgeInterval}, which zoo.cfg gives in hours)
 */
public record ZabSnapshotPolicy(int snapCount, int snapRetainCount, long purgeIntervalMs) {
    /** ZooKeeper's defaults: a snapshot every 100,000 txns (randomised), 3 kept, no purge. */
    public static final ZabSnapshotPolicy DEFAULTS = new ZabSnapshotPolicy(100_000, 3, 0);

    public ZabSnapshotPolicy {
        if (snapCount < 2) {
            throw new IllegalArgumentException("snapCount must be at least 2: " + snapCount);
        }
        if (snapRetainCount < 1) {
            throw new IllegalArgumentException("snapRetainCount must be positive: " + snapRetainCount);
        }
        if (purgeIntervalMs < 0) {
            throw new IllegalArgumentException("purgeIntervalMs must be 0 (never) or positive: " + purgeIntervalMs);
        }
        snapRetainCount = Math.max(3, snapRetainCount);
    }
}
