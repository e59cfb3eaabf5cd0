package io.paddock.server.tree;

/**
 * The internal encoding of {@code ephemeralOwner} (WIRE-PROTOCOL.md §10.6): a session id for ephemerals, a marker for
 * containers and TTL nodes. Clients never see the markers; {@link #visible} maps them to 0.
 */
public final class EphemeralOwner {
    public static final long PERSISTENT = 0L;
    public static final long CONTAINER = Long.MIN_VALUE;
    private static final long TTL_MARKER = 0xFF00_0000_0000_0000L;
    private static final long TTL_MASK = 0xFF_FFFF_FFFFL;

    private EphemeralOwner() {}

    public static long ttl(long ttlMs) {
        return TTL_MARKER | (ttlMs & TTL_MASK);
    }

    public static boolean isContainer(long owner) {
        return owner == CONTAINER;
    }

    public static boolean isTtl(long owner) {
        return (owner & TTL_MARKER) == TTL_MARKER;
    }

    public static long ttlMs(long owner) {
        return owner & TTL_MASK;
    }

    /** A real session owns the node (not persistent, container or TTL). */
    public static boolean isSession(long owner) {
        return owner != PERSISTENT && !isContainer(owner) && !isTtl(owner);
    }

    public static long visible(long owner) {
        return isSession(owner) ? owner : 0L;
    }
}
