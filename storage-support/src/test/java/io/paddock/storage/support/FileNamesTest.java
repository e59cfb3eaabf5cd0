package io.paddock.storage.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class FileNamesTest {

    @Test
    void namesUseLowercaseHexWithoutPaddingAsZooKeeperDoes() {
        assertEquals("log.100000001", FileNames.log(0x100000001L));
        assertEquals("snapshot.2a0000ff00", FileNames.snapshot(0x2a0000ff00L));
        assertEquals("log.0", FileNames.log(0));
    }

    @Test
    void parsingAcceptsOnlyExactNames() {
        assertEquals(OptionalLong.of(0x100000001L), FileNames.parseLog("log.100000001"));
        assertEquals(OptionalLong.of(0xABL), FileNames.parseSnapshot("snapshot.AB"));
        assertEquals(OptionalLong.empty(), FileNames.parseLog("log.100000001.tmp"));
        assertEquals(OptionalLong.empty(), FileNames.parseLog("log."));
        assertEquals(OptionalLong.empty(), FileNames.parseLog("snapshot.1"));
        assertEquals(OptionalLong.empty(), FileNames.parseSnapshot("snapshot.1.7.tmp"));
        assertEquals(OptionalLong.empty(), FileNames.parseSnapshot("snapshot.12345678901234567"));
        assertEquals(OptionalLong.empty(), FileNames.parseLog("acceptedEpoch"));
    }

    @Test
    void purgeKeepsTheFileThatHoldsOrPrecedesTheFirstRecordAfterTheZxid() {
        List<Long> starts = List.of(1L, 11L, 21L, 31L);
        assertEquals(List.of(1L, 11L), FileNames.logsToPurge(starts, 30));
        assertEquals(List.of(1L, 11L), FileNames.logsToPurge(starts, 21));
        assertEquals(List.of(1L), FileNames.logsToPurge(starts, 20));
        assertEquals(List.of(), FileNames.logsToPurge(starts, 10));
        assertEquals(List.of(), FileNames.logsToPurge(starts, 0));
    }

    @Test
    void purgeNeverReturnsTheNewestFile() {
        assertEquals(List.of(1L, 11L, 21L), FileNames.logsToPurge(List.of(1L, 11L, 21L, 31L), Long.MAX_VALUE));
        assertEquals(List.of(), FileNames.logsToPurge(List.of(5L), Long.MAX_VALUE));
        assertEquals(List.of(), FileNames.logsToPurge(List.of(), 100));
    }

    @Test
    void purgeRejectsUnsortedStarts() {
        assertThrows(IllegalArgumentException.class, () -> FileNames.logsToPurge(List.of(11L, 1L), 30));
    }
}
