package io.paddock.storage.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.paddock.api.storage.SnapshotStore;
import io.paddock.api.storage.StorageCorruptException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The snapshot file format and the store's rules, byte by byte where the README promises bytes. */
class FileSnapshotStoreTest {
    @TempDir
    Path dir;
    private final List<String> warnings = new ArrayList<>();

    private FileSnapshotStore store() throws IOException {
        return FileSnapshotStore.open(FileIo.system(), dir, 0, warnings::add);
    }

    private static void write(FileSnapshotStore store, long zxid, byte[] content) throws IOException {
        try (SnapshotStore.SnapshotWriter w = store.begin(zxid)) {
            w.stream().write(content);
            w.commit();
        }
    }

    private static byte[] read(FileSnapshotStore store) throws IOException {
        try (SnapshotStore.SnapshotReader r = store.openLatest().orElseThrow(); InputStream in = r.stream()) {
            return in.readAllBytes();
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void headerChunkAndTrailerAreLaidOutAsTheReadmeSays() throws IOException {
        byte[] content = "abcdefgh".repeat(100).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        FileSnapshotStore store = store();
        write(store, 0x500000007L, content);
        ByteBuffer f = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("snapshot.500000007")));
        assertEquals(0x5044534E, f.getInt(0), "magic PDSN");
        assertEquals(1, f.getInt(4), "format version");
        assertEquals(0L, f.getLong(8), "db id");
        assertEquals(0x500000007L, f.getLong(16), "zxid");
        assertEquals(65536, f.getInt(24), "chunk size");
        assertEquals(Checksums.crc32c(f.array(), 0, 28), f.getInt(28), "header crc");
        int stored = f.getInt(32);
        assertEquals(800, f.getInt(36), "raw length");
        assertTrue(stored < 800, "repetitive text is stored compressed: " + stored);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(f.array(), 32, 8);
        crc.update(f.array(), 44, stored);
        assertEquals((int) crc.getValue(), f.getInt(40), "chunk crc over lengths and stored bytes");
        int trailer = 44 + stored;
        assertEquals(trailer + 32, f.capacity(), "the trailer ends the file");
        assertEquals(-1, f.getInt(trailer), "trailer mark");
        assertEquals(1L, f.getLong(trailer + 4), "chunk count");
        assertEquals(800L, f.getLong(trailer + 12), "raw bytes");
        assertEquals(0x500000007L, f.getLong(trailer + 20), "zxid again");
        assertEquals(Checksums.crc32c(f.array(), trailer, 28), f.getInt(trailer + 28), "trailer crc");
        assertArrayEquals(content, read(store));
    }

    @Test
    void incompressibleChunksAreStoredRawAndChunksHoldAt64KiB() throws IOException {
        byte[] content = random(2 * 65536 + 100, 1);
        FileSnapshotStore store = store();
        write(store, 9, content);
        ByteBuffer f = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("snapshot.9")));
        long at = 32;
        int[] raws = {65536, 65536, 100};
        for (int raw : raws) {
            assertEquals(raw, f.getInt((int) at), "stored == raw: kept uncompressed");
            assertEquals(raw, f.getInt((int) at + 4));
            at += 12 + raw;
        }
        assertEquals(-1, f.getInt((int) at));
        assertArrayEquals(content, read(store));
    }

    @Test
    void anEmptySnapshotIsHeaderAndTrailer() throws IOException {
        FileSnapshotStore store = store();
        write(store, 1, new byte[0]);
        assertEquals(64, Files.size(dir.resolve("snapshot.1")));
        assertArrayEquals(new byte[0], read(store));
    }

    @Test
    void leftoverTempFilesAreDeletedWhenTheStoreOpens() throws IOException {
        Files.write(dir.resolve("snapshot.5.1.tmp"), new byte[100]);
        Files.write(dir.resolve("acceptedEpoch"), new byte[20]);
        store();
        assertFalse(Files.exists(dir.resolve("snapshot.5.1.tmp")));
        assertTrue(Files.exists(dir.resolve("acceptedEpoch")), "other files are left alone");
    }

    @Test
    void closingTheStreamDoesNotCommitAndUseAfterCommitFails() throws IOException {
        FileSnapshotStore store = store();
        try (SnapshotStore.SnapshotWriter w = store.begin(3)) {
            OutputStream out = w.stream();
            out.write(new byte[] {1, 2, 3});
            out.close();
            assertEquals(List.of(), store.list());
            w.commit();
            assertThrows(IOException.class, () -> out.write(4));
            assertThrows(IllegalStateException.class, w::commit);
        }
        assertEquals(List.of(3L), store.list());
        assertArrayEquals(new byte[] {1, 2, 3}, read(store));
    }

    @Test
    void openLatestWarnsOncePerSkippedSnapshotNamingTheFile() throws IOException {
        FileSnapshotStore store = store();
        write(store, 1, random(1000, 1));
        write(store, 2, random(1000, 2));
        Path newest = dir.resolve("snapshot.2");
        byte[] bytes = Files.readAllBytes(newest);
        bytes[500] ^= 1;
        Files.write(newest, bytes);
        assertEquals(List.of(2L, 1L), store.list(), "list checks header and trailer only");
        try (SnapshotStore.SnapshotReader r = store.openLatest().orElseThrow()) {
            assertEquals(1, r.zxid());
        }
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("snapshot.2"), warnings.get(0));
    }

    @Test
    void anyValidSnapshotCanBeOpenedByItsZxid() throws IOException {
        FileSnapshotStore store = store();
        write(store, 1, random(1000, 1));
        write(store, 2, random(1000, 2));
        try (SnapshotStore.SnapshotReader r = store.open(1).orElseThrow(); InputStream in = r.stream()) {
            assertEquals(1, r.zxid());
            assertArrayEquals(random(1000, 1), in.readAllBytes());
        }
        assertTrue(store.open(3).isEmpty());
        Path older = dir.resolve("snapshot.1");
        byte[] bytes = Files.readAllBytes(older);
        bytes[100] ^= 1;
        Files.write(older, bytes);
        assertTrue(store.open(1).isEmpty());
        assertEquals(1, warnings.size());
    }

    @Test
    void aSnapshotOfAnotherDatabaseIsNotUsed() throws IOException {
        write(FileSnapshotStore.open(FileIo.system(), dir, 42, warnings::add), 1, random(10, 1));
        FileSnapshotStore store = store();
        assertEquals(List.of(), store.list());
        assertTrue(store.openLatest().isEmpty());
    }

    @Test
    void damageThatAppearsAfterOpeningFailsTheStream() throws IOException {
        FileSnapshotStore store = store();
        write(store, 1, random(200_000, 1));
        try (SnapshotStore.SnapshotReader r = store.openLatest().orElseThrow(); InputStream in = r.stream()) {
            Path file = dir.resolve("snapshot.1");
            byte[] bytes = Files.readAllBytes(file);
            bytes[150_000] ^= 1;
            Files.write(file, bytes);
            assertThrows(StorageCorruptException.class, in::readAllBytes);
        }
    }

    @Test
    void aSnapshotRenamedToAnotherZxidIsRejected() throws IOException {
        FileSnapshotStore store = store();
        write(store, 1, random(10, 1));
        Files.move(dir.resolve("snapshot.1"), dir.resolve("snapshot.2"));
        assertEquals(List.of(), store.list());
        assertTrue(store.openLatest().isEmpty());
    }

    @Test
    void retainNewestDeletesOlderFilesDamagedOrNotAndKeepsNewerDamagedOnes() throws IOException {
        FileSnapshotStore store = store();
        for (long z = 1; z <= 4; z++) {
            write(store, z, random(100, z));
        }
        Files.write(dir.resolve("snapshot.0"), new byte[10]);
        Files.write(dir.resolve("snapshot.5"), new byte[10]);
        store.retainNewest(2);
        List<String> left = new ArrayList<>();
        try (var files = Files.list(dir)) {
            files.forEach(p -> left.add(p.getFileName().toString()));
        }
        left.sort(null);
        assertEquals(List.of("snapshot.3", "snapshot.4", "snapshot.5"), left);
        assertEquals(List.of(4L, 3L), store.list());
    }
}
