package io.paddock.api.time;

/** Monotonic elapsed time in nanoseconds from an arbitrary origin. Used for every timeout and expiry decision. */
@FunctionalInterface
public interface Ticker {
    long nanoTime();

    default long millis() {
        return nanoTime() / 1_000_000L;
    }
}
