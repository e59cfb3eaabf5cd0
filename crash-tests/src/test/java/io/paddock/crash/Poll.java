package io.paddock.crash;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Polls a condition that cannot notify anyone (another process's state, read over a socket) until it holds or a
 * deadline passes. The pause between looks is short and bounded by the deadline; it is a polling interval, not a wait
 * for something to have happened.
 */
final class Poll {
    static final long INTERVAL_MS = 20;

    private Poll() {}

    /** The first non-null value {@code probe} returns, or an AssertionError naming {@code what} after the deadline. */
    static <T> T until(long timeoutMs, Supplier<String> what, Supplier<T> probe) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("not within " + timeoutMs + " ms: " + what.get());
            }
            LockSupport.parkNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(INTERVAL_MS)));
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for: " + what.get());
            }
        }
    }

    /** {@link #until} for a condition. */
    static void untilTrue(long timeoutMs, Supplier<String> what, Supplier<Boolean> condition) {
        until(timeoutMs, what, () -> condition.get() ? Boolean.TRUE : null);
    }
}
