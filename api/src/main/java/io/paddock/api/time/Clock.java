package io.paddock.api.time;

/** Wall-clock time in milliseconds since the epoch; may jump. Used only for values shown to users (ctime, mtime). */
@FunctionalInterface
public interface Clock {
    long currentTimeMillis();
}
