package io.paddock.election.fle;

import io.paddock.api.election.Election;
import io.paddock.api.election.ElectionConfig;
import io.paddock.api.election.ElectionProvider;
import io.paddock.api.election.ElectionService;
import io.paddock.api.election.ElectionServiceConfig;
import io.paddock.api.time.Ticker;
import io.paddock.api.transport.Transport;
import io.paddock.election.fle.core.FastLeaderElection;
import io.paddock.election.fle.core.FleSettings;
import io.paddock.election.fle.internal.FleDriver;
import io.paddock.election.fle.internal.FleServiceConfig;
import java.io.IOException;

/** Provides {@code fle}: ZooKeeper's Fast Leader Election over TCP ({@code electionAlg=3}). */
public final class FleElectionProvider implements ElectionProvider {
    @Override
    public String name() {
        return "fle";
    }

    /** A pure core with the default settings (finalize wait 2 ticks, first re-send after 1 tick). */
    @Override
    public Election create(ElectionConfig config) {
        return new FastLeaderElection(config);
    }

    /**
     * Binds the election port, starts the election thread and dials the peers. Uses {@link FleSettings#DEFAULTS}
     * (finalize wait 2 ticks, config version 0): {@code ElectionConfig} does not carry those yet.
     */
    @Override
    public ElectionService start(ElectionServiceConfig config, Transport transport, Ticker ticker)
            throws IOException {
        var book = config.peerElectionAddresses();
        return FleDriver.start(new FleServiceConfig(config.election(), FleSettings.DEFAULTS, config.listenAddress(),
                book::get, config.tickMs(), config.connectTimeoutMs()), transport, ticker);
    }
}
