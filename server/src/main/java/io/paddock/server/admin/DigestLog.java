package io.paddock.server.admin;

import java.util.ArrayList;
import java.util.List;

/**
 * The tree digest at every 128th zxid, the last 64 of them: what the {@code hash} four-letter word prints, so two
 * replicas can be compared at equal zxids. Written by the apply thread, read by 4lw threads.
 */
public final class DigestLog {
    private static final int EVERY = 128;
    private static final int KEPT = 64;

    private final long[] zxids = new long[KEPT];
    private final long[] digests = new long[KEPT];
    private int next;
    private int size;

    /** Called after every applied txn; keeps only zxids that are a multiple of 128. */
    public void applied(long zxid, long digest) {
        if ((zxid & (EVERY - 1)) != 0) {
            return;
        }
        synchronized (this) {
            zxids[next] = zxid;
            digests[next] = digest;
            next = (next + 1) % KEPT;
            size = Math.min(size + 1, KEPT);
        }
    }

    /** Lines {@code <zxid hex>: <digest>}, oldest first. */
    public synchronized List<String> lines() {
        List<String> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            int at = (next - size + i + KEPT) % KEPT;
            out.add(Long.toHexString(zxids[at]) + ": " + Long.toUnsignedString(digests[at]));
        }
        return out;
    }
}
