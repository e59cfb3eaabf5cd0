package io.paddock.transport.netty.internal;

import java.io.IOException;
import java.io.InputStream;

/**
 * Opens the files the {@code ssl.*} keys name (key store, trust store, password files). Transports do not touch the
 * file system themselves (ARCHITECTURE.md: only distro reads files): the provider adapts the
 * {@code io.paddock.api.transport.ConfigFiles} the composition root hands in, and tests pass their own.
 */
@FunctionalInterface
public interface KeyMaterialOpener {
    /** Opens {@code location} for reading; the caller closes the stream. */
    InputStream open(String location) throws IOException;
}
