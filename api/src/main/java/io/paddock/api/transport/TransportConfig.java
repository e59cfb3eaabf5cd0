package io.paddock.api.transport;

import java.util.Map;
import java.util.Objects;

/**
 * Settings shared by every transport.
 *
 * @param ioThreads          selector/event-loop threads; 0 lets the transport pick (usually the core count)
 * @param maxFrameBytes      largest accepted frame payload on a client connection ({@code jute.maxbuffer}, default
 *                           1,048,575); peer links allow more, see {@link #peerFrameBytesMax()}
 * @param outboundBytesMax   unsent output one connection may hold before its reads are paused
 * @param handshakeTimeoutMs a client connection that has not delivered its first frame within this is closed
 * @param extra              plugin-specific keys from the config file (for example TLS settings), unparsed
 */
public record TransportConfig(
        int ioThreads,
        int maxFrameBytes,
        int outboundBytesMax,
        int handshakeTimeoutMs,
        Map<String, String> extra) {

    public static final int JUTE_MAXBUFFER_DEFAULT = 0xfffff;

    /** Lower bound of {@link #peerFrameBytesMax()}: 256 KiB, room for a SNAP chunk whatever the client limit. */
    public static final int PEER_FRAME_BYTES_FLOOR = 256 * 1024;

    /** What {@link #peerFrameBytesMax()} adds to twice {@code maxFrameBytes}: 64 KiB of protocol framing. */
    public static final int PEER_FRAME_BYTES_HEADROOM = 64 * 1024;

    public TransportConfig {
        if (ioThreads < 0 || maxFrameBytes <= 0 || outboundBytesMax <= 0 || handshakeTimeoutMs <= 0) {
            throw new IllegalArgumentException("invalid transport config");
        }
        extra = Map.copyOf(Objects.requireNonNull(extra, "extra"));
    }

    /**
     * Largest frame payload a peer link (between ensemble members) sends or accepts: {@code 2 * maxFrameBytes +
     * 64 KiB}, at least {@value #PEER_FRAME_BYTES_FLOOR} bytes, at most {@code Integer.MAX_VALUE - 8}.
     *
     * <p>A client may send a request of up to {@code maxFrameBytes}. The leader turns it into a transaction that is
     * larger than the request: it adds a header, the zxid, the ephemeral owner, a child counter and, in a multi, a
     * header per operation, which can roughly double a request made of many tiny operations. The replication
     * protocol then wraps that transaction in its own framing (a Proposal, an Inform for observers, a follower's
     * forwarded Request). Were peer links held to {@code maxFrameBytes} like clients, a request that the client port
     * accepted could produce a proposal the followers must refuse; each follower would drop the link, reconnect, be
     * sent the same proposal again and never commit. ZooKeeper leaves room for the same reason
     * ({@code jute.maxbuffer.extrasize}). The floor keeps snapshot transfer working when {@code maxFrameBytes} is
     * set small: a SNAP travels in chunks of 64 KiB plus a few bytes of framing.
     *
     * @return the peer link frame limit in bytes; never below {@code maxFrameBytes} unless that is within 8 of
     *         {@code Integer.MAX_VALUE}
     */
    public int peerFrameBytesMax() {
        long derived = 2L * maxFrameBytes + PEER_FRAME_BYTES_HEADROOM;
        return (int) Math.min(Integer.MAX_VALUE - 8L, Math.max(PEER_FRAME_BYTES_FLOOR, derived));
    }
}
