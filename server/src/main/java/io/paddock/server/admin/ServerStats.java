package io.paddock.server.admin;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Server-wide counters for srvr, stat and mntr. Cheap to update from many threads. */
public final class ServerStats {
    private final LongAdder packetsReceived = new LongAdder();
    private final LongAdder packetsSent = new LongAdder();
    private final LongAdder latencySumMs = new LongAdder();
    private final LongAdder latencyCount = new LongAdder();
    private final AtomicLong latencyMinMs = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong latencyMaxMs = new AtomicLong();

    public void received() {
        packetsReceived.increment();
    }

    public void sent() {
        packetsSent.increment();
    }

    public void latency(long ms) {
        latencySumMs.add(ms);
        latencyCount.increment();
        latencyMinMs.accumulateAndGet(ms, Math::min);
        latencyMaxMs.accumulateAndGet(ms, Math::max);
    }

    public long packetsReceived() {
        return packetsReceived.sum();
    }

    public long packetsSent() {
        return packetsSent.sum();
    }

    public long latencyMinMs() {
        long v = latencyMinMs.get();
        return v == Long.MAX_VALUE ? 0 : v;
    }

    public long latencyMaxMs() {
        return latencyMaxMs.get();
    }

    /** Average latency with ZooKeeper's formatting precision in mind (callers print with decimals). */
    public double latencyAvgMs() {
        long n = latencyCount.sum();
        return n == 0 ? 0 : (double) latencySumMs.sum() / n;
    }

    public void reset() {
        packetsReceived.reset();
        packetsSent.reset();
        latencySumMs.reset();
        latencyCount.reset();
        latencyMinMs.set(Long.MAX_VALUE);
        latencyMaxMs.set(0);
    }
}
