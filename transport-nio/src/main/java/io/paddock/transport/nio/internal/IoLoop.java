package io.paddock.transport.nio.internal;

import io.paddock.api.time.Ticker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One selector and the daemon thread that runs it. Other threads talk to the loop only through {@link #execute}
 * (a task queue plus {@link Selector#wakeup()}), so selection keys, interest ops and member state are touched by
 * this thread alone.
 *
 * <p>The select timeout is the tick interval, which drives the cheap timeout checks ({@link LoopMember#tick}) without
 * any timer thread.
 */
final class IoLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(IoLoop.class);

    private final Ticker ticker;
    /** Read buffer shared by every connection of the loop; frames that fit are delivered straight out of it. */
    static final int SCRATCH_BYTES = 64 * 1024;
    /**
     * Write buffer shared by every connection of the loop: queued output is copied into it and written with one
     * call. Writing heap buffers directly would make the JDK allocate and cache, per thread and without a size
     * bound, a temporary direct buffer as large as what is written.
     */
    static final int WRITE_BUFFER_BYTES = 64 * 1024;

    private final String name;
    private final Selector selector;
    private final Thread thread;
    private final long tickNanos;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Set<LoopMember> members = new LinkedHashSet<>();
    private final ByteBuffer scratch;
    private final ByteBuffer writeBuffer;
    private final Object lifecycleLock = new Object();
    private volatile boolean terminated; // set under lifecycleLock
    private volatile boolean running = true;

    IoLoop(String name, long tickMs, boolean withBuffers, Ticker ticker) {
        this.ticker = ticker;
        this.name = name;
        this.tickNanos = TimeUnit.MILLISECONDS.toNanos(tickMs);
        this.scratch = withBuffers ? ByteBuffer.allocateDirect(SCRATCH_BYTES) : null;
        this.writeBuffer = withBuffers ? ByteBuffer.allocateDirect(WRITE_BUFFER_BYTES) : null;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector for " + name, e);
        }
        this.thread = new Thread(this, name);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    String name() {
        return name;
    }

    Selector selector() {
        return selector;
    }

    /** Loop thread only. */
    ByteBuffer scratch() {
        return scratch;
    }

    /** Loop thread only. */
    ByteBuffer writeBuffer() {
        return writeBuffer;
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    boolean isRunning() {
        return running;
    }

    /**
     * Runs {@code task} on the loop thread soon. Tasks posted after the loop ended are dropped: by then every member
     * is closed, so they would have nothing left to do, and a dead loop must not collect them.
     */
    void execute(Runnable task) {
        if (terminated) {
            return;
        }
        tasks.add(task);
        if (!inLoop()) {
            selector.wakeup(); // the JDK coalesces repeated wakeups
        }
    }

    /**
     * Like {@link #execute} but refuses once the loop has begun its final shutdown, so that whatever the task would
     * have registered can be closed by the caller instead of leaking.
     */
    boolean executeIfRunning(Runnable task) {
        synchronized (lifecycleLock) {
            if (terminated || !running) {
                return false;
            }
            tasks.add(task);
        }
        if (!inLoop()) {
            selector.wakeup();
        }
        return true;
    }

    /** Loop thread only. */
    void addMember(LoopMember member) {
        members.add(member);
    }

    /** Loop thread only. */
    void removeMember(LoopMember member) {
        members.remove(member);
    }

    /** Releases the selector of a loop whose thread was never started. */
    void discard() {
        running = false;
        try {
            selector.close();
        } catch (IOException e) {
            LOG.debug("{}: closing the selector failed", name, e);
        }
    }

    /** Asks the loop to close its members and end; returns at once. */
    void stop() {
        running = false;
        selector.wakeup();
    }

    /** Waits for the thread to end; not from the loop thread itself. */
    boolean awaitTermination(long timeoutMs) throws InterruptedException {
        if (inLoop()) {
            return false;
        }
        thread.join(timeoutMs);
        return !thread.isAlive();
    }

    @Override
    public void run() {
        LOG.debug("{} started", name);
        long nextTick = ticker.nanoTime() + tickNanos;
        try {
            while (running) {
                long waitMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextTick - ticker.nanoTime()) + 1);
                if (tasks.isEmpty()) {
                    selector.select(this::dispatch, waitMs);
                } else {
                    selector.selectNow(this::dispatch);
                }
                runTasks();
                long now = ticker.nanoTime();
                if (now - nextTick >= 0) {
                    tickMembers(now);
                    nextTick = now + tickNanos;
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            LOG.error("{} failed; closing its connections", name, e);
        } finally {
            shutdownMembers();
            LOG.debug("{} stopped", name);
        }
    }

    private void dispatch(SelectionKey key) {
        LoopMember member = (LoopMember) key.attachment();
        try {
            member.ready(key);
        } catch (RuntimeException | Error e) {
            LOG.warn("{}: unexpected failure of {}; closing it", name, member, e);
            member.failed(e);
        }
    }

    private void runTasks() {
        // only the tasks present now: a task that posts another must not starve selection
        for (int n = tasks.size(); n > 0; n--) {
            Runnable task = tasks.poll();
            if (task == null) {
                return;
            }
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                LOG.warn("{}: task failed", name, e);
            }
        }
    }

    private void tickMembers(long now) {
        for (LoopMember member : List.copyOf(members)) {
            try {
                member.tick(now);
            } catch (RuntimeException | Error e) {
                LOG.warn("{}: unexpected failure of {}; closing it", name, member, e);
                member.failed(e);
            }
        }
    }

    private void shutdownMembers() {
        running = false;
        synchronized (lifecycleLock) {
            terminated = true;
        }
        // what was already posted still runs: registrations then see !running and close their sockets
        Runnable task;
        while ((task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                LOG.warn("{}: task failed during shutdown", name, e);
            }
        }
        for (LoopMember member : new ArrayList<>(members)) {
            try {
                member.shutdown();
            } catch (RuntimeException | Error e) {
                LOG.warn("{}: closing {} failed", name, member, e);
            }
        }
        members.clear();
        try {
            selector.close();
        } catch (IOException e) {
            LOG.debug("{}: closing the selector failed", name, e);
        }
    }

    /** The injected monotonic clock, for every timeout of the members of this loop. */
    long nanoTime() {
        return ticker.nanoTime();
    }
}
