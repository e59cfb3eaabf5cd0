package io.paddock.api.storage;

import java.io.IOException;

/** Storage found damage it must not repair by itself (not a torn tail); the server must refuse to start. */
public class StorageCorruptException extends IOException {
    private static final long serialVersionUID = 1L;

    public StorageCorruptException(String message) {
        super(message);
    }
}
