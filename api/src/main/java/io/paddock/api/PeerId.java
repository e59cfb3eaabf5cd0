package io.paddock.api;

/** A server's id in an ensemble ({@code myid}, {@code server.N}). A standalone server is peer 1. */
public record PeerId(long value) implements Comparable<PeerId> {
    public PeerId {
        if (value < 0) {
            throw new IllegalArgumentException("peer id must not be negative: " + value);
        }
    }

    @Override
    public int compareTo(PeerId other) {
        return Long.compare(value, other.value);
    }

    @Override
    public String toString() {
        return Long.toString(value);
    }
}
