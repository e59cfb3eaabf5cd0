package io.paddock.api.transport;

import io.paddock.api.time.Ticker;
import java.io.FileNotFoundException;

/**
 * ServiceLoader entry point of a transport plugin. The no-arg constructor does no I/O; {@link #create} builds the
 * runtime object that owns threads and sockets.
 */
public interface TransportProvider {
    /** The config name, e.g. {@code nio} or {@code netty}, chosen by {@code transport=} in the config. */
    String name();

    /**
     * Builds the transport. {@code ticker} is the only clock it may read (timeouts), so tests can drive time;
     * {@code files} is the only way it may read the files its settings name (TLS key and trust stores).
     *
     * @throws IllegalArgumentException if a setting in {@link TransportConfig#extra()} cannot be used (an invalid
     *                                  value, an unreadable key store); the message names the key, and the file
     *                                  where there is one. Nothing is left running.
     */
    Transport create(TransportConfig config, Ticker ticker, ConfigFiles files);

    /**
     * Builds the transport without access to files: settings that name a file fail as if the file did not exist.
     * For tests and embedders that need no TLS.
     */
    default Transport create(TransportConfig config, Ticker ticker) {
        return create(config, ticker, location -> {
            throw new FileNotFoundException("no config files available: " + location);
        });
    }
}
