package io.paddock.server;

import io.paddock.api.transport.TransportConfig;
import io.paddock.server.txn.TxnBounds;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the server core needs from the config file, already parsed and defaulted by {@code distro}.
 *
 * @param serverId                   {@code myid}; 1 for a standalone server. Becomes the top byte of session ids.
 * @param tickTimeMs                 {@code tickTime}
 * @param sessionTimeoutMsMin        {@code minSessionTimeout} (default 2 x tickTime)
 * @param sessionTimeoutMsMax        {@code maxSessionTimeout} (default 20 x tickTime)
 * @param fourLetterWords            enabled 4lw commands ({@code 4lw.commands.whitelist}; "*" already expanded)
 * @param frameBytesMax              {@code jute.maxbuffer}
 * @param outstandingRequestsMax     requests one connection may have in flight before its reads are paused
 * @param extendedTypesEnabled       {@code zookeeper.extendedTypesEnabled}: TTL nodes
 * @param confDump                   key/value lines shown by the {@code conf} 4lw, in order
 * @param quotaEnforced              {@code zookeeper.enforceQuota}: hard quota limits fail writes with QUOTAEXCEEDED
 * @param containerCheckIntervalMs   {@code znode.container.checkIntervalMs}: how often empty containers and expired
 *                                   TTL nodes are looked for (ZooKeeper's default 60000)
 * @param txnBytesMax                largest encoded txn the prepare stage proposes; a write whose txn is larger is
 *                                   refused with MARSHALLINGERROR instead of being proposed. It must leave room for
 *                                   the replication layer's framing on a peer link: see {@link #txnBytesMaxFor}. The
 *                                   constructor without it derives it from {@code frameBytesMax}, as {@code distro}
 *                                   does, so standalone and ensemble servers refuse the same writes.
 */
public record ServerConfig(
        long serverId,
        int tickTimeMs,
        int sessionTimeoutMsMin,
        int sessionTimeoutMsMax,
        Set<String> fourLetterWords,
        int frameBytesMax,
        int outstandingRequestsMax,
        boolean extendedTypesEnabled,
        Map<String, String> confDump,
        boolean quotaEnforced,
        long containerCheckIntervalMs,
        int txnBytesMax) {

    public ServerConfig {
        if (tickTimeMs <= 0) {
            throw new IllegalArgumentException("tickTime must be positive");
        }
        if (sessionTimeoutMsMin <= 0 || sessionTimeoutMsMax < sessionTimeoutMsMin) {
            throw new IllegalArgumentException("minSessionTimeout " + sessionTimeoutMsMin
                    + " must be positive and not above maxSessionTimeout " + sessionTimeoutMsMax);
        }
        if (containerCheckIntervalMs <= 0) {
            throw new IllegalArgumentException("znode.container.checkIntervalMs must be positive");
        }
        if (txnBytesMax <= 0) {
            throw new IllegalArgumentException("txnBytesMax must be positive: " + txnBytesMax);
        }
        if (serverId < 0 || serverId > 254) {
            throw new IllegalArgumentException("server id must be in 0..254: " + serverId);
        }
        fourLetterWords = Set.copyOf(fourLetterWords);
        // keep the caller's order: conf prints the keys as the config lists them
        confDump = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(confDump, "confDump")));
    }

    /**
     * The settings with {@code txnBytesMax} derived from {@code frameBytesMax} (jute.maxbuffer) the way the peer
     * links derive their frame limit: {@code txnBytesMaxFor(peer frame limit for frameBytesMax)}.
     */
    public ServerConfig(long serverId, int tickTimeMs, int sessionTimeoutMsMin, int sessionTimeoutMsMax,
            Set<String> fourLetterWords, int frameBytesMax, int outstandingRequestsMax, boolean extendedTypesEnabled,
            Map<String, String> confDump, boolean quotaEnforced, long containerCheckIntervalMs) {
        this(serverId, tickTimeMs, sessionTimeoutMsMin, sessionTimeoutMsMax, fourLetterWords, frameBytesMax,
                outstandingRequestsMax, extendedTypesEnabled, confDump, quotaEnforced, containerCheckIntervalMs,
                txnBytesMaxForJuteMaxBuffer(frameBytesMax));
    }

    public static final long CONTAINER_CHECK_INTERVAL_MS_DEFAULT = 60_000;

    /** See {@link TxnBounds#REPLICATION_HEADER_BYTES_RESERVED}: the part of a peer frame not given to the txn. */
    public static final int REPLICATION_HEADER_BYTES_RESERVED = TxnBounds.REPLICATION_HEADER_BYTES_RESERVED;

    /**
     * The largest txn a peer link whose frames may reach {@code peerFrameBytesMax} bytes can carry inside a proposal:
     * {@code peerFrameBytesMax - }{@value #REPLICATION_HEADER_BYTES_RESERVED}, at least 1.
     */
    public static int txnBytesMaxFor(int peerFrameBytesMax) {
        return TxnBounds.txnBytesMaxFor(peerFrameBytesMax);
    }

    /**
     * The bound a server whose client limit ({@code jute.maxbuffer}) is {@code frameBytesMax} gets when nothing else
     * is said: {@link #txnBytesMaxFor} of the peer frame limit {@link TransportConfig#peerFrameBytesMax()} derives
     * from it (2 x jute.maxbuffer + 64 KiB, at least 256 KiB).
     */
    public static int txnBytesMaxForJuteMaxBuffer(int frameBytesMax) {
        return TxnBounds.txnBytesMaxForJuteMaxBuffer(frameBytesMax);
    }

    /** These settings with another {@link #txnBytesMax()}. */
    public ServerConfig withTxnBytesMax(int bytes) {
        return new ServerConfig(serverId, tickTimeMs, sessionTimeoutMsMin, sessionTimeoutMsMax, fourLetterWords,
                frameBytesMax, outstandingRequestsMax, extendedTypesEnabled, confDump, quotaEnforced,
                containerCheckIntervalMs, bytes);
    }

    /** Defaults as ZooKeeper's sample zoo.cfg gives them (tickTime 2000). */
    public static ServerConfig defaults() {
        return new ServerConfig(1, 2000, 4000, 40000, Set.of("srvr"), 0xfffff, 1000, false, Map.of(), false,
                CONTAINER_CHECK_INTERVAL_MS_DEFAULT);
    }
}
