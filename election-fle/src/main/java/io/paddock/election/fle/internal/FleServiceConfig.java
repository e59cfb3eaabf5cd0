package io.paddock.election.fle.internal;

import io.paddock.api.PeerId;
import io.paddock.api.election.ElectionConfig;
import io.paddock.election.fle.core.FleSettings;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Everything the election driver needs beyond the core's config.
 *
 * @param election          who votes and who observes, and the re-send cap
 * @param settings          finalize wait, first re-send interval, config version
 * @param listenAddress     where to accept election links ({@code server.N}'s election port; port 0 binds any)
 * @param electionAddresses the election address of another peer, or null if unknown (yet); read on every dial
 * @param tickTimeMs        one core tick ({@code tickTime})
 * @param connectTimeoutMs  bound of one dial
 */
public record FleServiceConfig(ElectionConfig election, FleSettings settings, InetSocketAddress listenAddress,
        Function<PeerId, InetSocketAddress> electionAddresses, int tickTimeMs, int connectTimeoutMs) {

    public FleServiceConfig {
        Objects.requireNonNull(election, "election");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(listenAddress, "listenAddress");
        Objects.requireNonNull(electionAddresses, "electionAddresses");
        if (tickTimeMs <= 0 || connectTimeoutMs <= 0) {
            throw new IllegalArgumentException("tickTimeMs and connectTimeoutMs must be positive");
        }
    }

    /** From a fixed address book (zoo.cfg's {@code server.N} lines), with the default dial timeout. */
    public static FleServiceConfig of(ElectionConfig election, InetSocketAddress listenAddress,
            Map<PeerId, InetSocketAddress> electionAddresses, int tickTimeMs) {
        Map<PeerId, InetSocketAddress> book = Map.copyOf(electionAddresses);
        return new FleServiceConfig(election, FleSettings.DEFAULTS, listenAddress, book::get, tickTimeMs,
                defaultConnectTimeoutMs(tickTimeMs));
    }

    /** Two ticks, at least 1 s and at most 5 s (ZooKeeper's {@code cnxTimeout} is 5 s). */
    public static int defaultConnectTimeoutMs(int tickTimeMs) {
        return (int) Math.max(1_000, Math.min(5_000, 2L * tickTimeMs));
    }
}
