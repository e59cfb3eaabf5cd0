package io.paddock.storage.mmap.core;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Decides whether the bytes after the last valid record of the newest segment are a torn tail (cut it) or damage
 * (refuse to start).
 *
 * <ul>
 *   <li>only zeros after the last valid record: clean;</li>
 *   <li>a valid record out of zxid order (its checksum holds, so it was written whole): corrupt;</li>
 *   <li>any valid record after the damage: corrupt, since cutting would drop it;</li>
 *   <li>otherwise (damage, then nothing that checks out): torn, cut it.</li>
 * </ul>
 *
 * <p>A mapped file reaches the disk page by page, in whatever order the kernel and the device choose, so after a power
 * loss in the middle of an unsynced multi-page batch a later page may be on disk while an earlier one still reads as
 * zeros. That also looks like "a valid record after the damage" and is refused, as the storage contract asks (the
 * bytes cannot tell it from a synced record that rotted). The {@code syncedEnd} watermark of the records after the
 * damage tells the operator which case it is: if one of them was appended after a sync had forced the damaged bytes,
 * the damage is certainly to synced data; if none was, the message says that it may be an unsynced batch torn by a
 * power loss, which a resync from the leader (or cutting the file at the reported offset) repairs without losing
 * anything acknowledged.
 */
public final class TailAnalysis {
    private TailAnalysis() {}

    public static TailVerdict of(ByteBuffer segment, SegmentScan scan, CRC32C crc) {
        int damage = scan.end();
        if (scan.stop() == SegmentFormat.BAD_ORDER) {
            return new TailVerdict.Corrupt(damage, scan.detail());
        }
        int limit = segment.capacity();
        int wordsEnd = limit - limit % Long.BYTES;
        int nonZeroEnd = damage;
        int firstValid = -1;
        long firstValidZxid = 0;
        int attestedEnd = 0;
        // The word at the damage itself may hold bits of the broken record; later records start 8-aligned after it.
        for (int q = damage; q < wordsEnd; ) {
            if (segment.getLong(q) == 0) {
                q += Long.BYTES;
                continue;
            }
            nonZeroEnd = q + Long.BYTES;
            int outcome = q > damage ? SegmentFormat.probe(segment, q, limit, crc) : SegmentFormat.BAD_LENGTH;
            if (outcome <= 0) {
                q += Long.BYTES;
                continue;
            }
            if (firstValid < 0) {
                firstValid = q;
                firstValidZxid = SegmentFormat.zxidAt(segment, q);
            }
            attestedEnd = Math.max(attestedEnd, SegmentFormat.syncedEndAt(segment, q));
            q += outcome;
            nonZeroEnd = q;
        }
        for (int i = Math.max(wordsEnd, damage); i < limit; i++) {
            if (segment.get(i) != 0) {
                nonZeroEnd = limit;
            }
        }
        String what = scan.clean() ? "end marker followed by non-zero bytes" : scan.detail();
        if (firstValid >= 0) {
            String why = attestedEnd > damage
                    ? "; a record after it was appended after a sync had forced the bytes up to offset " + attestedEnd
                            + ", so this is damage to synced data"
                    : "; no completed sync is known to have covered the damaged bytes: after a power loss this can"
                            + " be an unsynced batch whose pages reached the disk out of order";
            return new TailVerdict.Corrupt(damage, what + ", yet a valid record (zxid 0x"
                    + Long.toHexString(firstValidZxid) + " at offset " + firstValid + ") follows it" + why);
        }
        if (nonZeroEnd == damage && scan.clean()) {
            return new TailVerdict.Clean(damage);
        }
        return new TailVerdict.Torn(damage, nonZeroEnd, what);
    }
}
