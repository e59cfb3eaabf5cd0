package io.paddock.protocol;

/** A record could not be decoded: truncated, a length that does not fit, or a value out of range. */
public final class MalformedRecordException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MalformedRecordException(String message) {
        super(message, null, false, false);
    }
}
