package io.paddock.api.transport;

import io.paddock.api.time.Ticker;

/**
 * ServiceLoader entry point of a transport plugin. The no-arg constructor does no I/O; {@link #create} builds the
 * runtime object that owns threads and sockets.
 */
public interface TransportProvider {
    /** The config name, e.g. {@code nio} or {@code netty}, chosen by {@code transport=} in the config. */
    String name();

    /**
     * Builds the transport. {@code ticker} is the only clock it may read (timeouts), so tests can drive time.
     */
    Transport create(TransportConfig config, Ticker ticker);
}
