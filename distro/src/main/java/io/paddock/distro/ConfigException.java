package io.paddock.distro;

/**
 * The configuration cannot be used: a malformed value, a missing file, or a provider name that no plugin on the
 * module path answers to. The message names the offending key and, for providers, lists what is available.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
