package io.paddock.api;

/**
 * A znode's metadata exactly as clients see it (68 bytes on the wire). {@code cversion} is the client-visible child
 * version (children created plus children deleted); {@code ephemeralOwner} is 0 for persistent, container and TTL
 * nodes.
 */
public record Stat(
        long czxid,
        long mzxid,
        long ctime,
        long mtime,
        int version,
        int cversion,
        int aversion,
        long ephemeralOwner,
        int dataLength,
        int numChildren,
        long pzxid) {

    public static final Stat EMPTY = new Stat(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
