package io.paddock.api.storage;

import java.io.IOException;
import java.util.OptionalLong;

/** Small named values replaced atomically on disk, such as {@code acceptedEpoch} and {@code currentEpoch}. */
public interface DurableValues {
    OptionalLong get(String name) throws IOException;

    /** Durable on return; a crash at any moment leaves the old or the new value. */
    void put(String name, long value) throws IOException;
}
