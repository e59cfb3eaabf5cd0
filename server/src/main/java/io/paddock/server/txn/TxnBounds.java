package io.paddock.server.txn;

import io.paddock.api.transport.TransportConfig;
import java.util.Map;

/**
 * Size bounds tied to the largest txn the server proposes. Kept apart from {@code ServerConfig} so the snapshot
 * reader in {@code inspect} can use them without depending on the server's root package.
 */
public final class TxnBounds {
    /**
     * Bytes of a peer frame kept back for what the replication layer wraps around a txn. ZAB's largest wrapper is the
     * Proposal (and the Inform to observers): type byte, zxid, previous zxid and the txn's length, 21 bytes in all
     * (see {@code ZabCodec}); the rest is margin for a future field.
     */
    public static final int REPLICATION_HEADER_BYTES_RESERVED = 1024;

    private TxnBounds() {}

    /** {@code peerFrameBytesMax - }{@value #REPLICATION_HEADER_BYTES_RESERVED}, at least 1. */
    public static int txnBytesMaxFor(int peerFrameBytesMax) {
        return Math.max(1, peerFrameBytesMax - REPLICATION_HEADER_BYTES_RESERVED);
    }

    /** {@link #txnBytesMaxFor} of the peer frame limit {@link TransportConfig#peerFrameBytesMax()} gives. */
    public static int txnBytesMaxForJuteMaxBuffer(int juteMaxBufferBytes) {
        if (juteMaxBufferBytes <= 0) {
            throw new IllegalArgumentException("jute.maxbuffer must be positive: " + juteMaxBufferBytes);
        }
        return txnBytesMaxFor(new TransportConfig(0, juteMaxBufferBytes, 1, 1, Map.of()).peerFrameBytesMax());
    }

    /**
     * The largest node record a snapshot may hold: a node's path and data came in one client request (at most
     * {@code juteMaxBufferBytes}), its ACL in one txn (at most {@code txnBytesMax}: an {@code auth} ACL is expanded on
     * the leader, so it can outgrow the request), plus the fixed stat fields; never below the earlier bound of twice
     * {@code juteMaxBufferBytes}; 4 KiB of slack.
     */
    public static int snapshotRecordBytesMax(int juteMaxBufferBytes, int txnBytesMax) {
        long bound = Math.max(2L * juteMaxBufferBytes, (long) juteMaxBufferBytes + txnBytesMax) + 4096;
        return (int) Math.min(Integer.MAX_VALUE - 8L, bound);
    }
}
