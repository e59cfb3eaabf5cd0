package io.paddock.api.election;

import io.paddock.api.PeerId;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;

/**
 * What a running election needs beyond its core's {@link ElectionConfig}.
 *
 * @param election              who votes and who observes, and the re-send cap
 * @param listenAddress         where to accept election links ({@code server.N}'s election port; port 0 binds any)
 * @param peerElectionAddresses the election address of every other peer ({@code server.N} lines)
 * @param tickMs                one core tick, in milliseconds ({@code tickTime}, or finer for the election only)
 * @param connectTimeoutMs      bound of one dial to a peer ({@code cnxTimeout})
 */
public record ElectionServiceConfig(
        ElectionConfig election,
        InetSocketAddress listenAddress,
        Map<PeerId, InetSocketAddress> peerElectionAddresses,
        int tickMs,
        int connectTimeoutMs) {

    public ElectionServiceConfig {
        Objects.requireNonNull(election, "election");
        Objects.requireNonNull(listenAddress, "listenAddress");
        peerElectionAddresses = Map.copyOf(Objects.requireNonNull(peerElectionAddresses, "peerElectionAddresses"));
        if (tickMs <= 0 || connectTimeoutMs <= 0) {
            throw new IllegalArgumentException("tickMs and connectTimeoutMs must be positive");
        }
    }
}
