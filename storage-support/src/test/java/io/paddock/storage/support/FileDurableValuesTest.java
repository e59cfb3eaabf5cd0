package io.paddock.storage.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.paddock.api.storage.StorageCorruptException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDurableValuesTest {
    @TempDir
    Path dir;

    private FileDurableValues values() {
        return new FileDurableValues(FileIo.system(), dir);
    }

    @Test
    void aValueFileIsTwentyBytesWithAChecksum() throws IOException {
        values().put("currentEpoch", 0x1234_5678_9AL);
        ByteBuffer f = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("currentEpoch")));
        assertEquals(20, f.capacity());
        assertEquals(0x5044564C, f.getInt(0), "magic PDVL");
        assertEquals(1, f.getInt(4), "version");
        assertEquals(0x1234_5678_9AL, f.getLong(8));
        assertEquals(Checksums.crc32c(f.array(), 0, 16), f.getInt(16));
        assertEquals(OptionalLong.of(0x1234_5678_9AL), values().get("currentEpoch"));
    }

    @Test
    void aDamagedValueIsCorruptNeverMissingOrMadeUp() throws IOException {
        values().put("acceptedEpoch", 3);
        Path file = dir.resolve("acceptedEpoch");
        byte[] bytes = Files.readAllBytes(file);
        bytes[9] ^= 1;
        Files.write(file, bytes);
        assertThrows(StorageCorruptException.class, () -> values().get("acceptedEpoch"));
        Files.write(file, new byte[0]);
        assertThrows(StorageCorruptException.class, () -> values().get("acceptedEpoch"));
        values().put("acceptedEpoch", 4);
        assertEquals(OptionalLong.of(4), values().get("acceptedEpoch"));
    }

    @Test
    void aLeftoverTornTempFileIsNeverReadAndIsReplaced() throws IOException {
        values().put("currentEpoch", 1);
        Files.write(dir.resolve("currentEpoch.tmp"), new byte[] {1, 2, 3});
        assertEquals(OptionalLong.of(1), values().get("currentEpoch"));
        values().put("currentEpoch", 2);
        assertEquals(OptionalLong.of(2), values().get("currentEpoch"));
    }

    @Test
    void namesArePlainWords() {
        for (String bad : new String[] {"", "../x", "a/b", "log.1", "1abc", "x".repeat(65)}) {
            assertThrows(IllegalArgumentException.class, () -> values().put(bad, 1), bad);
        }
    }
}
