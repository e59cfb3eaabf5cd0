package io.paddock.zab.core;

import java.util.Objects;

/** One transaction of the replicated log: its zxid and its opaque bytes (owned by whoever holds the entry). */
public record LogEntry(long zxid, byte[] txn) {
    public LogEntry {
        Objects.requireNonNull(txn, "txn");
    }

    @Override
    public String toString() {
        return "LogEntry(" + Zxids.str(zxid) + ", " + txn.length + " B)";
    }
}
