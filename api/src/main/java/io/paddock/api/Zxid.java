package io.paddock.api;

/**
 * ZooKeeper transaction id: the high 32 bits are the leader epoch, the low 32 bits a counter that restarts at each
 * epoch. Most hot paths keep zxids as raw {@code long}s; this class holds the arithmetic in one place.
 */
public final class Zxid {
    /** The zxid before any transaction. */
    public static final long NONE = 0L;

    private Zxid() {}

    public static long of(long epoch, long counter) {
        if (epoch < 0 || epoch > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("epoch out of range: " + epoch);
        }
        if (counter < 0 || counter > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("counter out of range: " + counter);
        }
        return (epoch << 32) | counter;
    }

    public static long epoch(long zxid) {
        return zxid >>> 32;
    }

    public static long counter(long zxid) {
        return zxid & 0xFFFF_FFFFL;
    }

    /** The lowercase hex form ZooKeeper uses in file names and 4lw output, e.g. {@code 0x100000003} -> "100000003". */
    public static String toHex(long zxid) {
        return Long.toHexString(zxid);
    }
}
