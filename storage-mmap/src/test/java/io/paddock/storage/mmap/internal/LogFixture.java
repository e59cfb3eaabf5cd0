package io.paddock.storage.mmap.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.paddock.api.storage.TxnCursor;
import io.paddock.storage.mmap.core.SegmentFormat;
import io.paddock.storage.support.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/** Opens logs over a temp folder with small segments and records every flush; helpers to read and damage files. */
final class LogFixture {
    static final int SEGMENT_BYTES = 4 * 4096;
    static final int PAYLOAD_BYTES = 100;
    /** Padded size of a record with {@link #PAYLOAD_BYTES}. */
    static final int RECORD_BYTES = SegmentFormat.recordBytes(PAYLOAD_BYTES);

    final Path dataLogDir;
    final List<int[]> flushes = new ArrayList<>();
    private final AtomicLong dbIds = new AtomicLong(0x5eed);
    /** Set to make the next flushes fail. */
    Throwable flushFailure;
    IOException flushIoFailure;

    LogFixture(Path dataLogDir) {
        this.dataLogDir = dataLogDir;
    }

    Path dir() {
        return dataLogDir.resolve(LogFiles.VERSION_DIR);
    }

    MmapTxnLog open() throws IOException {
        return open(new LogSettings(SEGMENT_BYTES, 0, true));
    }

    MmapTxnLog open(LogSettings settings) throws IOException {
        Flusher recording = (segment, from, to) -> {
            if (flushIoFailure != null) {
                throw flushIoFailure;
            }
            if (flushFailure instanceof RuntimeException e) {
                throw e;
            }
            if (flushFailure instanceof Error e) {
                throw e;
            }
            flushes.add(new int[] {from, to});
            Flusher.MSYNC_RANGE.flush(segment, from, to);
        };
        return MmapTxnLog.open(FileIo.system(), dataLogDir, settings, recording, dbIds::incrementAndGet);
    }

    /** A payload whose bytes depend on the zxid, so a record read back for the wrong zxid fails the comparison. */
    static ByteBuffer payload(long zxid) {
        return payload(zxid, PAYLOAD_BYTES);
    }

    static ByteBuffer payload(long zxid, int bytes) {
        ByteBuffer b = ByteBuffer.allocate(bytes);
        for (int i = 0; i < bytes; i++) {
            b.put(i, (byte) (zxid * 131 + i | 1));
        }
        return b;
    }

    static void appendRange(MmapTxnLog log, long from, long to) throws IOException {
        for (long z = from; z <= to; z++) {
            log.append(z, payload(z));
        }
    }

    /** Every record after {@code afterZxid} as zxids, checking each payload. */
    static List<Long> zxidsAfter(MmapTxnLog log, long afterZxid) throws IOException {
        List<Long> zxids = new ArrayList<>();
        try (TxnCursor cursor = log.readAfter(afterZxid)) {
            while (cursor.next()) {
                ByteBuffer txn = cursor.txn();
                assertEquals(payload(cursor.zxid(), txn.remaining()), txn, "payload of 0x"
                        + Long.toHexString(cursor.zxid()));
                zxids.add(cursor.zxid());
            }
        }
        return zxids;
    }

    static List<Long> range(long from, long to) {
        List<Long> zxids = new ArrayList<>();
        for (long z = from; z <= to; z++) {
            zxids.add(z);
        }
        return zxids;
    }

    List<String> segmentNames() throws IOException {
        try (Stream<Path> files = Files.list(dir())) {
            return files.map(p -> p.getFileName().toString()).sorted((a, b) -> Long.compare(
                    LogFiles.firstZxidOf(a), LogFiles.firstZxidOf(b))).toList();
        }
    }

    Path segment(long firstZxid) {
        return dir().resolve(LogFiles.segmentName(firstZxid));
    }

    /** Offset of the record holding {@code zxid} in a segment that starts with {@code firstZxid} (fixed sizes). */
    static int offsetOf(long firstZxid, long zxid) {
        return SegmentFormat.HEADER_BYTES + (int) (zxid - firstZxid) * RECORD_BYTES;
    }

    static void flipByte(Path file, long offset) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            channel.read(b, offset);
            b.put(0, (byte) (b.get(0) ^ 0x10)).clear();
            channel.write(b, offset);
        }
    }

    static void zero(Path file, long from, long to) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate((int) (to - from)), from);
        }
    }

    static ByteBuffer read(Path file, long from, int bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(bytes);
            channel.read(b, from);
            return b.flip();
        }
    }
}
