package io.paddock.storage.mmap.internal;

import static io.paddock.storage.mmap.internal.LogFixture.appendRange;
import static io.paddock.storage.mmap.internal.LogFixture.payload;
import static io.paddock.storage.mmap.internal.LogFixture.range;
import static io.paddock.storage.mmap.internal.LogFixture.zxidsAfter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.storage.support.testkit.FaultyFileIo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mmap log over storage-support's {@link FaultyFileIo}: I/O errors and power loss at every step of the operations
 * that change files (roll, truncation, purge). A crash may lose what was not synced; it must never leave a log that
 * refuses to open (ClickHouse Keeper #112101: a crash during a cross-segment truncation bricked the node).
 */
class MmapFaultTest {
    private static final LogSettings TEN_PER_SEGMENT = new LogSettings(LogFixture.SEGMENT_BYTES, 10, true);

    @TempDir
    Path tmp;
    private final AtomicLong dbIds = new AtomicLong(1);

    private MmapTxnLog open(FaultyFileIo io, Path base) throws IOException {
        return MmapTxnLog.open(io, base.resolve("log"), TEN_PER_SEGMENT, Flusher.HANDLE_FORCE,
                dbIds::incrementAndGet);
    }

    /** The mmap counterpart of the kit's write-error test: the write that fails is the one that creates a segment. */
    @Test
    void aFailedSegmentCreationPoisonsTheLogUntilItIsReopened() throws IOException {
        Path base = tmp.resolve("eio");
        FaultyFileIo io = new FaultyFileIo(base, 1);
        MmapTxnLog log = open(io, base);
        appendRange(log, 1, 12);
        log.sync();
        io.failWritesAfter(0);
        IOException e = assertThrows(IOException.class, () -> appendRange(log, 13, 25));
        assertTrue(e.getMessage().contains("injected EIO"), e.getMessage());
        io.heal();
        assertThrows(IOException.class, () -> log.append(26, payload(26)));
        assertThrows(IOException.class, log::sync);
        log.close();
        try (MmapTxnLog again = open(io, base)) {
            List<Long> got = zxidsAfter(again, 0);
            assertTrue(got.size() >= 12 && got.equals(range(1, got.size())), got.toString());
        }
        io.crash(FaultyFileIo.Crash.DROP_UNSYNCED);
        try (MmapTxnLog again = open(io, base)) {
            assertEquals(range(1, 12), zxidsAfter(again, 0).subList(0, 12));
        }
    }

    @Test
    void aFullDiskAtSegmentCreationPoisonsTheLog() throws IOException {
        Path base = tmp.resolve("enospc");
        FaultyFileIo io = new FaultyFileIo(base, 1);
        MmapTxnLog log = open(io, base);
        appendRange(log, 1, 10);
        log.sync();
        io.limitSpace(io.bytesUsed() + 100);
        assertThrows(IOException.class, () -> log.append(11, payload(11)));
        io.heal();
        assertThrows(IOException.class, () -> log.append(11, payload(11)));
        log.close();
        try (MmapTxnLog again = open(io, base)) {
            assertEquals(range(1, 10), zxidsAfter(again, 0));
            again.append(11, payload(11));
            again.sync();
        }
    }

    /**
     * Power loss at every fsync of a truncation across segments: after the crash the log holds either everything it
     * had or the truncated prefix, and it opens.
     */
    @Test
    void powerLossAtAnyStepOfATruncationLeavesALogThatOpens() throws IOException {
        for (FaultyFileIo.Crash mode : FaultyFileIo.Crash.values()) {
            for (int okForces = 0; okForces <= 6; okForces++) {
                String context = mode + ", power lost after " + okForces + " fsync(s) of the truncation";
                Path base = tmp.resolve("trunc-" + mode + "-" + okForces);
                FaultyFileIo io = new FaultyFileIo(base, okForces);
                MmapTxnLog log = open(io, base);
                appendRange(log, 1, 35);
                log.sync();
                io.failForcesAfter(okForces);
                boolean returned;
                try {
                    log.truncateAfter(12);
                    returned = true;
                } catch (IOException e) {
                    returned = false;
                }
                io.crash(mode);
                log.close();
                try (MmapTxnLog again = open(io, base)) {
                    List<Long> got = zxidsAfter(again, 0);
                    if (returned) {
                        assertEquals(range(1, 12), got, context + ": truncateAfter returned");
                    } else {
                        assertTrue(got.equals(range(1, 12)) || got.equals(range(1, got.size())) && got.size() >= 12,
                                context + ": " + got);
                    }
                    again.truncateAfter(12);
                    again.append(13, payload(13));
                    again.sync();
                    assertEquals(range(1, 13), zxidsAfter(again, 0), context);
                }
            }
        }
    }

    @Test
    void powerLossDuringAPurgeLeavesASuffixThatOpens() throws IOException {
        for (int okForces = 0; okForces <= 1; okForces++) {
            Path base = tmp.resolve("purge-" + okForces);
            FaultyFileIo io = new FaultyFileIo(base, okForces);
            MmapTxnLog log = open(io, base);
            appendRange(log, 1, 45);
            log.sync();
            io.failForcesAfter(okForces);
            try {
                log.purgeUpTo(35);
            } catch (IOException e) {
                // the crash below decides what stayed
            }
            io.crash(FaultyFileIo.Crash.DROP_UNSYNCED);
            log.close();
            try (MmapTxnLog again = open(io, base)) {
                assertEquals(range(31, 45), zxidsAfter(again, 30));
                assertEquals(45, again.lastZxid());
            }
        }
    }

    @Test
    void powerLossRightAfterARollKeepsEverySyncedRecord() throws IOException {
        Path base = tmp.resolve("roll");
        FaultyFileIo io = new FaultyFileIo(base, 5);
        MmapTxnLog log = open(io, base);
        appendRange(log, 1, 10);
        log.sync();
        appendRange(log, 11, 13); // the roll forced 1..10 and created mlog.b; 11..13 never synced
        io.crash(FaultyFileIo.Crash.KEEP_TORN_PREFIX);
        log.close();
        try (MmapTxnLog again = open(io, base)) {
            assertEquals(10, again.lastZxid());
            assertEquals(range(1, 10), zxidsAfter(again, 0));
            appendRange(again, 11, 12);
            again.sync();
            assertEquals(range(1, 12), zxidsAfter(again, 0));
        }
    }
}
