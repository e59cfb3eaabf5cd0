package io.paddock.server;

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
        long containerCheckIntervalMs) {

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
        if (serverId < 0 || serverId > 254) {
            throw new IllegalArgumentException("server id must be in 0..254: " + serverId);
        }
        fourLetterWords = Set.copyOf(fourLetterWords);
        // keep the caller's order: conf prints the keys as the config lists them
        confDump = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(confDump, "confDump")));
    }

    public static final long CONTAINER_CHECK_INTERVAL_MS_DEFAULT = 60_000;

    /** Defaults as ZooKeeper's sample zoo.cfg gives them (tickTime 2000). */
    public static ServerConfig defaults() {
        return new ServerConfig(1, 2000, 4000, 40000, Set.of("srvr"), 0xfffff, 1000, false, Map.of(), false,
                CONTAINER_CHECK_INTERVAL_MS_DEFAULT);
    }
}
