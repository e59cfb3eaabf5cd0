package io.paddock.api.transport;

import java.io.IOException;
import java.io.InputStream;

/**
 * Opens a file named in the config (key stores, password files); supplied by distro, the only module that reads
 * files. A transport gets one through {@link TransportProvider#create(TransportConfig, io.paddock.api.time.Ticker,
 * ConfigFiles)} and reads what its settings name through it, never through {@code java.io} or {@code java.nio.file}
 * itself, so tests can hand key material in from memory.
 */
@FunctionalInterface
public interface ConfigFiles {
    /**
     * Opens {@code location} for reading; the caller closes the stream.
     *
     * @param location the value of the config key as written (distro resolves a relative path against the server's
     *                 working folder)
     * @throws IOException if the file does not exist or cannot be read ({@link java.io.FileNotFoundException} when
     *                     no file may be read at all)
     */
    InputStream open(String location) throws IOException;
}
