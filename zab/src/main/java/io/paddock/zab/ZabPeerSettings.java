package io.paddock.zab;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.function.LongFunction;

/**
 * Where the quorum driver listens and dials, and its clock settings. Built by {@code distro} from zoo.cfg.
 *
 * @param listenAddress    the quorum port of this server ({@code server.N} host + quorumPort; port 0 binds any)
 * @param quorumAddresses  the quorum address of another server by sid, or null if unknown; read on every dial, so a
 *                         caller that binds port 0 everywhere can fill it in after {@code ZabReplicator.open} (in {@code io.paddock.zab.replicator})
 * @param tickMs           one core tick ({@code tickTime}), in milliseconds
 * @param connectTimeoutMs bound of one dial to the leader
 */
public record ZabPeerSettings(InetSocketAddress listenAddress, LongFunction<InetSocketAddress> quorumAddresses,
        int tickMs, int connectTimeoutMs) {
    public ZabPeerSettings {
        Objects.requireNonNull(listenAddress, "listenAddress");
        Objects.requireNonNull(quorumAddresses, "quorumAddresses");
        if (tickMs <= 0 || connectTimeoutMs <= 0) {
            throw new IllegalArgumentException("tickMs and connectTimeoutMs must be positive");
        }
    }
}
