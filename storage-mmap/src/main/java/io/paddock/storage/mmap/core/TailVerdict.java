package io.paddock.storage.mmap.core;

/** What recovery does with the bytes after the last valid record of the newest segment. */
public sealed interface TailVerdict {

    /** Nothing but zeros after the last valid record. */
    record Clean(int end) implements TailVerdict {}

    /** Damage with no valid record after it: cut at {@code cut} by zeroing {@code [cut, zeroEnd)}. */
    record Torn(int cut, int zeroEnd, String reason) implements TailVerdict {}

    /** Damage followed by a valid record, or a valid record out of order: refuse. */
    record Corrupt(int offset, String reason) implements TailVerdict {}
}
