package io.paddock.api.election;

import io.paddock.api.time.Ticker;
import io.paddock.api.transport.Transport;
import java.io.IOException;

/** ServiceLoader entry point of an election plugin, chosen by {@code electionAlg=}/{@code election=} in the config. */
public interface ElectionProvider {
    /** The config name, e.g. {@code fle}. */
    String name();

    /** A fresh core for one round of looking; thread-unsafe by design, owned by one driver thread. */
    Election create(ElectionConfig config);

    /**
     * Binds the election listener on {@code config.listenAddress()} through {@code transport}, starts the election
     * thread and dials the peers. {@code ticker} is the only clock the service reads. The caller owns the transport
     * and closes the service before it.
     *
     * @throws IOException if the listener cannot be bound
     */
    ElectionService start(ElectionServiceConfig config, Transport transport, Ticker ticker) throws IOException;
}
