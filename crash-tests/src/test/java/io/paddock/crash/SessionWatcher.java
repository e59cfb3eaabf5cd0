package io.paddock.crash;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;

/** The client's connection state, with a count of connections so "connected again" can be told from "still". */
final class SessionWatcher implements Watcher {
    /** How often a wait re-checks its give-up condition (the server's log), which cannot notify this monitor. */
    private static final long RECHECK_MS = 50;

    private int connections;
    private boolean expired;
    private Event.KeeperState state = Event.KeeperState.Disconnected;

    @Override
    public synchronized void process(WatchedEvent event) {
        if (event.getType() != Event.EventType.None) {
            return;
        }
        state = event.getState();
        if (state == Event.KeeperState.SyncConnected) {
            connections++;
        } else if (state == Event.KeeperState.Expired) {
            expired = true;
        }
        notifyAll();
    }

    synchronized int connections() {
        return connections;
    }

    synchronized boolean expired() {
        return expired;
    }

    /** The outcome of a wait for a new connection. */
    enum Outcome { CONNECTED, EXPIRED, GAVE_UP, TIMED_OUT }

    /**
     * Waits until the client has connected more than {@code connectionsBefore} times, the session expired,
     * {@code giveUp} says so, or {@code timeoutMs} passed.
     */
    synchronized Outcome awaitConnection(int connectionsBefore, long timeoutMs, BooleanSupplier giveUp)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            if (connections > connectionsBefore) {
                return Outcome.CONNECTED;
            }
            if (expired) {
                return Outcome.EXPIRED;
            }
            if (giveUp.getAsBoolean()) {
                return Outcome.GAVE_UP;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Outcome.TIMED_OUT;
            }
            TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(RECHECK_MS)));
        }
    }
}
