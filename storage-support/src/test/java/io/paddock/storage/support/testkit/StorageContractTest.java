package io.paddock.storage.support.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.api.Zxid;
import io.paddock.api.storage.SnapshotStore;
import io.paddock.api.storage.Storage;
import io.paddock.api.storage.StorageConfig;
import io.paddock.api.storage.StorageCorruptException;
import io.paddock.api.storage.StorageProvider;
import io.paddock.api.storage.TxnCursor;
import io.paddock.api.storage.TxnLog;
import io.paddock.storage.support.DirectoryLock;
import io.paddock.storage.support.FileIo;
import io.paddock.storage.support.FileNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link StorageProvider} contract (package-info of {@code io.paddock.api.storage}, ARCHITECTURE.md "Storage
 * contract", RELIABILITY.md §5.4) as tests every storage engine runs: extend this class, return the provider, and open
 * the engine over a given {@link FileIo}.
 *
 * <p>What it assumes of an engine beyond the SPI: every file and folder lock goes through the {@code FileIo} it was
 * opened with (as {@code FolderStorage} does), and its provider is listed in {@code META-INF/services} so that a
 * child JVM on the class path finds it by name;
 * snapshots and durable values use {@code storage-support} (files {@code <dataDir>/version-2/snapshot.<hex>});
 * txn payloads are stored as they are (uncompressed) somewhere under {@code dataLogDir}, so the kit can find a
 * record's bytes and damage them. With {@link #rollsEveryTxnsPerLogFileMax()} true (the default) it also assumes a
 * new log file starts every {@code txnsPerLogFileMax} records.
 *
 * <p>Records are numbered 1, 2, ... with zxid {@code Zxid.of(1, n)}; the payload of each names its zxid and a
 * generation, so a record written again after a crash or truncation is told apart from the lost one.
 */
public abstract class StorageContractTest {
    /** Records per log file in {@link #config(Path)}. */
    protected static final int RECORDS_PER_FILE = 10;
    private static final byte[] MARK = {'P', 'K', 'I', 'T'};

    @TempDir
    protected Path tempDir;

    /** The engine's provider, as ServiceLoader finds it. */
    protected abstract StorageProvider provider();

    /** Opens the engine over {@code io}, exactly as {@code provider().open(config)} does over the real file system. */
    protected abstract Storage open(StorageConfig config, FileIo io) throws IOException;

    /** Whether the engine starts a new log file every {@code txnsPerLogFileMax} records (purge and gap tests). */
    protected boolean rollsEveryTxnsPerLogFileMax() {
        return true;
    }

    /** Small files, so the tests roll the log often. Separate data and log folders, as in production setups. */
    protected StorageConfig config(Path base) {
        return new StorageConfig(base.resolve("data"), base.resolve("datalog"), 16 * 1024, RECORDS_PER_FILE, true,
                Map.of());
    }

    protected final StorageConfig config() {
        return config(tempDir);
    }

    protected final Storage openReal() throws IOException {
        return open(config(), FileIo.system());
    }

    // ---------------------------------------------------------------- records

    public static long z(int n) {
        return Zxid.of(1, n);
    }

    /** Payload sizes vary from 20 to 319 bytes. */
    public static int size(int n) {
        return 20 + (n * 37) % 300;
    }

    /** {@code size} bytes: "PKIT", the zxid, the generation, then non-zero filler; empty if size is 0. */
    public static ByteBuffer payload(long zxid, int generation, int size) {
        ByteBuffer b = ByteBuffer.allocate(size);
        if (size == 0) {
            return b;
        }
        if (size < 16) {
            throw new IllegalArgumentException("payloads are empty or at least 16 bytes");
        }
        b.put(MARK).putLong(zxid).putInt(generation);
        for (int i = 16; i < size; i++) {
            b.put((byte) (1 + Math.floorMod(zxid * 7 + generation * 13L + i, 250)));
        }
        return b.flip();
    }

    public static ByteBuffer payload(int n, int generation) {
        return payload(z(n), generation, size(n));
    }

    /** One record as read back. */
    public record Rec(long zxid, byte[] txn) {}

    public static List<Rec> readAfter(TxnLog log, long after) throws IOException {
        List<Rec> out = new ArrayList<>();
        try (TxnCursor c = log.readAfter(after)) {
            while (c.next()) {
                ByteBuffer b = c.txn().duplicate();
                byte[] a = new byte[b.remaining()];
                b.get(a);
                out.add(new Rec(c.zxid(), a));
            }
        }
        return out;
    }

    public static void append(TxnLog log, int from, int to, int generation) throws IOException {
        for (int n = from; n <= to; n++) {
            log.append(z(n), payload(n, generation));
        }
    }

    /** {@code got} holds records {@code from..to}, generation 0 unless listed in {@code generations}. */
    public static void assertRecords(List<Rec> got, int from, int to) {
        assertRecords(got, from, to, Map.of());
    }

    public static void assertRecords(List<Rec> got, int from, int to, Map<Integer, Integer> generations) {
        List<Long> want = new ArrayList<>();
        for (int n = from; n <= to; n++) {
            want.add(z(n));
        }
        assertEquals(hex(want), hex(got.stream().map(Rec::zxid).toList()), "zxids read back");
        for (int i = 0; i < got.size(); i++) {
            int n = from + i;
            byte[] expected = array(payload(n, generations.getOrDefault(n, 0)));
            assertArrayEquals(expected, got.get(i).txn(), "payload of record " + n);
        }
    }

    private static List<String> hex(List<Long> zxids) {
        return zxids.stream().map(Long::toHexString).toList();
    }

    private static byte[] array(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    /** What was appended, in order (zxid n is record n, generation per record), and how much of it was synced. */
    public static final class History {
        final List<Integer> generations = new ArrayList<>();
        int synced;

        public int appended() {
            return generations.size();
        }

        public void append(TxnLog log, int generation) throws IOException {
            int n = generations.size() + 1;
            log.append(z(n), payload(n, generation));
            generations.add(generation);
        }

        public void sync(TxnLog log) throws IOException {
            log.sync();
            synced = generations.size();
        }

        /** {@code got} is records 1..k of this history for some k with synced <= k <= appended. */
        public void assertPrefix(List<Rec> got, String context) {
            assertTrue(got.size() >= synced, context + ": " + got.size() + " records survived, " + synced
                    + " were synced");
            assertTrue(got.size() <= appended(), context + ": more records than were appended");
            for (int i = 0; i < got.size(); i++) {
                int n = i + 1;
                assertEquals(z(n), got.get(i).zxid(), context + ": zxid of record " + n);
                assertArrayEquals(array(payload(n, generations.get(i))), got.get(i).txn(),
                        context + ": payload of record " + n);
            }
        }
    }

    // ---------------------------------------------------------------- damage

    /** Where a record's payload starts on disk. */
    public record Location(Path file, long offset) {}

    /** Finds the payload of record {@code n} (generation) in the files under dataLogDir. */
    protected Optional<Location> locate(int n, int generation) throws IOException {
        byte[] needle = Arrays.copyOf(array(payload(n, generation)), 16);
        try (Stream<Path> files = Files.walk(config().dataLogDir())) {
            for (Path f : (Iterable<Path>) files::iterator) {
                // reading a lock file would drop this JVM's lock on it (POSIX), and it holds no record
                if (!Files.isRegularFile(f) || f.getFileName().toString().equals(DirectoryLock.FILE_NAME)) {
                    continue;
                }
                byte[] content = Files.readAllBytes(f);
                int at = indexOf(content, needle);
                if (at >= 0) {
                    return Optional.of(new Location(f, at));
                }
            }
        }
        return Optional.empty();
    }

    protected Location locate(int n) throws IOException {
        return locate(n, 0).orElseThrow(() -> new AssertionError("record " + n + " not found under dataLogDir"));
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    public static byte readByte(Path file, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            return b.get(0);
        }
    }

    public static void writeBytes(Path file, long offset, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b, offset + b.position());
            }
        }
    }

    /** Flips the lowest bit of one byte: the smallest damage there is. */
    public static void flipBit(Path file, long offset) throws IOException {
        writeBytes(file, offset, new byte[] {(byte) (readByte(file, offset) ^ 1)});
    }

    public static void zeroByte(Path file, long offset) throws IOException {
        assertNotEquals(0, readByte(file, offset), "zeroing a byte that is already zero damages nothing");
        writeBytes(file, offset, new byte[1]);
    }

    /** Zeroes from {@code offset} to the end of the file, as a write that never reached the disk. */
    public static void zeroFrom(Path file, long offset) throws IOException {
        long size = Files.size(file);
        writeBytes(file, offset, new byte[(int) (size - offset)]);
    }

    public static void truncate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    private Path snapshotFile(long zxid) {
        return config().dataDir().resolve(FileNames.VERSION_DIR).resolve(FileNames.snapshot(zxid));
    }

    // ---------------------------------------------------------------- log round trips

    @Test
    void emptyStorageHoldsNothing() throws IOException {
        try (Storage s = openReal()) {
            assertEquals(Zxid.NONE, s.log().lastZxid());
            assertEquals(List.of(), readAfter(s.log(), Zxid.NONE));
            assertEquals(List.of(), s.snapshots().list());
            assertTrue(s.snapshots().openLatest().isEmpty());
            assertEquals(OptionalLong.empty(), s.values().get("acceptedEpoch"));
            s.log().sync();
        }
    }

    @Test
    void appendedRecordsReadBackInOrderAcrossFileRollsAndReopen() throws IOException {
        try (Storage s = openReal()) {
            TxnLog log = s.log();
            for (int n = 1; n <= 35; n++) {
                log.append(z(n), payload(n, 0));
                assertEquals(z(n), log.lastZxid());
                if (n % 7 == 0) {
                    log.sync();
                }
            }
            log.sync();
            assertRecords(readAfter(log, Zxid.NONE), 1, 35);
            assertRecords(readAfter(log, z(12)), 13, 35);
            assertRecords(readAfter(log, z(10)), 11, 35);
            assertRecords(readAfter(log, z(35)), 36, 35);
        }
        try (Storage s = openReal()) {
            TxnLog log = s.log();
            assertEquals(z(35), log.lastZxid());
            assertRecords(readAfter(log, Zxid.NONE), 1, 35);
            assertRecords(readAfter(log, z(20)), 21, 35);
            append(log, 36, 40, 0);
            log.sync();
        }
        try (Storage s = openReal()) {
            assertRecords(readAfter(s.log(), Zxid.NONE), 1, 40);
        }
    }

    @Test
    void largeAndEmptyRecordsRoundTrip() throws IOException {
        ByteBuffer big = payload(z(2), 0, 3 * 1024 * 1024 + 17);
        try (Storage s = openReal()) {
            s.log().append(z(1), payload(z(1), 0, 0));
            s.log().append(z(2), big.duplicate());
            s.log().append(z(3), payload(3, 0));
            s.log().sync();
        }
        try (Storage s = openReal()) {
            List<Rec> got = readAfter(s.log(), Zxid.NONE);
            assertEquals(3, got.size());
            assertEquals(0, got.get(0).txn().length);
            assertArrayEquals(array(big), got.get(1).txn());
            assertArrayEquals(array(payload(3, 0)), got.get(2).txn());
        }
    }

    @Test
    void appendLeavesTheCallersBufferAlone() throws IOException {
        try (Storage s = openReal()) {
            ByteBuffer b = payload(1, 0);
            int position = b.position();
            s.log().append(z(1), b);
            assertEquals(position, b.position());
            s.log().sync();
            assertRecords(readAfter(s.log(), Zxid.NONE), 1, 1);
        }
    }

    @Test
    void zxidsMustStrictlyIncrease() throws IOException {
        try (Storage s = openReal()) {
            TxnLog log = s.log();
            assertThrows(IllegalArgumentException.class, () -> log.append(Zxid.NONE, payload(1, 0)));
            append(log, 1, 2, 0);
            assertThrows(IllegalArgumentException.class, () -> log.append(z(2), payload(2, 1)));
            assertThrows(IllegalArgumentException.class, () -> log.append(z(1), payload(1, 1)));
            append(log, 3, 3, 0);
            log.sync();
            assertRecords(readAfter(log, Zxid.NONE), 1, 3);
        }
        try (Storage s = openReal()) {
            assertThrows(IllegalArgumentException.class, () -> s.log().append(z(3), payload(3, 1)));
            append(s.log(), 4, 4, 0);
            s.log().sync();
            assertRecords(readAfter(s.log(), Zxid.NONE), 1, 4);
        }
    }

    @Test
    void aCursorOpenedBeforeLaterAppendsReadsOnlyWholeRecords() throws IOException {
        try (Storage s = openReal()) {
            TxnLog log = s.log();
            History h = new History();
            for (int i = 0; i < 10; i++) {
                h.append(log, 0);
            }
            h.sync(log);
            List<Rec> got = new ArrayList<>();
            try (TxnCursor c = log.readAfter(Zxid.NONE)) {
                for (int i = 0; i < 25; i++) {
                    h.append(log, 0);
                    if (i % 4 == 0) {
                        h.sync(log);
                    }
                    if (i % 3 == 0 && c.next()) {
                        got.add(new Rec(c.zxid(), array(c.txn())));
                    }
                }
                while (c.next()) {
                    got.add(new Rec(c.zxid(), array(c.txn())));
                }
            }
            h.synced = 10;
            h.assertPrefix(got, "concurrent cursor");
        }
    }

    // ---------------------------------------------------------------- truncate and purge

    @Test
    void truncateAfterRemovesLaterRecordsAcrossFiles() throws IOException {
        try (Storage s = openReal()) {
            TxnLog log = s.log();
            append(log, 1, 35, 0);
            log.sync();
            log.truncateAfter(z(40));
            assertEquals(z(35), log.lastZxid());
            log.truncateAfter(z(17));
            assertEquals(z(17), log.lastZxid());
            assertRecords(readAfter(log, Zxid.NONE), 1, 17);
            assertThrows(IllegalArgumentException.class, () -> log.append(z(17), payload(17, 1)));
            append(log, 18, 19, 1);
            log.sync();
        }
        try (Storage s = openReal()) {
            assertEquals(z(19), s.log().lastZxid());
            assertRecords(readAfter(s.log(), Zxid.NONE), 1, 19, Map.of(18, 1, 19, 1));
        }
    }

    @Test
    void truncateAfterDropsUnsyncedRecordsToo() throws IOException {
        try (Storage s = openReal()) {
            TxnLog log = s.log();
            append(log, 1, 12, 0);
            log.sync();
            append(log, 13, 15, 0);
            log.truncateAfter(z(11));
            assertEquals(z(11), log.lastZxid());
            append(log, 12, 12, 1);
            log.sync();
            assertRecords(readAfter(log, Zxid.NONE), 1, 12, Map.of(12, 1));
        }
    }

    @Test
    void truncateAfterIsDurableOnReturn() throws IOException {
        for (FaultyFileIo.Crash mode : FaultyFileIo.Crash.values()) {
            Path base = tempDir.resolve("trunc-" + mode);
            FaultyFileIo io = new FaultyFileIo(base, 7);
            Storage s = open(config(base), io);
            append(s.log(), 1, 35, 0);
            s.log().sync();
            s.log().truncateAfter(z(12));
            io.crash(mode);
            s.close();
            try (Storage again = open(config(base), io)) {
                assertRecords(readAfter(again.log(), Zxid.NONE), 1, 12);
            }
        }
    }

    @Test
    void truncateAfterEverythingLeavesAnEmptyLogThatAcceptsNewRecords() throws IOException {
        try (Storage s = openReal()) {
            append(s.log(), 1, 15, 0);
            s.log().sync();
            s.log().truncateAfter(Zxid.NONE);
            assertEquals(Zxid.NONE, s.log().lastZxid());
            assertEquals(List.of(), readAfter(s.log(), Zxid.NONE));
            append(s.log(), 1, 2, 1);
            s.log().sync();
        }
        try (Storage s = openReal()) {
            assertRecords(readAfter(s.log(), Zxid.NONE), 1, 2, Map.of(1, 1, 2, 1));
        }
    }

    @Test
    void purgeKeepsEverythingAfterTheZxidAndReadsBelowThePurgedStartAreRefused() throws IOException {
        try (Storage s = openReal()) {
            append(s.log(), 1, 55, 0);
            s.log().sync();
            s.log().purgeUpTo(z(30));
            assertEquals(z(55), s.log().lastZxid());
            assertRecords(readAfter(s.log(), z(30)), 31, 55);
            if (rollsEveryTxnsPerLogFileMax()) {
                assertTrue(locate(1, 0).isEmpty(), "the oldest file holds only records <= z(30)");
                assertTrue(locate(21, 0).isPresent(), "the file that precedes the first record after z(30) stays");
            }
            assertReadAfterIsCompleteOrRefused(s.log(), 55);
        }
        try (Storage s = openReal()) {
            assertRecords(readAfter(s.log(), z(30)), 31, 55);
            assertReadAfterIsCompleteOrRefused(s.log(), 55);
            append(s.log(), 56, 56, 0);
            s.log().sync();
            assertRecords(readAfter(s.log(), z(50)), 51, 56);
        }
    }

    /** readAfter(NONE) returns records 1..last, or, when the start was purged, refuses. */
    private void assertReadAfterIsCompleteOrRefused(TxnLog log, int last) throws IOException {
        if (locate(1, 0).isPresent()) {
            assertRecords(readAfter(log, Zxid.NONE), 1, last);
        } else {
            assertThrows(StorageCorruptException.class, () -> readAfter(log, Zxid.NONE));
        }
    }

    @Test
    void purgeNeverDeletesWhatTheWriterStillNeeds() throws IOException {
        try (Storage s = openReal()) {
            append(s.log(), 1, 25, 0);
            s.log().sync();
            s.log().purgeUpTo(z(25));
            s.log().purgeUpTo(Long.MAX_VALUE);
            assertEquals(z(25), s.log().lastZxid());
            assertEquals(List.of(), readAfter(s.log(), z(25)));
            append(s.log(), 26, 27, 0);
            s.log().sync();
        }
        try (Storage s = openReal()) {
            assertEquals(z(27), s.log().lastZxid());
            assertRecords(readAfter(s.log(), z(25)), 26, 27);
        }
    }

    @Test
    void aMissingLogFileInTheMiddleRefusesToOpen() throws IOException {
        if (!rollsEveryTxnsPerLogFileMax()) {
            return;
        }
        removeAMiddleLogFile();
        StorageCorruptException e = assertThrows(StorageCorruptException.class, this::openReal);
        assertFalse(e.getMessage().isBlank());
    }

    /** A log file deleted from disk, and what it held. */
    private record Removed(Path file, byte[] content) {}

    /** Writes records 1..35 over four files and deletes the one that holds record 15: a gap in the log. */
    private Removed removeAMiddleLogFile() throws IOException {
        try (Storage s = openReal()) {
            append(s.log(), 1, 35, 0);
            s.log().sync();
        }
        Path middle = locate(15).file();
        assertNotEquals(locate(1).file(), middle);
        assertNotEquals(locate(35).file(), middle);
        Removed removed = new Removed(middle, Files.readAllBytes(middle));
        Files.delete(middle);
        return removed;
    }

    // ---------------------------------------------------------------- damaged tails and middles

    private void write25Records() throws IOException {
        try (Storage s = openReal()) {
            append(s.log(), 1, 25, 0);
            s.log().sync();
        }
    }

    /** After the damage, opening cuts record 25 and nothing else, and the log goes on from record 24. */
    private void assertLastRecordWasCut() throws IOException {
        try (Storage s = openReal()) {
            assertEquals(z(24), s.log().lastZxid());
            assertRecords(readAfter(s.log(), Zxid.NONE), 1, 24);
            append(s.log(), 25, 26, 1);
            s.log().sync();
        }
        try (Storage s = openReal()) {
            assertRecords(readAfter(s.log(), Zxid.NONE), 1, 26, Map.of(25, 1, 26, 1));
        }
    }

    @Test
    void aTornTailIsCutAtTheLastValidRecord() throws IOException {
        write25Records();
        Location last = locate(25);
        zeroFrom(last.file(), last.offset() + size(25) / 2);
        assertLastRecordWasCut();
    }

    @Test
    void aFileThatEndsInsideTheLastRecordIsCut() throws IOException {
        write25Records();
        Location last = locate(25);
        truncate(last.file(), last.offset() + 3);
        assertLastRecordWasCut();
    }

    @Test
    void garbageAfterTheLastRecordIsCutAndNothingIsLost() throws IOException {
        write25Records();
        Location last = locate(25);
        byte[] garbage = new byte[300];
        new Random(42).nextBytes(garbage);
        writeBytes(last.file(), last.offset() + size(25), garbage);
        try (Storage s = openReal()) {
            assertRecords(readAfter(s.log(), Zxid.NONE), 1, 25);
            append(s.log(), 26, 26, 0);
            s.log().sync();
        }
        try (Storage s = openReal()) {
            assertRecords(readAfter(s.log(), Zxid.NONE), 1, 26);
        }
    }

    @Test
    void aFlippedBitInTheLastRecordIsCut() throws IOException {
        write25Records();
        Location last = locate(25);
        flipBit(last.file(), last.offset() + size(25) / 2);
        assertLastRecordWasCut();
    }

    @Test
    void aZeroedByteInTheLastRecordIsCut() throws IOException {
        write25Records();
        Location last = locate(25);
        zeroByte(last.file(), last.offset() + 17);
        assertLastRecordWasCut();
    }

    @Test
    void aFlippedBitInAnEarlierRecordOfTheLastFileRefusesToOpen() throws IOException {
        write25Records();
        Location l = locate(23);
        flipBit(l.file(), l.offset() + size(23) / 2);
        assertRefusesNaming(l.file());
    }

    @Test
    void aZeroedByteInAnEarlierRecordOfTheLastFileRefusesToOpen() throws IOException {
        write25Records();
        Location l = locate(22);
        zeroByte(l.file(), l.offset() + 20);
        assertRefusesNaming(l.file());
    }

    @Test
    void aFlippedBitInAnOlderFileRefusesToOpen() throws IOException {
        write25Records();
        Location l = locate(5);
        flipBit(l.file(), l.offset() + 4);
        assertRefusesNaming(l.file());
    }

    @Test
    void aZeroedByteInTheLastRecordOfAnOlderFileRefusesToOpen() throws IOException {
        write25Records();
        Location l = locate(10);
        zeroByte(l.file(), l.offset() + 18);
        assertRefusesNaming(l.file());
    }

    @Test
    void aDamagedRecordLengthInTheMiddleRefusesToOpen() throws IOException {
        write25Records();
        // the bytes right before a payload belong to the record's framing in any sane format
        Location l = locate(22);
        flipBit(l.file(), l.offset() - 9);
        assertThrows(StorageCorruptException.class, this::openReal);
    }

    private void assertRefusesNaming(Path file) {
        StorageCorruptException e = assertThrows(StorageCorruptException.class, this::openReal);
        assertTrue(e.getMessage().contains(file.getFileName().toString()),
                "the refusal names the damaged file: " + e.getMessage());
    }

    // ---------------------------------------------------------------- snapshots

    private static byte[] snapshotBytes(int seed, int length) {
        byte[] b = new byte[length];
        Random r = new Random(seed);
        for (int i = 0; i < length; i++) {
            // half compressible text, half noise, so both chunk kinds occur
            b[i] = (i / 50_000) % 2 == 0 ? (byte) ("/app/node-" + (i % 97)).charAt(i % 8) : (byte) r.nextInt();
        }
        return b;
    }

    private static void writeSnapshot(SnapshotStore store, long zxid, byte[] content) throws IOException {
        try (SnapshotStore.SnapshotWriter w = store.begin(zxid)) {
            OutputStream out = w.stream();
            int at = 0;
            int step = 1;
            while (at < content.length) {
                int n = Math.min(step, content.length - at);
                out.write(content, at, n);
                at += n;
                step = step * 3 + 1;
            }
            w.commit();
        }
    }

    private static byte[] readLatest(SnapshotStore store, long expectedZxid) throws IOException {
        Optional<SnapshotStore.SnapshotReader> latest = store.openLatest();
        assertTrue(latest.isPresent(), "a snapshot is found");
        try (SnapshotStore.SnapshotReader r = latest.get(); InputStream in = r.stream()) {
            assertEquals(Long.toHexString(expectedZxid), Long.toHexString(r.zxid()));
            return in.readAllBytes();
        }
    }

    @Test
    void snapshotsRoundTripAndTheNewestIsOpened() throws IOException {
        byte[] a = snapshotBytes(1, 300_000);
        byte[] b = snapshotBytes(2, 150_001);
        try (Storage s = openReal()) {
            writeSnapshot(s.snapshots(), z(10), a);
            assertArrayEquals(a, readLatest(s.snapshots(), z(10)));
            writeSnapshot(s.snapshots(), z(20), b);
            writeSnapshot(s.snapshots(), z(15), new byte[0]);
            assertEquals(List.of(z(20), z(15), z(10)), s.snapshots().list());
        }
        try (Storage s = openReal()) {
            assertArrayEquals(b, readLatest(s.snapshots(), z(20)));
            try (SnapshotStore.SnapshotReader r = s.snapshots().open(z(10)).orElseThrow();
                    InputStream in = r.stream()) {
                assertEquals(z(10), r.zxid());
                assertArrayEquals(a, in.readAllBytes(), "an older snapshot opened by its zxid");
            }
            assertTrue(s.snapshots().open(z(11)).isEmpty());
        }
    }

    @Test
    void anUncommittedSnapshotIsInvisibleAndLeavesNoFile() throws IOException {
        try (Storage s = openReal()) {
            try (SnapshotStore.SnapshotWriter w = s.snapshots().begin(z(5))) {
                w.stream().write(snapshotBytes(3, 100_000));
            }
            assertEquals(List.of(), s.snapshots().list());
            assertTrue(s.snapshots().openLatest().isEmpty());
        }
        try (Stream<Path> files = Files.walk(config().dataDir())) {
            assertEquals(List.of(), files.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().startsWith(FileNames.SNAPSHOT_PREFIX)).toList());
        }
    }

    @Test
    void retainNewestKeepsTheNewestSnapshots() throws IOException {
        try (Storage s = openReal()) {
            for (int n = 1; n <= 5; n++) {
                writeSnapshot(s.snapshots(), z(n * 10), snapshotBytes(n, 1000));
            }
            s.snapshots().retainNewest(2);
            assertEquals(List.of(z(50), z(40)), s.snapshots().list());
            s.snapshots().retainNewest(5);
            assertEquals(List.of(z(50), z(40)), s.snapshots().list());
            assertThrows(IllegalArgumentException.class, () -> s.snapshots().retainNewest(0));
        }
        try (Storage s = openReal()) {
            assertEquals(List.of(z(50), z(40)), s.snapshots().list());
        }
    }

    @Test
    void aDamagedNewestSnapshotFallsBackToThePreviousOne() throws IOException {
        byte[] old = snapshotBytes(1, 200_000);
        try (Storage s = openReal()) {
            writeSnapshot(s.snapshots(), z(10), old);
            writeSnapshot(s.snapshots(), z(20), snapshotBytes(2, 200_000));
        }
        Path newest = snapshotFile(z(20));
        flipBit(newest, Files.size(newest) / 2);
        try (Storage s = openReal()) {
            assertArrayEquals(old, readLatest(s.snapshots(), z(10)));
        }
        flipBit(snapshotFile(z(10)), 100);
        try (Storage s = openReal()) {
            assertTrue(s.snapshots().openLatest().isEmpty());
        }
    }

    @Test
    void anIncompleteSnapshotIsNotListedAndIsSkipped() throws IOException {
        byte[] old = snapshotBytes(1, 70_000);
        try (Storage s = openReal()) {
            writeSnapshot(s.snapshots(), z(10), old);
            writeSnapshot(s.snapshots(), z(20), snapshotBytes(2, 70_000));
        }
        Path newest = snapshotFile(z(20));
        truncate(newest, Files.size(newest) - 10);
        try (Storage s = openReal()) {
            assertEquals(List.of(z(10)), s.snapshots().list());
            assertArrayEquals(old, readLatest(s.snapshots(), z(10)));
        }
    }

    @Test
    void theOnlySnapshotDamagedWithThePurgedLogStartIsRefusedByReadAfter() throws IOException {
        try (Storage s = openReal()) {
            append(s.log(), 1, 45, 0);
            s.log().sync();
            writeSnapshot(s.snapshots(), z(30), snapshotBytes(1, 5000));
            s.log().purgeUpTo(z(30));
        }
        flipBit(snapshotFile(z(30)), 60);
        try (Storage s = openReal()) {
            assertTrue(s.snapshots().openLatest().isEmpty());
            if (locate(1, 0).isEmpty()) {
                // recovery would replay from the beginning, but the beginning is gone: refuse (ZOOKEEPER-2325)
                assertThrows(StorageCorruptException.class, () -> readAfter(s.log(), Zxid.NONE));
            }
        }
    }

    @Test
    void aCommittedSnapshotSurvivesPowerLossAndAnUnfinishedOneVanishes() throws IOException {
        for (FaultyFileIo.Crash mode : FaultyFileIo.Crash.values()) {
            Path base = tempDir.resolve("snap-" + mode);
            FaultyFileIo io = new FaultyFileIo(base, 3);
            byte[] committed = snapshotBytes(1, 120_000);
            Storage s = open(config(base), io);
            writeSnapshot(s.snapshots(), z(10), committed);
            SnapshotStore.SnapshotWriter w = s.snapshots().begin(z(20));
            w.stream().write(snapshotBytes(2, 120_000));
            io.crash(mode);
            s.close();
            try (Storage again = open(config(base), io)) {
                assertEquals(List.of(z(10)), again.snapshots().list());
                assertArrayEquals(committed, readLatest(again.snapshots(), z(10)));
            }
        }
    }

    // ---------------------------------------------------------------- durable values

    @Test
    void durableValuesAreReplacedAndSurviveReopen() throws IOException {
        try (Storage s = openReal()) {
            assertEquals(OptionalLong.empty(), s.values().get("acceptedEpoch"));
            s.values().put("acceptedEpoch", 5);
            s.values().put("currentEpoch", 4);
            s.values().put("acceptedEpoch", 7);
            assertEquals(OptionalLong.of(7), s.values().get("acceptedEpoch"));
        }
        try (Storage s = openReal()) {
            assertEquals(OptionalLong.of(7), s.values().get("acceptedEpoch"));
            assertEquals(OptionalLong.of(4), s.values().get("currentEpoch"));
        }
    }

    @Test
    void aDurableValueIsTheOldOrTheNewOneAfterACrashAtAnyStepOfPut() throws IOException {
        int run = 0;
        for (FaultyFileIo.Crash mode : FaultyFileIo.Crash.values()) {
            for (int ok = 0; ok <= 3; ok++) {
                for (boolean failForce : new boolean[] {true, false}) {
                    Path base = tempDir.resolve("value-" + run++);
                    FaultyFileIo io = new FaultyFileIo(base, run);
                    Storage s = open(config(base), io);
                    s.values().put("currentEpoch", 1);
                    if (failForce) {
                        io.failForcesAfter(ok);
                    } else {
                        io.failWritesAfter(ok);
                    }
                    boolean returned;
                    try {
                        s.values().put("currentEpoch", 2);
                        returned = true;
                    } catch (IOException e) {
                        returned = false;
                    }
                    io.crash(mode);
                    s.close();
                    try (Storage again = open(config(base), io)) {
                        long value = again.values().get("currentEpoch").orElseThrow();
                        String context = mode + ", fault after " + ok + (failForce ? " fsyncs" : " writes");
                        if (returned) {
                            assertEquals(2, value, context + ": put returned, so the new value is durable");
                        } else {
                            assertTrue(value == 1 || value == 2, context + ": got " + value);
                        }
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- power loss and I/O errors

    @Test
    void powerLossKeepsAPrefixOfTheHistoryWithEverySyncedRecord() throws IOException {
        for (FaultyFileIo.Crash mode : FaultyFileIo.Crash.values()) {
            for (int seed = 1; seed <= 12; seed++) {
                Path base = tempDir.resolve("power-" + mode + "-" + seed);
                FaultyFileIo io = new FaultyFileIo(base, seed);
                Random random = new Random(seed);
                History h = new History();
                Storage s = open(config(base), io);
                int count = 20 + random.nextInt(40);
                for (int i = 0; i < count; i++) {
                    h.append(s.log(), 0);
                    if (random.nextInt(4) == 0) {
                        h.sync(s.log());
                    }
                }
                io.crash(mode);
                s.close();
                recoverRewriteAndRecoverAgain(base, io, mode, h, 15, mode + " seed " + seed);
            }
        }
    }

    /**
     * A roll is where an engine switches files, possibly to one it prepared ahead (a spare). Two records are appended
     * unsynced before the roll, so the old file has data to force. Every fsync of the roll and of the sync after it
     * fails in turn (the k-th one, k = 0..7), then the power goes: the synced records all come back, whatever spare
     * or half-switched file the crash left, and the log takes new records and survives a second crash whole.
     */
    @Test
    void powerLossAtEveryFsyncOfARollKeepsEverySyncedRecord() throws IOException {
        for (FaultyFileIo.Crash mode : FaultyFileIo.Crash.values()) {
            for (int k = 0; k <= 7; k++) {
                Path base = tempDir.resolve("roll-" + mode + "-" + k);
                FaultyFileIo io = new FaultyFileIo(base, k + 1);
                History h = new History();
                Storage s = open(config(base), io);
                for (int i = 0; i < RECORDS_PER_FILE - 2; i++) {
                    h.append(s.log(), 0);
                }
                h.sync(s.log());
                io.failForcesAfter(k);
                try {
                    for (int i = 0; i < 5; i++) {
                        h.append(s.log(), 0);
                    }
                    h.sync(s.log());
                } catch (IOException expected) {
                    // the injected fsync failure: nothing after the first sync was acknowledged
                }
                io.heal();
                io.crash(mode);
                s.close();
                recoverRewriteAndRecoverAgain(base, io, mode, h, 2 * RECORDS_PER_FILE,
                        mode + ", fsync " + k + " of the roll failed");
            }
        }
    }

    /**
     * After a power loss: the log reopens with a prefix of the history; the lost tail is written again with other
     * payloads ({@code rewrite} records, synced) and the power goes once more; then every synced record is there and
     * none of the lost ones ever comes back.
     */
    private void recoverRewriteAndRecoverAgain(Path base, FaultyFileIo io, FaultyFileIo.Crash mode, History h,
            int rewrite, String context) throws IOException {
        try (Storage again = open(config(base), io)) {
            List<Rec> got = readAfter(again.log(), Zxid.NONE);
            h.assertPrefix(got, context);
            int survived = got.size();
            assertEquals(survived == 0 ? Zxid.NONE : z(survived), again.log().lastZxid(), context);
            while (h.appended() > survived) {
                h.generations.remove(h.generations.size() - 1);
            }
            for (int i = 0; i < rewrite; i++) {
                h.append(again.log(), 1);
            }
            h.sync(again.log());
            io.crash(mode);
        }
        try (Storage third = open(config(base), io)) {
            List<Rec> got = readAfter(third.log(), Zxid.NONE);
            assertEquals(h.appended(), got.size(), context + ": everything was synced");
            h.assertPrefix(got, context + " after the second crash");
        }
    }

    @Test
    void aWriteErrorPoisonsTheLogUntilItIsReopened() throws IOException {
        Path base = tempDir.resolve("eio-write");
        FaultyFileIo io = new FaultyFileIo(base, 1);
        History h = new History();
        Storage s = open(config(base), io);
        for (int i = 0; i < 12; i++) {
            h.append(s.log(), 0);
        }
        h.sync(s.log());
        io.failWritesAfter(0);
        assertThrows(IOException.class, () -> {
            for (int i = 0; i < 8; i++) {
                h.append(s.log(), 0);
            }
            s.log().sync();
        });
        io.heal();
        assertThrows(IOException.class, () -> s.log().append(z(h.appended() + 1), payload(h.appended() + 1, 0)));
        assertThrows(IOException.class, () -> s.log().sync());
        s.close();
        try (Storage again = open(config(base), io)) {
            h.assertPrefix(readAfter(again.log(), Zxid.NONE), "reopened after EIO on write");
        }
        io.crash(FaultyFileIo.Crash.DROP_UNSYNCED);
        try (Storage again = open(config(base), io)) {
            h.assertPrefix(readAfter(again.log(), Zxid.NONE), "EIO on write, then power loss");
        }
    }

    @Test
    void anFsyncErrorPoisonsTheLogAndIsNeverRetriedOnTheSameFile() throws IOException {
        Path base = tempDir.resolve("eio-fsync");
        FaultyFileIo io = new FaultyFileIo(base, 1);
        History h = new History();
        Storage s = open(config(base), io);
        for (int i = 0; i < 12; i++) {
            h.append(s.log(), 0);
        }
        h.sync(s.log());
        io.failForcesAfter(0);
        for (int i = 0; i < 6; i++) {
            h.append(s.log(), 0);
        }
        assertThrows(IOException.class, () -> s.log().sync());
        io.heal();
        long forces = io.forces();
        assertThrows(IOException.class, () -> s.log().sync(), "a second sync would report success for lost pages");
        assertEquals(forces, io.forces(), "no fsync retried after a failed one");
        assertThrows(IOException.class, () -> s.log().append(z(h.appended() + 1), payload(h.appended() + 1, 0)));
        s.close();
        io.crash(FaultyFileIo.Crash.DROP_UNSYNCED);
        try (Storage again = open(config(base), io)) {
            List<Rec> got = readAfter(again.log(), Zxid.NONE);
            h.assertPrefix(got, "fsync failed, then power loss");
            assertEquals(12, got.size(), "the batch whose fsync failed did not reach the disk");
        }
    }

    @Test
    void aFullDiskFailsWithIOExceptionAndLosesNothingAcknowledged() throws IOException {
        Path base = tempDir.resolve("enospc");
        FaultyFileIo io = new FaultyFileIo(base, 1);
        History h = new History();
        Storage s = open(config(base), io);
        for (int i = 0; i < 5; i++) {
            h.append(s.log(), 0);
        }
        h.sync(s.log());
        io.limitSpace(io.bytesUsed() + 40 * 1024);
        boolean full = false;
        for (int i = 0; i < 2000 && !full; i++) {
            try {
                h.append(s.log(), 0);
                if (i % 3 == 0) {
                    h.sync(s.log());
                }
            } catch (IOException e) {
                full = true;
            }
        }
        assertTrue(full, "writes failed once the space was used up");
        assertThrows(IOException.class, () -> s.log().sync());
        s.close();
        io.heal();
        try (Storage again = open(config(base), io)) {
            h.assertPrefix(readAfter(again.log(), Zxid.NONE), "reopened after ENOSPC");
        }
        io.crash(FaultyFileIo.Crash.DROP_UNSYNCED);
        try (Storage again = open(config(base), io)) {
            h.assertPrefix(readAfter(again.log(), Zxid.NONE), "ENOSPC, then power loss");
        }
    }

    // ---------------------------------------------------------------- folder locks

    /** {@code config(base)}'s settings over other folders. */
    protected final StorageConfig config(Path dataDir, Path dataLogDir) {
        StorageConfig c = config(tempDir);
        return new StorageConfig(dataDir, dataLogDir, c.preAllocBytes(), c.txnsPerLogFileMax(), c.forceSync(),
                c.extra());
    }

    private static IOException assertLocked(StorageConfig config, Path dir, String role,
            Executable open) {
        IOException e = assertThrows(IOException.class, open, "a second open of " + dir);
        assertFalse(e instanceof StorageCorruptException, "a locked folder is not damage: " + e);
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains(role),
                "the refusal names " + role + " " + dir + ": " + e.getMessage());
        return e;
    }

    @Test
    void aSecondOpenOfTheSameFoldersFailsAtOnceUntilTheFirstIsClosed() throws IOException {
        StorageConfig config = config();
        try (Storage first = openReal()) {
            IOException e = assertLocked(config, config.dataDir(), "dataDir", this::openReal);
            assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
            assertLocked(config, config.dataDir(), "dataDir", () -> provider().open(config));
            append(first.log(), 1, 3, 0);
            first.log().sync();
            first.values().put("currentEpoch", 1);
        }
        try (Storage again = openReal()) {
            assertRecords(readAfter(again.log(), Zxid.NONE), 1, 3);
            assertEquals(OptionalLong.of(1), again.values().get("currentEpoch"));
        }
        assertTrue(Files.exists(config.dataDir().resolve(DirectoryLock.FILE_NAME)), "the lock file stays");
        assertTrue(Files.exists(config.dataLogDir().resolve(DirectoryLock.FILE_NAME)), "dataLogDir has its own");
    }

    @Test
    void dataDirAndDataLogDirAreEachLockedOnTheirOwn() throws IOException {
        StorageConfig config = config();
        Path otherData = tempDir.resolve("other-data");
        Path otherLog = tempDir.resolve("other-datalog");
        try (Storage first = openReal()) {
            assertLocked(config, config.dataLogDir(), "dataLogDir",
                    () -> open(config(otherData, config.dataLogDir()), FileIo.system()).close());
            assertLocked(config, config.dataDir(), "dataDir",
                    () -> open(config(config.dataDir(), otherLog), FileIo.system()).close());
            // a refused open took nothing: otherData and otherLog are free
            try (Storage other = open(config(otherData, otherLog), FileIo.system())) {
                assertEquals(Zxid.NONE, other.log().lastZxid());
            }
            append(first.log(), 1, 2, 0);
            first.log().sync();
        }
        try (Storage shared = open(config(otherData, config.dataLogDir()), FileIo.system())) {
            assertRecords(readAfter(shared.log(), Zxid.NONE), 1, 2);
        }
    }

    @Test
    void oneFolderForDataAndLogIsLockedOnce() throws IOException {
        Path one = tempDir.resolve("one");
        StorageConfig config = config(one, one);
        try (Storage s = open(config, FileIo.system())) {
            append(s.log(), 1, 2, 0);
            s.log().sync();
            assertLocked(config, one, "dataDir", () -> open(config, FileIo.system()).close());
            assertLocked(config, one, "dataLogDir", () -> open(config(tempDir.resolve("d2"), one), FileIo.system())
                    .close());
        }
        try (Storage s = open(config, FileIo.system())) {
            assertRecords(readAfter(s.log(), Zxid.NONE), 1, 2);
        }
    }

    @Test
    void anOpenThatFailsReleasesTheLocksItTook() throws IOException {
        if (!rollsEveryTxnsPerLogFileMax()) {
            return;
        }
        Removed middle = removeAMiddleLogFile();
        assertThrows(StorageCorruptException.class, this::openReal);
        assertThrows(StorageCorruptException.class, this::openReal, "the failed open left no lock behind");
        Files.write(middle.file(), middle.content());
        try (Storage s = openReal()) {
            assertRecords(readAfter(s.log(), Zxid.NONE), 1, 35);
        }
    }

    @Test
    void aPowerLossReleasesTheLocksAsADyingProcessDoes() throws IOException {
        Path base = tempDir.resolve("lock-crash");
        FaultyFileIo io = new FaultyFileIo(base, 5);
        StorageConfig config = config(base);
        Storage before = open(config, io);
        append(before.log(), 1, 4, 0);
        before.log().sync();
        assertLocked(config, config.dataDir(), "dataDir", () -> open(config, io));
        io.crash(FaultyFileIo.Crash.DROP_UNSYNCED);
        try (Storage after = open(config, io)) {
            // the storage of the dead "process" closes late; that must not release its successor's locks
            before.close();
            assertLocked(config, config.dataDir(), "dataDir", () -> open(config, io));
            assertRecords(readAfter(after.log(), Zxid.NONE), 1, 4);
        }
    }

    /**
     * The real thing with two processes: a child JVM ({@link LockHolderMain}) is refused while this JVM holds the
     * folders, then holds them itself (this JVM is refused, with the child's pid), and once it is killed with
     * SIGKILL the folders open again here with every record it synced.
     */
    @Test
    void anotherProcessIsRefusedAndAKilledHolderLeavesNoLockBehind() throws Exception {
        StorageConfig config = config();
        Path errors = tempDir.resolve("lock-holder.err");
        try (LockHolderProcess child = LockHolderProcess.start(provider().name(), config, errors,
                provider().getClass(), StorageProvider.class, FileIo.class)) {
            try (Storage mine = openReal()) {
                String refused = child.send("open");
                assertTrue(refused.startsWith(LockHolderMain.REFUSED), refused + "; stderr: " + child.stderr());
                assertTrue(refused.contains(config.dataDir().toString()), refused);
                assertTrue(refused.contains("pid " + ProcessHandle.current().pid()), "names the holder: " + refused);
                append(mine.log(), 1, 3, 0);
                mine.log().sync();
            }
            assertEquals(LockHolderMain.OPENED + child.pid(), child.send("open"), child.stderr());
            assertEquals(LockHolderMain.APPENDED, child.send("append 4 6"), child.stderr());
            IOException e = assertLocked(config, config.dataDir(), "dataDir", this::openReal);
            assertTrue(e.getMessage().contains("pid " + child.pid()), "names the holder: " + e.getMessage());
            assertLocked(config, config.dataDir(), "dataDir", () -> provider().open(config));
            child.kill9();
        }
        try (Storage s = openReal()) {
            assertRecords(readAfter(s.log(), Zxid.NONE), 1, 6);
        }
    }

    // ---------------------------------------------------------------- provider

    @Test
    void theProviderIsNamedAndOpensTheSameStorage() throws IOException {
        StorageProvider provider = provider();
        assertTrue(provider.name().matches("[a-z][a-z0-9]*"), "config name: " + provider.name());
        try (Storage s = provider.open(config())) {
            append(s.log(), 1, 3, 0);
            s.log().sync();
            s.values().put("acceptedEpoch", 3);
        }
        try (Storage s = openReal()) {
            assertRecords(readAfter(s.log(), Zxid.NONE), 1, 3);
            assertEquals(OptionalLong.of(3), s.values().get("acceptedEpoch"));
        }
    }
}
