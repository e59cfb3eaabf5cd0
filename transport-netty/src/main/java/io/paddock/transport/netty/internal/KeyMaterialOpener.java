package io.paddock.transport.netty.internal;

import java.io.IOException;
import java.io.InputStream;

/**
 * Opens the files the {@code ssl.*} keys name (key store, trust store, password files). Transports do not touch the
 * file system themselves (ARCHITECTURE.md: only distro reads files), so the composition root hands this in; it is the
 * shape proposed for {@code io.paddock.api.transport} in the README.
 */
@FunctionalInterface
public interface KeyMaterialOpener {
    /** Opens {@code location} for reading; the caller closes the stream. */
    InputStream open(String location) throws IOException;
}
